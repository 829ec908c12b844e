"""What the AWX credential plugin's tests share: the sample items, the kinds as the plugin's
metadata names them, and the helpers that seed, build a source credential and check a failure."""

import re
from pathlib import Path

import pytest

import item_support
from credential_plugin_support import awx_call
from kinds import ROWS
from totp import RFC_SEED, totp

PLUGIN_NAME = "Segura MySafe Lookup"
TOKEN = re.compile(r"\b[0-9a-f]{40}\b")  # the simulator's access tokens
# A time whose code for RFC 6238's SHA1 test seed starts with a zero.
CLOCK = 1111111109

SECRET = {
    "name": "GCP payments",
    "url": "https://gcp.example.com/oauth",
    "client_id": "gcp-app-7d1",
    "client_secret": "gcp-client-secret-Qx93",
    "identifier_code": "payments-gcp",
    "method": "post",
    "tags": "cloud,payments",
    "notes": "Owned by the platform team",
}
PASSWORD = {
    "name": "db-prod",
    "username": "svc_app",
    "password": "db-password-Tz48",
    "url": "https://db.example.com",
    "secret_key": RFC_SEED,
    "notes": "Rotated monthly",
    "tags": "db,prod",
}
NOTE = {"name": "Recovery codes", "note": "code-1 Rv63\ncode-2 Kp20", "tags": "mfa"}


class Kind(object):
    """One MySafe kind as the plugin's metadata names it: its row of the kinds table (``row``: name,
    label, code field, the simulator's name) and what the AWX plugin offers for it."""

    def __init__(self, row, item, fields, default, selections, vendor_name):
        self.row = row
        self.item = item  # the sample this file seeds, a TOTP seed included
        self.fields = fields  # what field may name, in the order the plugin offers them
        self.default = default
        self.selections = selections  # metadata keys that select the item without its identifier
        self.vendor_name = vendor_name  # as the server's messages name the kind

    name = property(lambda self: self.row.name)
    label = property(lambda self: self.row.label)
    code = property(lambda self: self.row.code_field)  # the field that selects one item per owner
    plural = property(lambda self: self.row.sim_name)

    def metadata(self, **metadata):
        return dict(metadata, kind=self.name)


KINDS = {
    "api_secret": Kind(ROWS["api_secret"], SECRET,
                       ["identifier", "name", "url", "client_id", "client_secret", "identifier_code", "method",
                        "notes", "tags"], "client_secret", [["identifier_code"], ["name"]], "Api secret"),
    "password": Kind(ROWS["password"], PASSWORD,
                     ["identifier", "name", "username", "password", "url", "secret_key", "notes", "token", "tags"],
                     "password", [["name"], ["name", "username"]], "Password"),
    "note": Kind(ROWS["note"], NOTE, ["identifier", "name", "note", "tags"], "note", [["name"]], "Note"),
}
ALL_KINDS = pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))


def seed(sim, kind, owner="alice", **fields):
    """One item of ``kind`` in the simulator, uncounted: the kind's sample with ``fields`` over it.

    An API secret given another name gets an identifier_code made from it, since an owner's codes
    must differ.
    """
    if kind.code and "name" in fields and kind.code not in fields:
        fields[kind.code] = re.sub(r"\W+", "-", fields["name"].lower())
    return item_support.seed(sim, kind.row, owner=owner, **dict(kind.item, **fields))


def source(sim, user="alice", **overrides):
    """The inputs of a Segura MySafe source credential for a simulator user, with the CA pasted in."""
    inputs = {"url": sim.url, "client_id": sim.users[user]["client_id"],
              "client_secret": sim.users[user]["client_secret"], "verify": True,
              "cacert": Path(sim.ca_path).read_text()}
    inputs.update(overrides)
    return dict((key, value) for key, value in inputs.items() if value is not None)


def lookup(described, sim, metadata, **overrides):
    return awx_call(described["plugin"]["inputs"], source(sim, **overrides), metadata)


def assert_failed(outcome, *fragments, secrets=()):
    """A failure AWX can show: a RuntimeError naming the fragments, without a secret or token."""
    assert "value" not in outcome, outcome
    error = outcome["error"]
    assert error["type"] == "SeguraLookupError" and error["is_runtime_error"], error
    for fragment in fragments:
        assert fragment in error["message"], (fragment, error["message"])
    for secret in secrets:
        assert secret not in error["message"], (secret, error["message"])
    assert not TOKEN.search(error["message"]), error["message"]
    assert "Traceback" not in error["message"]
    return error["message"]


def item_secrets(sim):
    """Every secret the simulator's users and samples hold, none of which a message may show."""
    return ([user["client_secret"] for user in sim.users.values()]
            + [SECRET["client_secret"], PASSWORD["password"], PASSWORD["secret_key"], NOTE["note"],
               totp(RFC_SEED, CLOCK)])
