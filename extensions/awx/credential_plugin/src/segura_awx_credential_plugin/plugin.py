# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The "Segura MySafe Lookup" credential plugin: AWX calls its backend when a job needs a linked field.

AWX passes the source credential's inputs (``inputs.fields``) and the input source's metadata
(``inputs.metadata``) as keyword arguments, only those that are set, and puts the returned string
into the linked field. Everything that talks to Segura is the collection's own client, packed
into ``_collection`` when the wheel is built.
"""

from __future__ import annotations

import collections
import contextlib
import os
import tempfile
from urllib.parse import urlsplit

from ._collection import errors
from ._collection.client import DEFAULT_TOKEN_PATH, SeguraClient
from ._collection.mysafe import MASK, TEXT_FIELDS, MySafeApi, to_bool
from ._collection.version import COLLECTION_VERSION

# The shape AWX expects of a credential plugin (awx_plugins.credentials.plugin.CredentialPlugin).
CredentialPlugin = collections.namedtuple("CredentialPlugin", ["name", "inputs", "backend"])

# A kind of MySafe item: its label in messages, the API class over a client, the field returned
# by default, the fields that can be returned, and whether it can be selected by identifier_code.
Kind = collections.namedtuple("Kind", ["label", "api", "secret_field", "fields", "has_identifier_code"])

KINDS = {
    "api_secret": Kind("API secret", MySafeApi, "client_secret", ("identifier",) + TEXT_FIELDS + ("tags",), True),
}
SELECTORS = ("identifier", "identifier_code", "name")
USER_AGENT = "segura.pam/%s (segura-awx-credential-plugin)" % COLLECTION_VERSION

# What an AWX admin can change when the client raises one of these (the client's own hints name
# the collection's Ansible options instead).
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
     "The secret's owner must share it with the API user of the Segura credential's Client ID."),
    (errors.NotFoundError,
     "Check the metadata of the input source, and that the secret is shared with the API user of the "
     "Segura credential's Client ID."),
    (errors.InactiveSecretError,
     "Enable the secret in MySafe (or with segura.pam.mysafe_api_secret state=present), or link another one."),
)


class SeguraLookupError(RuntimeError):
    """The value could not be read; the message says why and what to change (never a secret)."""


def _text(kwargs, key):
    """A string input or metadata value; empty and unset are the same to AWX's forms."""
    value = kwargs.get(key)
    return "" if value is None else str(value).strip()


def _kind(kwargs):
    name = _text(kwargs, "kind") or "api_secret"
    if name not in KINDS:
        raise errors.ConfigurationError("Kind '%s' is not a MySafe kind this plugin reads." % name,
                                        hint="Set kind to one of: %s." % ", ".join(sorted(KINDS)))
    return KINDS[name]


def _field(kind, kwargs):
    field = _text(kwargs, "field") or kind.secret_field
    if field not in kind.fields:
        raise errors.ConfigurationError("Field '%s' is not a field of a MySafe %s." % (field, kind.label),
                                        hint="Set field to one of: %s." % ", ".join(kind.fields))
    return field


def _wanted(kind, kwargs):
    """The selection in the metadata: {'identifier': n} or identifier_code and/or name."""
    wanted = dict((key, _text(kwargs, key)) for key in SELECTORS if _text(kwargs, key))
    if "identifier" in wanted:
        text = wanted["identifier"]
        if len(wanted) > 1:
            raise errors.ConfigurationError(
                "The metadata sets identifier together with %s." % " and ".join(sorted(set(wanted) - {"identifier"})),
                hint="Give identifier alone, or leave it empty and select by identifier_code and/or name.")
        if not (text.isascii() and text.isdigit() and int(text) > 0):
            raise errors.ConfigurationError("Identifier '%s' is not a positive integer." % text,
                                            hint="Give the number Segura shows as the secret's ID.")
        wanted["identifier"] = int(text)
    elif "identifier_code" in wanted and not kind.has_identifier_code:
        raise errors.ConfigurationError("A MySafe %s has no identifier_code." % kind.label,
                                        hint="Select it by identifier or name.")
    if not wanted:
        raise errors.ConfigurationError("The metadata names no secret.",
                                        hint="Set identifier, or identifier_code and/or name, in the input source.")
    return wanted


def _describe(wanted):
    return " and ".join(("%s %d" if key == "identifier" else "%s '%s'") % (key, wanted[key])
                        for key in SELECTORS if key in wanted)


