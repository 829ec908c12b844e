# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What Segura's answers mean: the MySafe error envelope as a typed error, Retry-After, and the
answers that are not MySafe's at all (gateways, login pages)."""

from __future__ import annotations

import email.utils
import json
import re
import time

from ansible_collections.segura.pam.plugins.module_utils import errors

RETRYABLE_STATUS = (429, 502, 503, 504)
GATEWAY_MESSAGES = {
    429: "Segura's gateway is rate limiting requests (HTTP 429).",
    502: "Segura's gateway answered 502: an invalid response was received from the upstream server.",
    503: "Segura answered 503: the service is unavailable.",
    504: "Segura's gateway answered 504: the upstream server is timing out.",
}
VENDOR_CODE = re.compile(r"^\s*(\d{4})\s*:\s*(.*)$", re.S)


def retry_after_seconds(value, now=None):
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def vendor_error(envelope, status):
    """Map a MySafe error envelope to a typed error (the message is the server's "NNNN: text")."""
    response = envelope.get("response") if isinstance(envelope.get("response"), dict) else {}
    exception = envelope.get("exception") if isinstance(envelope.get("exception"), dict) else {}
    text = (response.get("message") or response.get("mensagem") or response.get("Message")
            or exception.get("message") or "no message")
    text = str(text)
    code = exception.get("code")
    match = VENDOR_CODE.match(text)
    if match:
        code = code or match.group(1)
        text = match.group(2).strip()
    text = text.rstrip(".")
    try:
        code = int(code) if code is not None else None
    except (TypeError, ValueError):
        code = None
    shown = "Segura refused the request: %s%s" % ("%s: " % code if code else "", text)
    if code == 1001 and "identifier already" in text.lower():
        return errors.DuplicateIdentifierCodeError(
            shown + ".", code=code, status=status,
            hint="Another API secret of the same owner already uses this identifier_code: choose another "
                 "identifier_code, or select that secret with identifier.")
    if code in (1001, 1010):
        return errors.ValidationError(shown + ".", code=code, status=status,
                                      hint="Correct the value the message names and run the task again.")
    # Worded for the kind of item at hand by _api.REFUSAL_HINTS, which knows the kind.
    if code == 1005:
        return errors.NotFoundError(shown + ".", code=code, status=status)
    if code == 1006:
        return errors.AccessDeniedError(shown + ".", code=code, status=status)
    if code == 1009:
        return errors.InactiveSecretError(shown + ".", code=code, status=status)
    if "criptograf" in text.lower():  # "Ocorreu um erro ao criptografar o texto"
        return errors.ServerError(
            shown + ".", code=code, status=status,
            hint="The access key encrypts sensitive data, and Segura cannot encrypt this value (long notes fail "
                 "this way): read it with an access key that does not encrypt, or shorten the value.")
    if status >= 500:
        return errors.ServerError(shown + ".", code=code, status=status,
                                  hint="This is a failure on the Segura server: try again later or contact "
                                       "the Segura administrators with the time of the request.")
    return errors.ServerError(shown + ".", code=code, status=status,
                              hint="This error code is not documented for MySafe.")


def json_or_none(response):
    try:
        return json.loads(response.content.decode("utf-8")) if response.content else None
    except ValueError:
        return None


def gateway_text(body):
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return ": %s" % body["message"]
    return ""


def unexpected(response, body, url):
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    if body is None:
        what = "a body that is not JSON (%s, %d bytes)" % (kind, len(response.content or b""))
    else:
        what = "JSON that is not a MySafe answer"
    return errors.UnexpectedResponseError(
        "%s answered HTTP %d with %s." % (url, response.status_code, what), status=response.status_code,
        hint="Check that segura_url points to the Segura server itself, not to a login page, proxy or "
             "another service.")
