# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed errors raised by the Segura client.

Plugins never build error strings themselves: the client raises one of these and the plugin
turns it into ``fail_json`` or ``AnsibleError`` in one place. Messages say what went wrong
and what to do; they never contain a secret, a client secret or a token.
"""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

MASK = "********"


def secret_spellings(secret):
    """The forms a secret takes in text a server may echo: as is, form- and URL-encoded, JSON-escaped."""
    return {secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]}


def redact(text, secrets):
    """``text`` with every spelling of every secret replaced by the mask, longest first."""
    if not text or not secrets:
        return text
    spellings = set()
    for secret in secrets:
        if secret:
            spellings.update(secret_spellings(secret))
    for spelling in sorted(spellings, key=len, reverse=True):
        text = text.replace(spelling, MASK)
    return text


class SeguraError(Exception):
    """Base class. ``code`` is the vendor's NNNN code when the server sent one."""

    #: a retry of the same request may succeed (gateway errors, dropped connections)
    transient = False

    def __init__(self, message, code=None, status=None, hint=None):
        super(SeguraError, self).__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.hint = hint

    def __str__(self):
        if self.hint:
            return "%s %s" % (self.message, self.hint)
        return self.message

    def redact(self, secrets):
        """Mask ``secrets`` in everything this error can show (message, hint, args, cause)."""
        self.message = redact(self.message, secrets)
        self.hint = redact(self.hint, secrets)
        self.args = (self.message,)
        cause = getattr(self, "cause", None)
        if isinstance(cause, SeguraError):
            cause.redact(secrets)
        return self

    def to_result(self):
        """The fields a module adds to its failure result."""
        return {"error_type": type(self).__name__, "error_code": self.code, "http_status": self.status}


class MissingDependencyError(SeguraError):
    """A Python library the client needs is not installed where the plugin runs."""


class ConfigurationError(SeguraError):
    """A connection or plugin option is missing or invalid; nothing was sent."""


class AmbiguousSelectionError(ConfigurationError):
    """Several visible items match an identifier code or a name; nothing was written."""


class AuthenticationError(SeguraError):
    """The token request was refused, or the server rejected the bearer token."""


class NotFoundError(SeguraError):
    """1005: no item of the kind at hand with that identifier."""


class AccessDeniedError(SeguraError):
    """1006: the API user may not see (or may not change) that item."""


class InactiveSecretError(SeguraError):
    """1009: the item is disabled; it cannot be read until it is enabled again."""


class ValidationError(SeguraError):
    """1001 / 1010: the server refused the request's content."""


class DuplicateIdentifierCodeError(ValidationError):
    """1001: the owner already has a secret with that identifier_code."""


class ServerError(SeguraError):
    """500 or another answer the server marks as its own failure."""


class GatewayError(SeguraError):
    """502 / 503 / 504 / 429 from the gateway in front of Segura."""

    transient = True


class RequestTimeoutError(SeguraError):
    """No answer within segura_timeout."""

    transient = True


class ConnectionFailedError(SeguraError):
    """The TCP connection failed or was dropped."""

    transient = True


class TLSError(SeguraError):
    """The server certificate could not be verified."""


class TransportError(SeguraError):
    """The HTTP library refused to build or send the request (not a network failure)."""


class UnexpectedResponseError(SeguraError):
    """The answer is not a MySafe envelope (HTML, truncated or unknown JSON)."""


class AmbiguousWriteError(SeguraError):
    """A write failed in a way that leaves unknown whether the server applied it.

    Writes are never retried blindly: the caller must look the secret up again before
    deciding whether to repeat the write.
    """

    def __init__(self, message, cause, **kwargs):
        super(AmbiguousWriteError, self).__init__(message, **kwargs)
        self.cause = cause


class UnconfirmedWriteError(AmbiguousWriteError):
    """An ambiguous write that reading again cannot settle yet: it is not repeated, the user checks."""