def _connection(kwargs):
    """The connection inputs, checked before anything is sent."""
    url, client_id = _text(kwargs, "url"), _text(kwargs, "client_id")
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        scheme, separator, rest = url.partition("://")
        shown = "%s://%s@%s" % (scheme, MASK, rest.rpartition("@")[2]) if separator and "@" in rest else url
        raise errors.ConfigurationError("Segura URL '%s' is not an http(s) URL." % shown,
                                        hint="Set it to the server's base URL, e.g. https://segura.example.com.")
    if not (client_id and kwargs.get("client_secret")):
        raise errors.ConfigurationError("The Segura credential has no %s." % (
            "Client Secret" if client_id else "Client ID"), hint="Set the Client ID and Client Secret of a MySafe "
                                                                 "access key (MySafe > Integrations > Access keys).")
    verify = kwargs.get("verify", True)
    verify = to_bool(verify) if isinstance(verify, str) else verify is not False
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


def _find(api, kind, wanted, client_id):
    if "identifier" in wanted:
        return api.get(wanted["identifier"])
    candidates = api.list(identifier_code=wanted.get("identifier_code"))
    if "name" in wanted:
        candidates = [item for item in candidates if item["name"] == wanted["name"]]
    if not candidates:
        raise errors.NotFoundError("No %s visible to the API user of Client ID '%s' has %s." % (
            kind.label, client_id, _describe(wanted)))
    if len(candidates) > 1:
        raise errors.ConfigurationError(
            "%d %ss visible to the API user of Client ID '%s' have %s (identifiers %s)." % (
                len(candidates), kind.label, client_id, _describe(wanted),
                ", ".join(str(item["identifier"]) for item in candidates)),
            hint="Set identifier in the input source's metadata to the one to use.")
    return api.get(candidates[0]["identifier"])


def _as_text(value):
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def segura_mysafe_backend(**kwargs):
    """One field of one MySafe item, as a string; SeguraLookupError when it cannot be read."""
    context = "Segura MySafe lookup"
    try:
        kind = _kind(kwargs)
        field, wanted = _field(kind, kwargs), _wanted(kind, kwargs)
        context = "Segura MySafe lookup of the %s with %s" % (kind.label, _describe(wanted))
        connection = _connection(kwargs)
        pem = _text(kwargs, "cacert") if connection["validate_certs"] else ""
        with _ca_file(pem) as ca_path:
            # No token cache: each lookup is one short exchange, and AWX runs many jobs side by side.
            client = SeguraClient(ca_path=ca_path, token_cache=False, pool_size=1, **connection)
            try:
                client.session.headers["User-Agent"] = USER_AGENT
                entity = _find(kind.api(client), kind, wanted, connection["client_id"])
            finally:
                client.close()
    except errors.SeguraError as error:
        hint = next((text for kind_of_error, text in AWX_HINTS if isinstance(error, kind_of_error)), error.hint)
        raise SeguraLookupError("%s: %s%s" % (context, error.message, " " + hint if hint else "")) from None
    return _as_text(entity[field])


INPUTS = {
    "fields": [
        {"id": "url", "label": "Segura URL", "type": "string", "format": "url",
         "help_text": "Base URL of the Segura server, e.g. https://segura.example.com."},
        {"id": "client_id", "label": "Client ID", "type": "string",
         "help_text": "Client ID of a MySafe access key (MySafe > Integrations > Access keys). Its API user "
                      "must see the secrets: its own, or shared with it."},
        {"id": "client_secret", "label": "Client Secret", "type": "string", "secret": True,
         "help_text": "Client secret of that access key."},
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
        {"id": "kind", "label": "Kind", "type": "string", "choices": sorted(KINDS), "default": "api_secret",
         "help_text": "What kind of MySafe item holds the value."},
        {"id": "identifier", "label": "Identifier", "type": "string",
         "help_text": "The item's numeric ID in Segura. Give this, or identifier code and/or name."},
        {"id": "identifier_code", "label": "Identifier code", "type": "string",
         "help_text": "API secrets: the identifier code the owner gave the secret."},
        {"id": "name", "label": "Name", "type": "string",
         "help_text": "The item's name; it must match exactly one item the API user sees."},
        {"id": "field", "label": "Field", "type": "string",
         "help_text": "The field to return. API secrets: %s; empty means client_secret."
                      % ", ".join(KINDS["api_secret"].fields)},
    ],
    "required": ["url", "client_id", "client_secret"],
}

segura_mysafe_plugin = CredentialPlugin("Segura MySafe Lookup", INPUTS, segura_mysafe_backend)
