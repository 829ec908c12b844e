# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The "Segura MySafe Lookup" credential plugin: AWX calls its backend when a job needs a linked field.

It reads MySafe items (with a MySafe access key) and PAM Core credentials and SSH keys (with an A2A
application's OAuth2 client), so a Machine credential's password, SSH private key, passphrase and become
password can come from what Segura holds and rotates.

AWX passes the source credential's inputs (``inputs.fields``) and the input source's metadata
(``inputs.metadata``) as keyword arguments, only those that are set, and puts the returned string
into the linked field. Everything that talks to Segura is the collection's own code, packed into
``_collection`` when the wheel is built: its client, its kind table (``_kinds.KINDS``) and its
engine's term resolution, so the plugin reads every kind the collection manages, the same way.
"""

from __future__ import annotations

import collections
import contextlib
import os
import tempfile
from urllib.parse import urlsplit

from ._collection import errors
from ._collection._api import MySafeApi
from ._collection._engine import find_one
from ._collection._kinds import KINDS, PAM_KINDS
from ._collection._pam import PamApi
from ._collection._terms import selected_id, term_key
from ._collection._version import COLLECTION_VERSION
from ._collection._transport import without_userinfo
from ._collection.client import DEFAULT_TOKEN_PATH, SeguraClient, parse_boolean

# The shape AWX expects of a credential plugin (awx_plugins.credentials.plugin.CredentialPlugin).
CredentialPlugin = collections.namedtuple("CredentialPlugin", ["name", "inputs", "backend"])

DEFAULT_KIND = "api_secret"
# The kinds an input source can name: MySafe's by their names, PAM Core's prefixed (pam_credential, pam_ssh_key).
AWX_KINDS = dict(KINDS, **dict(("pam_" + kind.name, kind) for kind in (PAM_KINDS["credential"], PAM_KINDS["ssh_key"])))
# What a Machine credential takes from a PAM Core kind (the first is the default).
PAM_VALUE_FIELDS = {"credential": ("password", "username"),
                    "ssh_key": ("private_key", "passphrase", "public_key", "username")}
# Fields of an item that are not a value a credential field can take (and an item that can be read is active).
NOT_VALUES = ("users_allowed", "groups_allowed", "active")
# Why a field can be empty, where that needs more than "set it in MySafe".
EMPTY_HINTS = {
    "token": "A password has a token (its current TOTP code) only when its secret_key holds a base32 TOTP seed: "
             "set one in MySafe, or choose another field in the input source's metadata.",
}
USER_AGENT = "segura.pam/%s (segura-awx-credential-plugin)" % COLLECTION_VERSION

# What an AWX admin can change when the client raises one of these (the client's own hints name
# the collection's Ansible options instead). Formatted with the kind and the credential's Client ID.
AWX_HINTS = (
    (errors.TLSError,
     "Paste the PEM of the CA that signed the Segura server's certificate into CA Certificate of the "
     "Segura credential (turning Verify SSL off skips the check, which is not recommended)."),
    (errors.AuthenticationError,
     "Check Segura URL, Client ID, Client Secret, Token path and Tenant of the Segura credential "
     "(MySafe > Integrations > Access keys)."),
    (errors.ConnectionFailedError,
     "Check Segura URL of the Segura credential, and that the Segura server is reachable from where AWX "
     "runs jobs (task pods, execution nodes)."),
    (errors.AccessDeniedError,
     {"mysafe": "The %(label)s's owner must share it with the API user of Client ID '%(client_id)s' (the Segura "
                "credential's).",
      "pam": "The authorization of the A2A application of Client ID '%(client_id)s' (the Segura credential's) "
             "must include the PAM Core resource and cover this %(label)s (A2A > Applications > "
             "Authorizations)."}),
    (errors.NotFoundError,
     {"mysafe": "Check the metadata of the input source, and that the %(label)s is shared with the API user of "
                "Client ID '%(client_id)s' (the Segura credential's).",
      "pam": "Check Identifier in the input source's metadata (an id, an identifier or username@hostname), and "
             "that the A2A application of Client ID '%(client_id)s' (the Segura credential's) sees the %(label)s."}),
    (errors.InactiveSecretError,
     {"mysafe": "Enable the %(label)s in MySafe (or with %(module)s state=present), or link another one.",
      "pam": "Activate the %(label)s in Segura (or with %(module)s state=present), or link another one."}),
    (errors.AmbiguousSelectionError,
     "Set Identifier in the input source's metadata to the one to use."),
)


class SeguraLookupError(RuntimeError):
    """The value could not be read; the message says why and what to change (never a secret)."""


def value_fields(kind):
    """The fields of ``kind`` a lookup can return, in the order of the kind's items."""
    if kind.service == "pam":
        return PAM_VALUE_FIELDS[kind.name]
    return tuple(field for field in kind.entity_fields if field not in NOT_VALUES)


def default_field(kind):
    """The kind's first secret field: client_secret, password, note."""
    return kind.secret_fields[0]


def selectors(kind):
    """The metadata that selects an item of ``kind``: identifier, its code field, its name fields (PAM Core:
    identifier alone, which takes an id, an identifier or username@hostname)."""
    if kind.service == "pam":
        return ("identifier",)
    return ("identifier",) + ((kind.code_field,) if kind.code_field else ()) + kind.name_fields


# Every selector of every kind, in the kinds' order: identifier, identifier_code, name, username.
SELECTORS = tuple(dict.fromkeys(option for kind in AWX_KINDS.values() for option in selectors(kind)))


def _ways(kind, but=None):
    """How an item of ``kind`` can be selected (``but`` one way), for hints: 'identifier, identifier_code or name'."""
    if kind.service == "pam":
        return "identifier (an id, an identifier%s)" % (" or username@hostname" if kind.name_fields else "")
    ways = [way for way in ("identifier", kind.code_field) if way and way != but]
    narrowing = kind.name_fields[1:]
    ways.append("name" + (" (with %s to narrow it)" % " and ".join(narrowing) if narrowing else ""))
    return " or ".join(filter(None, (", ".join(ways[:-1]), ways[-1])))


def _check_text_types(kwargs):
    """A ConfigurationError naming the first text input or metadata field given something else.

    AWX's forms give text, but its API and awx.awx pass any JSON value: a number as Client Secret
    would otherwise fail inside the client, with a TypeError. (Verify SSL is read by _connection.)"""
    for where, items in (("the Segura credential", INPUTS["fields"]),
                         ("the input source's metadata", INPUTS["metadata"])):
        for item in items:
            value = kwargs.get(item["id"])
            if item["type"] != "string" or value is None or isinstance(value, str):
                continue
            if item["id"] == "identifier" and isinstance(value, int) and not isinstance(value, bool):
                continue  # a numeric ID given as a number is still the ID
            raise errors.ConfigurationError(
                "%s of %s is %s, not text." % (item["label"], where, _type_name(value)),
                hint="Give it as a string (quoted, when set through the API or with awx.awx).")


def _type_name(value):
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(
        type(value), "a %s" % type(value).__name__)


def _text(kwargs, key):
    """A string input or metadata value; empty and unset are the same to AWX's forms."""
    value = kwargs.get(key)
    return "" if value is None else str(value).strip()


def _kind(kwargs):
    name = _text(kwargs, "kind") or DEFAULT_KIND
    if name not in AWX_KINDS:
        raise errors.ConfigurationError("Kind '%s' is not a kind this plugin reads." % name,
                                        hint="Set kind to one of: %s." % ", ".join(sorted(AWX_KINDS)))
    return AWX_KINDS[name]


def _field(kind, kwargs):
    field = _text(kwargs, "field") or default_field(kind)
    if field not in value_fields(kind):
        raise errors.ConfigurationError(
            "Field '%s' is not a field of %s %s." % (field, "a MySafe" if kind.sharing else "a PAM Core", kind.label),
            hint="Set field to one of: %s (empty: %s)." % (", ".join(value_fields(kind)), default_field(kind)))
    return field


def _wanted(kind, kwargs):
    """The selection in the metadata: {'identifier': n}, {code field: c}, or name (and username)."""
    wanted = dict((key, _text(kwargs, key)) for key in SELECTORS if _text(kwargs, key))
    foreign = [key for key in wanted if key not in selectors(kind)]
    if foreign:
        raise errors.ConfigurationError(
            "%s %s has no %s." % ("A MySafe" if kind.sharing else "A PAM Core", kind.label, " and no ".join(foreign)),
            hint="Leave %s empty in the input source's metadata, and select the %s by %s."
                 % (" and ".join(foreign), kind.label, _ways(kind)))
    for alone in ("identifier", kind.code_field):
        if alone in wanted and len(wanted) > 1:
            raise errors.ConfigurationError(
                "The metadata sets %s together with %s." % (alone, " and ".join(key for key in wanted if key != alone)),
                hint="Give %s alone, or leave it empty and select the %s by %s."
                     % (alone, kind.label, _ways(kind, alone)))
    if "identifier" in wanted and kind.service == "pam":
        pass  # an id, an identifier or username@hostname: read as the lookups read their terms
    elif "identifier" in wanted:
        text = wanted["identifier"]
        if not (text.isascii() and text.isdigit() and int(text) > 0):
            raise errors.ConfigurationError("Identifier '%s' is not a positive integer." % text,
                                            hint="Give the number Segura shows as the %s's ID." % kind.label)
        wanted["identifier"] = int(text)
    elif wanted and "name" not in wanted and kind.code_field not in wanted:
        raise errors.ConfigurationError(
            "The metadata sets %s but no name." % " and ".join(wanted),
            hint="Set name too: %s only narrows the %s with that name." % (" and ".join(wanted), kind.plural))
    if not wanted:
        raise errors.ConfigurationError("The metadata names no %s." % kind.label,
                                        hint="Set %s in the input source's metadata." % _ways(kind))
    return wanted


def _connection(kwargs):
    """The connection inputs, checked before anything is sent."""
    url, client_id = _text(kwargs, "url"), _text(kwargs, "client_id")
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise errors.ConfigurationError("Segura URL '%s' is not an http(s) URL." % without_userinfo(url),
                                        hint="Set it to the server's base URL, e.g. https://segura.example.com.")
    if not (client_id and kwargs.get("client_secret")):
        raise errors.ConfigurationError("The Segura credential has no %s." % (
            "Client Secret" if client_id else "Client ID"), hint="Set the Client ID and Client Secret of a MySafe "
                                                                 "access key (MySafe > Integrations > Access keys), "
                                                                 "or for PAM Core kinds of an A2A application.")
    verify = parse_boolean(kwargs.get("verify"), "Verify SSL of the Segura credential") is not False
    return dict(url=url, client_id=client_id, client_secret=kwargs["client_secret"], validate_certs=verify,
                token_path=_text(kwargs, "token_path") or DEFAULT_TOKEN_PATH, tenant=_text(kwargs, "tenant") or None)


@contextlib.contextmanager
def _ca_file(pem):
    """The CA certificate text as a file for the TLS library: private (mkstemp: 0600) and removed after."""
    if not pem:
        yield None
        return
    handle, path = tempfile.mkstemp(prefix="segura-ca-", suffix=".pem")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(pem + "\n")  # the text was stripped; a PEM file ends with a line break
        yield path
    finally:
        os.unlink(path)


def _read(api, wanted, field):
    """The item selected: by identifier, else the one the engine finds by code or name. A PAM Core
    credential is read (taking custody) only for its password."""
    if api.kind.service == "pam":
        by, key = term_key(api.kind, wanted["identifier"], "auto")
        return api.get(selected_id(api, by, key), needs=(field,))
    selection = dict(wanted)
    identifier = selection.pop("identifier", None)
    if identifier is None:
        code = selection.pop(api.kind.code_field, None) if api.kind.code_field else None
        identifier = find_one(api, code=code, **selection)["identifier"]
    return api.get(identifier)


def _awx_hint(error, kind, client_id):
    """What an AWX admin can change: one of AWX_HINTS once the kind is known, else the error's own hint."""
    for kind_of_error, text in AWX_HINTS if kind is not None else ():
        if isinstance(error, kind_of_error):
            text = text[kind.service] if isinstance(text, dict) else text
            return text % {"label": kind.label, "module": kind.module, "client_id": client_id}
    return error.hint


def _as_text(value):
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def segura_mysafe_backend(**kwargs):
    """One field of one MySafe item, as a string; SeguraLookupError when it cannot be read."""
    context, kind = "Segura MySafe lookup", None
    try:
        _check_text_types(kwargs)
        kind = _kind(kwargs)
        context = "Segura %s lookup of %s" % ("MySafe" if kind.sharing else "PAM Core", kind.a_label)
        field, wanted = _field(kind, kwargs), _wanted(kind, kwargs)
        context = "Segura %s lookup of the %s with %s" % (
            "MySafe" if kind.sharing else "PAM Core", kind.label,
            kind.selectors(wanted) if kind.sharing else "identifier '%s'" % wanted["identifier"])
        connection = _connection(kwargs)
        pem = _text(kwargs, "cacert") if connection["validate_certs"] else ""
        with _ca_file(pem) as ca_path:
            # No token cache: each lookup is one short exchange, and AWX runs many jobs side by side.
            client = SeguraClient(ca_path=ca_path, token_cache=False, pool_size=1, user_agent=USER_AGENT,
                                  **connection)
            try:
                entity = _read((MySafeApi if kind.sharing else PamApi)(client, kind), wanted, field)
            finally:
                client.close()
    except errors.SeguraError as error:
        hint = _awx_hint(error, kind, _text(kwargs, "client_id"))
        raise SeguraLookupError("%s: %s%s" % (context, error.message, " " + hint if hint else "")) from None
    value = _as_text(entity[field])
    if not value:
        raise SeguraLookupError("%s: its field '%s' is empty in Segura. %s" % (context, field, EMPTY_HINTS.get(
            field, "Set it in %s, or choose another field in the input source's metadata." % ("MySafe" if kind.sharing else "Segura"))))
    return value


def _only(selector):
    """'API secrets only: ' when not every kind can be selected by ``selector``."""
    kinds = [kind.plural for kind in KINDS.values() if selector in selectors(kind)]
    if len(kinds) == len(KINDS):  # every MySafe kind (PAM Core kinds take Identifier alone)
        return ""
    text = " and ".join(kinds)
    return "%s%s only: " % (text[0].upper(), text[1:])


def _field_help():
    per_kind = "; ".join("%s: %s" % (kind.plural if kind.sharing else name, ", ".join(
        field + (" (default)" if field == default_field(kind) else "") for field in value_fields(kind)))
        for name, kind in AWX_KINDS.items())
    return ("The field to return; empty means the item's secret. %s. A password's token is its current TOTP "
            "code; tags come comma-separated. A pam_credential's password is read at job launch, which takes "
            "the credential into the A2A application's custody in Segura." % per_kind)


INPUTS = {
    "fields": [
        {"id": "url", "label": "Segura URL", "type": "string", "format": "url",
         "help_text": "Base URL of the Segura server, e.g. https://segura.example.com."},
        {"id": "client_id", "label": "Client ID", "type": "string",
         "help_text": "Client ID of a MySafe access key (MySafe > Integrations > Access keys), whose API user "
                      "must see the items (its own, or shared with it); for the PAM Core kinds (pam_credential, "
                      "pam_ssh_key), the OAuth2 client ID of an A2A application whose authorization includes "
                      "PAM Core (A2A > Applications)."},
        {"id": "client_secret", "label": "Client Secret", "type": "string", "secret": True,
         "help_text": "Client secret of that access key or A2A application."},
        {"id": "token_path", "label": "Token path", "type": "string", "default": DEFAULT_TOKEN_PATH,
         "help_text": "Path of the OAuth2 token endpoint; change it only if the server uses another one."},
        {"id": "tenant", "label": "Tenant", "type": "string",
         "help_text": "Tenant name, for multi-tenant Segura servers only."},
        {"id": "verify", "label": "Verify SSL", "type": "boolean", "default": True,
         "help_text": "Verify the Segura server's certificate (recommended)."},
        {"id": "cacert", "label": "CA Certificate", "type": "string", "multiline": True,
         "help_text": "PEM of the CA that signed the Segura server's certificate, when it is not a public CA."},
    ],
    "metadata": [
        {"id": "kind", "label": "Kind", "type": "string", "choices": sorted(AWX_KINDS), "default": DEFAULT_KIND,
         "help_text": "What kind of Segura item holds the value: %s."
                      % ", ".join("%s (%s%s)" % (name, "" if AWX_KINDS[name].sharing else "PAM Core ",
                                                 AWX_KINDS[name].plural) for name in sorted(AWX_KINDS))},
        {"id": "identifier", "label": "Identifier", "type": "string",
         "help_text": "MySafe kinds: the item's numeric ID in Segura; give it alone, or leave it empty and select by "
                      "identifier code or name. PAM Core kinds: the credential's or SSH key's ID, its identifier, or "
                      "(credentials) username@hostname."},
        {"id": "identifier_code", "label": "Identifier code", "type": "string",
         "help_text": _only("identifier_code") + "the identifier code the owner gave the secret. Give it alone."},
        {"id": "name", "label": "Name", "type": "string",
         "help_text": "The item's exact name; it must select exactly one item the API user sees."},
        {"id": "username", "label": "Username", "type": "string",
         "help_text": _only("username") + "the account's username, to tell apart items with the same name."},
        {"id": "field", "label": "Field", "type": "string", "help_text": _field_help()},
    ],
    "required": ["url", "client_id", "client_secret"],
}

segura_mysafe_plugin = CredentialPlugin("Segura MySafe Lookup", INPUTS, segura_mysafe_backend)
