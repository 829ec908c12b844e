# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one client of the collection: OAuth2 token, retries, masking and the MySafe answers.

Modules and the lookup build a :class:`SeguraClient` through ``options.client_from_options``
and call :meth:`SeguraClient.request`; nothing else in the collection talks HTTP. The HTTP
itself (requests, proxies, TLS, the typed errors of failed exchanges) is in ``_transport``.
"""

from __future__ import annotations

import random
import re
import threading
import time

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._answers import (
    GATEWAY_MESSAGES, RETRYABLE_STATUS, gateway_text, json_or_none, retry_after_seconds, unexpected, vendor_error)
from ansible_collections.segura.pam.plugins.module_utils._token_cache import FileTokenCache
from ansible_collections.segura.pam.plugins.module_utils._transport import (
    CONNECTIVITY_HINT, Transport, seconds, url_credentials)
from ansible_collections.segura.pam.plugins.module_utils._version import user_agent as default_user_agent

DEFAULT_TOKEN_PATH = "/iso/oauth2/token"
DEFAULT_TIMEOUT = 30
# Renew a token this long before it expires (capped at a tenth of its lifetime).
TOKEN_REFRESH_MARGIN = 60
# What an access token may hold to travel in an Authorization header (RFC 6750 b64token, generously).
TOKEN_TEXT = re.compile(r"^[\x21-\x7e]+$")


def valid_token(token, where):
    """``token`` without surrounding whitespace; a typed error if it cannot travel in a header."""
    token = str(token).strip()
    if not TOKEN_TEXT.match(token):
        raise errors.ConfigurationError(
            "%s is not a usable access token: it is empty or holds spaces, line breaks or control "
            "characters." % where,
            hint="Give the token exactly as the token endpoint returned it (in YAML, a plain or quoted "
                 "scalar, not a block scalar with a trailing newline).")
    return token


# What AnsibleModule accepts for a bool option (ansible.module_utils.parsing.convert_bool), in
# any case: the one reading of a boolean wherever the collection takes one.
BOOLEAN_TRUE = frozenset(("y", "yes", "on", "1", "true", "t"))
BOOLEAN_FALSE = frozenset(("n", "no", "off", "0", "false", "f"))


def parse_boolean(value, where):
    """``value`` as a bool, read strictly; None when empty (the option's default applies).

    ``where`` names the option and where its value came from, for the error: a value that is not
    one of the booleans above fails instead of quietly meaning false (``ture``, ``enabled``).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = value.strip().lower() if isinstance(value, str) else None
    if text == "":
        return None
    if text in BOOLEAN_TRUE or text in BOOLEAN_FALSE:
        return text in BOOLEAN_TRUE
    shown = repr(value) if len(repr(value)) <= 40 else "%s..." % repr(value)[:37]
    raise errors.ConfigurationError(
        "%s is %s, which is not a boolean." % (where, shown),
        hint="Give true or false (yes/no, on/off and 1/0 work too, in any case), or leave it empty for the default.")


class SeguraClient(object):
    """OAuth2 client-credentials client of one Segura server and one API user.

    Thread-safe: the lookup shares one client between its worker threads.
    """

    def __init__(self, url, client_id=None, client_secret=None, token=None, validate_certs=True,
                 ca_path=None, timeout=DEFAULT_TIMEOUT, token_path=DEFAULT_TOKEN_PATH, tenant=None,
                 proxy=None, token_cache=True, token_cache_dir=None, retries=3, backoff=0.3,
                 pool_size=10, warn=None, on_secret=None, user_agent=None, pam_path=None):
        self.base_url = url.rstrip("/")
        #: PAM Core's path prefix (api/pam or iso/pam): pinned, or found by the first PAM Core request
        self.pam_path = pam_path
        self.client_id = client_id
        self._client_secret = client_secret
        #: every credential and token this client holds: masked in every message it raises
        self._secrets = set()
        self._on_secret = on_secret
        for secret in {client_secret} | url_credentials(url) | url_credentials(proxy):
            self._remember(secret)
        if token:
            token = valid_token(token, "segura_token")
            self._remember(token)
        self._given_token = token
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.timeout = float(timeout)
        self.token_path = "/" + (token_path or DEFAULT_TOKEN_PATH).lstrip("/")
        self.tenant = tenant
        self.retries = retries
        self.backoff = backoff
        warn = None if warn is None else self._masked(warn)
        self.transport = Transport(self.base_url, self.verify, proxy, self.timeout, pool_size,
                                   user_agent or default_user_agent(), warn, self._remember)
        can_fetch = bool(client_id and client_secret)
        self._cache = FileTokenCache(token_cache_dir, warn=warn) if (token_cache and can_fetch and not token) else None
        # The secret is part of the (keyed) hash so that a wrong or revoked one never gets a cached token.
        self._cache_key = (self._cache.key(self.base_url, self.token_path, tenant, client_id, client_secret)
                           if self._cache is not None else None)
        self._token = token
        self._token_expires_at = None
        self._token_lock = threading.Lock()
        #: requests sent, by kind, for benchmarks and tests
        self.stats = {"token": 0, "api": 0, "retries": 0}

    def _remember(self, secret):
        """Keep ``secret`` to mask it in messages, and hand it to ``on_secret`` (a module's no_log set)."""
        if secret and secret not in self._secrets:
            self._secrets.add(secret)
            if self._on_secret:
                self._on_secret(secret)

    def _scrubbed(self, error):
        return error.redact(self._secrets)

    def _masked(self, warn):
        """``warn`` for the warnings of this client (transport, token cache) with every credential and token
        it holds masked, as in its errors."""
        return lambda message: warn(errors.redact(message, self._secrets))

    def close(self):
        self.transport.close()

    # -- retries ---------------------------------------------------------------------------

    def _pause(self, attempt, retry_after=None):
        if retry_after is not None:
            delay = retry_after
        else:
            delay = self.backoff * (2 ** attempt) * random.uniform(0.5, 1.0)
        self.stats["retries"] += 1
        time.sleep(delay)

    def _exchange(self, method, path, retry, auth=None, **kwargs):
        """Send with retries. ``retry``: 'all' (reads, token) or 'unsent' (writes)."""
        deadline = time.time() + self.timeout
        attempt = 0
        while True:
            headers = {"Authorization": "Bearer " + auth()} if auth else {}
            try:
                response = self.transport.send(method, path, headers=headers, **kwargs)
            except (errors.ConnectionFailedError, errors.RequestTimeoutError) as exc:
                sent = getattr(exc, "sent", True)
                if attempt < self.retries and (retry == "all" or not sent):
                    self._pause(attempt)
                    attempt += 1
                    continue
                if retry != "all" and sent:
                    raise errors.AmbiguousWriteError(
                        "%s It is unknown whether Segura applied the %s %s." % (exc.message, method, path),
                        exc, hint="Read the secret back before writing it again.")
                raise
            if response.status_code in RETRYABLE_STATUS:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                # 429 means the request was refused unprocessed: safe to repeat, even a write.
                may_retry = retry == "all" or response.status_code == 429
                within_budget = wait is None or time.time() + wait <= deadline
                if may_retry and attempt < self.retries and within_budget:
                    self._pause(attempt, wait)
                    attempt += 1
                    continue
                error = errors.GatewayError(
                    GATEWAY_MESSAGES[response.status_code]
                    + (" The server asked to wait %s seconds, beyond segura_timeout." % seconds(wait)
                       if not within_budget else ""),
                    status=response.status_code,
                    hint=CONNECTIVITY_HINT if within_budget else
                    "Raise segura_timeout, or send fewer requests at once (fewer forks, a lower max_parallel, throttle).")
                if not may_retry:
                    raise errors.AmbiguousWriteError(
                        "%s It is unknown whether Segura applied the %s %s." % (error.message, method, path),
                        error, status=response.status_code, hint="Read the secret back before writing it again.")
                raise error
            return response

    # -- authentication --------------------------------------------------------------------

    def _fetch_token(self):
        if not (self.client_id and self._client_secret):
            raise errors.ConfigurationError(
                "No credentials to obtain an access token.",
                hint="Set segura_client_id and segura_client_secret (or SEGURA_CLIENT_ID and "
                     "SEGURA_CLIENT_SECRET), or segura_token with a valid access token.")
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self._client_secret}
        if self.tenant:
            form["tenant"] = self.tenant
        self.stats["token"] += 1
        response = self._exchange("POST", self.token_path, "all", data=form)
        body = json_or_none(response)
        if response.status_code == 200 and isinstance(body, dict) and body.get("access_token"):
            try:
                lifetime = float(3600 if body.get("expires_in") in (None, "") else body["expires_in"])
            except (TypeError, ValueError):
                lifetime = 3600.0
            margin = min(TOKEN_REFRESH_MARGIN, lifetime / 10.0)
            try:
                token = valid_token(body["access_token"], "The access_token of the token endpoint's answer")
            except errors.ConfigurationError as exc:
                raise errors.UnexpectedResponseError(exc.message, status=200,
                                                     hint="Check that segura_token_path is the server's OAuth2 "
                                                          "token endpoint.")
            return token, time.time() + lifetime - margin
        token_url = self.transport.shown_url + self.token_path
        if response.status_code == 404:
            raise errors.AuthenticationError(
                "The token endpoint %s was not found (HTTP 404%s)." % (token_url, gateway_text(body)),
                status=404, hint="Check segura_url (the server's base URL) and segura_token_path.")
        if response.status_code in (400, 401, 403) and isinstance(body, dict):
            reason = body.get("error_description") or body.get("error") or body.get("message") or "refused"
            raise errors.AuthenticationError(
                "Segura refused the token request to %s for client id '%s' (HTTP %d: %s)."
                % (token_url, self.client_id, response.status_code, reason), status=response.status_code,
                hint="Check segura_client_id and segura_client_secret (MySafe > Integrations > Access keys)"
                     "%s." % (" and segura_tenant" if self.tenant or "tenant" in str(reason).lower() else ""))
        raise unexpected(response, body, token_url)

    def access_token(self):
        """(token, seconds it stays usable): the current token, fetched or taken from the cache if needed."""
        try:
            token = self._access_token()
        except errors.SeguraError as error:
            raise self._scrubbed(error)
        remaining = None if self._token_expires_at is None else max(0, int(self._token_expires_at - time.time()))
        return token, remaining

    def _access_token(self):
        with self._token_lock:
            if self._token and (self._token_expires_at is None or time.time() < self._token_expires_at):
                return self._token
            if self._cache is None:
                self._token, self._token_expires_at = self._fetch_token()
                self._remember(self._token)
                return self._token
            with self._cache.lock(self._cache_key):
                entry = self._cache.load(self._cache_key)
                if entry is None or time.time() >= entry[1]:
                    entry = self._fetch_token()
                    self._cache.store(self._cache_key, *entry)
                self._token, self._token_expires_at = entry
                self._remember(self._token)
                return self._token

    def _renew_after_401(self, rejected):
        """Forget a rejected token. False when there is no way to get another one."""
        with self._token_lock:
            if not (self.client_id and self._client_secret):
                return False
            if self._token == rejected:
                self._token = None
            if self._cache is not None:
                with self._cache.lock(self._cache_key):
                    self._cache.drop(self._cache_key, rejected)
            return True

    # -- API calls -------------------------------------------------------------------------

    def request(self, method, path, params=None, body=None):
        """Call the MySafe API; returns the decoded envelope of a successful answer.

        GETs are retried on transient failures; writes only when they surely did not arrive.
        A 401 renews the token once.
        """
        try:
            return self._request(method, path, params, body)
        except errors.SeguraError as error:
            raise self._scrubbed(error)

    def _request(self, method, path, params, body):
        retry = "all" if method == "GET" else "unsent"
        renewed = False
        while True:
            tokens_sent = []

            def bearer():
                tokens_sent.append(self._access_token())
                return tokens_sent[-1]

            self.stats["api"] += 1
            response = self._exchange(method, path, retry, auth=bearer, params=params, json=body)
            if response.status_code == 401 and not renewed and self._renew_after_401(tokens_sent[-1]):
                renewed = True
                continue
            return self._decode(method, path, response)

    def _decode(self, method, path, response):
        body = json_or_none(response)
        status = response.status_code
        if status == 401:
            source = "segura_token" if self._given_token and not self._client_secret else "the access token"
            raise errors.AuthenticationError(
                "Segura rejected %s for %s %s (HTTP 401%s)." % (source, method, path, gateway_text(body)),
                status=401, hint="The token is expired or revoked: obtain a new one, or set "
                                 "segura_client_id and segura_client_secret so the collection renews it.")
        if status == 404 and isinstance(body, dict) and "response" not in body:
            raise errors.AuthenticationError(
                "Segura's gateway found no route for %s %s (HTTP 404%s)." % (method, path, gateway_text(body)),
                status=404, hint="Check segura_url: it must be the server's base URL "
                                 "(e.g. https://segura.example.com), and the credentials are for that server.")
        if isinstance(body, dict) and isinstance(body.get("response"), dict):
            if body["response"].get("error") in (True, "true", 1) or status >= 400:
                raise vendor_error(body, status)
            if 200 <= status < 300:
                return body
        if status >= 500:
            raise errors.ServerError(
                "Segura answered HTTP %d to %s %s%s." % (status, method, path, gateway_text(body)),
                status=status, hint="This is a failure on the Segura server: try again later or contact "
                                    "the Segura administrators.")
        raise unexpected(response, body, self.transport.shown_url + path)
