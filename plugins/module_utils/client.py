# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of the collection: OAuth2 token, retries, TLS and error mapping.

Modules and the lookup build a :class:`SeguraClient` through ``options.client_from_options``
and call :meth:`SeguraClient.request`; nothing else in the collection talks HTTP.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import threading
import time
from urllib.parse import unquote, urlencode

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._token_cache import FileTokenCache
from ansible_collections.segura.pam.plugins.module_utils._version import user_agent as default_user_agent

DEFAULT_TOKEN_PATH = "/iso/oauth2/token"
DEFAULT_TIMEOUT = 30
# Renew a token this long before it expires (capped at a tenth of its lifetime).
TOKEN_REFRESH_MARGIN = 60
RETRYABLE_STATUS = (429, 502, 503, 504)
GATEWAY_MESSAGES = {
    429: "Segura's gateway is rate limiting requests (HTTP 429).",
    502: "Segura's gateway answered 502: an invalid response was received from the upstream server.",
    503: "Segura answered 503: the service is unavailable.",
    504: "Segura's gateway answered 504: the upstream server is timing out.",
}
CONNECTIVITY_HINT = "Check the connectivity between this host and the Segura server, then run the task again."
VENDOR_CODE = re.compile(r"^\s*(\d{4})\s*:\s*(.*)$", re.S)
# What an access token may hold to travel in an Authorization header (RFC 6750 b64token, generously).
TOKEN_TEXT = re.compile(r"^[\x21-\x7e]+$")

_urllib3 = None
# 1.26 is the oldest urllib3 whose pool and proxy API the client uses.
MINIMUM_URLLIB3 = (1, 26)
# Per thread: whether the bytes of the request under way started to leave (see _pool_classes).
_wire = threading.local()
_pools = None


def import_urllib3():
    """Import urllib3 on first use, so option errors need no third-party import at all."""
    global _urllib3
    if _urllib3 is None:
        try:
            import urllib3
        except ImportError:
            import sys
            raise errors.MissingDependencyError(
                "The Python library 'urllib3' is required by segura.pam but is not installed for %s." % sys.executable,
                hint="Install it on the host that runs the task ('pip install urllib3', or the distribution's "
                     "python3-urllib3 package), or run the task with delegate_to: localhost.")
        found = tuple(int(part) for part in re.findall(r"\d+", urllib3.__version__)[:2])
        if found < MINIMUM_URLLIB3:
            raise errors.MissingDependencyError(
                "The Python library 'urllib3' %s is too old for segura.pam, which needs %s or newer."
                % (urllib3.__version__, ".".join(map(str, MINIMUM_URLLIB3))),
                hint="Upgrade it on the host that runs the task (pip install 'urllib3>=1.26').")
        _urllib3 = urllib3
    return _urllib3


def _pool_classes():
    """urllib3 connection pools whose connections note when the request's first byte is written.

    Whether a failed write may be repeated depends on whether it reached the wire, which the
    exception class does not tell (urllib3 reports a connection dropped after the request as
    a ProxyError when it went through a proxy). Opening a proxy tunnel (CONNECT) is not the
    request: a failure there leaves the request unsent.
    """
    global _pools
    if _pools is None:
        import_urllib3()
        from urllib3 import connection, connectionpool

        class SendTracking(object):
            _opening_tunnel = False

            def _tunnel(self, *args, **kwargs):
                self._opening_tunnel = True
                try:
                    return super(SendTracking, self)._tunnel(*args, **kwargs)
                finally:
                    self._opening_tunnel = False

            def send(self, data):
                if self.sock is None and self.auto_open:
                    self.connect()  # as http.client would, but first: a refused connection sent nothing
                if not self._opening_tunnel:
                    _wire.sent = True
                return super(SendTracking, self).send(data)

        # named like urllib3's own, since messages quote the connection's class name
        class HTTPConnection(SendTracking, connection.HTTPConnection):
            pass

        class HTTPSConnection(SendTracking, connection.HTTPSConnection):
            pass

        class TrackedHTTPPool(connectionpool.HTTPConnectionPool):
            ConnectionCls = HTTPConnection

        class TrackedHTTPSPool(connectionpool.HTTPSConnectionPool):
            ConnectionCls = HTTPSConnection

        _pools = {"http": TrackedHTTPPool, "https": TrackedHTTPSPool}
    return _pools


def _environ(name, environ):
    """An environment variable by its lower- or upper-case name (lower case first, as curl reads them)."""
    return environ.get(name.lower()) or environ.get(name.upper()) or None


def environment_proxy(url, environ=None):
    """The proxy the environment names for ``url`` (HTTPS_PROXY / HTTP_PROXY, else ALL_PROXY), or
    None when there is none or NO_PROXY matches the host."""
    environ = os.environ if environ is None else environ
    scheme, _separator, rest = url.partition("://")
    proxy = _environ("%s_proxy" % scheme.lower(), environ) or _environ("all_proxy", environ)
    if not proxy or _no_proxy_matches(rest.split("/", 1)[0].rpartition("@")[2], _environ("no_proxy", environ)):
        return None
    return proxy


def _no_proxy_matches(netloc, no_proxy):
    """Whether ``netloc`` (host[:port]) is in NO_PROXY: ``*``, a host or domain (``example.com`` and
    ``.example.com`` both cover its subdomains), ``host:port``, an IP address or a CIDR network."""
    if not no_proxy:
        return False
    host, port = _host_and_port(netloc.lower())
    for entry in re.split(r"[\s,]+", no_proxy.strip().lower()):
        if entry == "*":
            return True
        if not entry:
            continue
        if "/" in entry:
            if _in_network(host, entry):
                return True
            continue
        domain, entry_port = _host_and_port(entry)
        domain = domain.lstrip(".")
        if entry_port and entry_port != port:
            continue
        if host == domain or host.endswith("." + domain):
            return True
    return False


def _host_and_port(netloc):
    """(host without a trailing dot, port or None) of ``host``, ``host:port``, ``[v6]`` or ``[v6]:port``."""
    host, port = netloc, None
    if netloc.startswith("["):
        host, _bracket, rest = netloc[1:].partition("]")
        port = rest[1:] or None
    elif netloc.count(":") == 1:
        host, port = netloc.split(":")
    return host.rstrip("."), port


def _in_network(host, network):
    import ipaddress
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def trust_settings(verify, environ=None):
    """The urllib3 pool settings for ``verify`` (True, False or a CA bundle path).

    True uses REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE when one is set and not empty, else the
    system trust store (OpenSSL's defaults, which SSL_CERT_FILE and SSL_CERT_DIR can change).
    """
    if verify is False:
        return {"cert_reqs": "CERT_NONE", "assert_hostname": False}
    if verify is True:
        environ = os.environ if environ is None else environ
        verify = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or None
    if not verify:
        return {"cert_reqs": "CERT_REQUIRED"}
    return {"cert_reqs": "CERT_REQUIRED", ("ca_cert_dir" if os.path.isdir(verify) else "ca_certs"): verify}


class Response(object):
    """What the client reads of an answer: its status, headers and whole body."""

    def __init__(self, raw):
        self.status_code = raw.status
        self.headers = raw.headers  # case-insensitive
        self.content = raw.data


def _split_userinfo(url):
    """(``scheme://``, user info, the rest) of a URL, read as text so that malformed URLs split too."""
    scheme, separator, rest = str(url or "").partition("://")
    if not separator or "@" not in rest:
        return None, None, str(url or "")
    info, _at, host = rest.rpartition("@")
    return scheme + separator, info, host


def url_credentials(url):
    """The user info of a URL (``user:password``) and its parts, raw and decoded: credentials to mask."""
    _scheme, info, _host = _split_userinfo(url)
    if not info:
        return set()
    user, _colon, password = info.partition(":")
    return {part for part in (info, user, password, unquote(user), unquote(password)) if part}


def without_userinfo(url):
    """``url`` fit for a message: whatever stands between ``scheme://`` and the last ``@`` is masked.

    Works on malformed URLs too (``http://u:p#x@host``), which is when they get echoed.
    """
    scheme, info, host = _split_userinfo(url)
    return host if info is None else "%s%s@%s" % (scheme, errors.MASK, host)


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
    if code == 1005:
        return errors.NotFoundError(shown + ".", code=code, status=status,
                                    hint="Check the identifier; list the secrets you can see with "
                                         "segura.pam.mysafe_api_secret_info.")
    if code == 1006:
        return errors.AccessDeniedError(
            shown + ".", code=code, status=status,
            hint="The API user of segura_client_id has no access, or only view access, to this secret: the "
                 "owner must share it with that user (users_allowed / groups_allowed, with can_edit: true "
                 "to change, disable or enable it).")
    if code == 1009:
        return errors.InactiveSecretError(shown + ".", code=code, status=status,
                                          hint="The secret is disabled: enable it with "
                                               "segura.pam.mysafe_api_secret state=present.")
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
                              hint="This error code is not documented for MySafe API secrets.")


class SeguraClient(object):
    """OAuth2 client-credentials client of one Segura server and one API user.

    Thread-safe: the lookup shares one client between its worker threads.
    """

    def __init__(self, url, client_id=None, client_secret=None, token=None, validate_certs=True,
                 ca_path=None, timeout=DEFAULT_TIMEOUT, token_path=DEFAULT_TOKEN_PATH, tenant=None,
                 proxy=None, token_cache=True, token_cache_dir=None, retries=3, backoff=0.3,
                 pool_size=10, warn=None, on_secret=None, user_agent=None):
        self.base_url = url.rstrip("/")
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
        self.proxy = proxy
        self.retries = retries
        self.backoff = backoff
        self.pool_size = pool_size
        self.user_agent = user_agent or default_user_agent()
        self._warn = warn
        can_fetch = bool(client_id and client_secret)
        self._cache = FileTokenCache(token_cache_dir, warn=warn) if (token_cache and can_fetch and not token) else None
        # The secret is part of the (keyed) hash so that a wrong or revoked one never gets a cached token.
        self._cache_key = (self._cache.key(self.base_url, self.token_path, tenant, client_id, client_secret)
                           if self._cache is not None else None)
        self._token = token
        self._token_expires_at = None
        self._token_lock = threading.Lock()
        self._pool = None
        self._pool_lock = threading.Lock()
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

    # -- transport -------------------------------------------------------------------------

    @property
    def pool(self):
        """The urllib3 pool manager of this client (a proxy manager when a proxy applies), made on first use."""
        if self._pool is None:
            with self._pool_lock:  # the lookup's threads may all start at once
                if self._pool is None:
                    self._pool = self._make_pool()
        return self._pool

    def _make_pool(self):
        """A pool manager with the trust, proxy and size settings of this client; warns of unsafe ones."""
        urllib3 = import_urllib3()
        settings = dict(trust_settings(self.verify), num_pools=2, maxsize=self.pool_size, block=False)
        proxy = self.proxy or environment_proxy(self.base_url)
        if proxy:
            proxy = proxy if "://" in proxy else "http://" + proxy
            _scheme, info, _host = _split_userinfo(proxy)
            if info:  # urllib3 does not take credentials from the proxy URL itself
                settings["proxy_headers"] = urllib3.util.make_headers(proxy_basic_auth=unquote(info))
            pool = urllib3.ProxyManager(proxy, **settings)
        else:
            pool = urllib3.PoolManager(**settings)
        pool.pool_classes_by_scheme = _pool_classes()
        if self.verify is False:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            if self._warn:
                self._warn("segura_validate_certs is false: the certificate of %s is not verified, so "
                           "anyone on the network path can read the secrets. Set segura_ca_path to the "
                           "server's CA instead." % self.base_url)
        if self.base_url.lower().startswith("http://") and self._warn:
            self._warn("segura_url %s is plain HTTP: the access key and the access tokens cross the network "
                       "unencrypted. Use the server's https:// URL." % self.base_url)
        return pool

    def close(self):
        if self._pool is not None:
            self._pool.clear()
            self._pool = None

    def _send(self, method, path, headers=None, params=None, json=None, data=None):
        """One HTTP exchange: a JSON (``json``) or form (``data``) body, ``params`` as the query.
        Raises typed errors; ``sent`` tells whether the request reached the wire."""
        pool = self.pool
        exceptions = _urllib3.exceptions
        url = self.base_url + path
        query = {name: value for name, value in (params or {}).items() if value is not None}
        sent_headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        sent_headers.update(headers or {})
        body = None
        if json is not None:
            body = _json_text(json).encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urlencode(data)
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        _wire.sent = False
        try:
            return Response(pool.request(method, url + ("?" + urlencode(query, doseq=True) if query else ""),
                                         body=body, headers=sent_headers, timeout=self.timeout, retries=False,
                                         redirect=False, preload_content=True))
        except (exceptions.HTTPError, OSError, ValueError) as exc:
            failure = exc
        # Raised outside the except block, so no chained exception (whose text may quote the
        # request's headers) travels with the typed error.
        raise self._transport_error(exceptions, failure, method, url, getattr(_wire, "sent", True))

    def _transport_error(self, kinds, exc, method, url, sent):
        """The typed error for a failed exchange (``kinds``: urllib3's exceptions); ``error.sent``
        is what reached the wire."""
        through = " through the proxy" if isinstance(exc, kinds.ProxyError) else ""
        if isinstance(exc, kinds.SSLError) or isinstance(getattr(exc, "original_error", None), kinds.SSLError):
            error = errors.TLSError(
                "TLS verification of %s%s failed (%s)." % (self.base_url, through, _reason(exc)),
                hint="If the server uses a private CA, set segura_ca_path to that CA's PEM bundle. "
                     "segura_validate_certs: false turns verification off (not recommended).")
        # urllib3 derives NewConnectionError (refused, unresolved) from ConnectTimeoutError
        elif isinstance(exc, kinds.ConnectTimeoutError) and not isinstance(exc, kinds.NewConnectionError) \
                and not sent:
            error = errors.ConnectionFailedError(
                "Connecting to %s timed out after %s seconds." % (self.base_url, _num(self.timeout)),
                hint=CONNECTIVITY_HINT)
        elif isinstance(exc, kinds.ReadTimeoutError):
            error = errors.RequestTimeoutError(
                "%s %s got no answer within segura_timeout (%s seconds)." % (method, url, _num(self.timeout)),
                hint="The server or its gateway is slow: raise segura_timeout or try again later.")
        elif isinstance(exc, kinds.DecodeError) or (
                isinstance(exc, kinds.ProtocolError) and str(exc.args[0] if exc.args else "").startswith("Connection broken")):
            error = errors.ConnectionFailedError(
                "The connection to %s was dropped in the middle of the answer (%s)." % (self.base_url, _reason(exc)),
                hint=CONNECTIVITY_HINT)
        elif isinstance(exc, kinds.ProxySchemeUnknown):
            error = errors.ConfigurationError(
                "The proxy URL is not valid (%s)." % _reason(exc),
                hint="Set segura_proxy (or HTTPS_PROXY) to http://host:port or https://host:port.")
        elif isinstance(exc, kinds.LocationValueError):
            error = errors.ConfigurationError(
                "segura_url %s is not a valid URL (%s)." % (self.base_url, _reason(exc)),
                hint="Use the server's base URL, e.g. https://segura.example.com.")
        elif isinstance(exc, (kinds.ProtocolError, kinds.NewConnectionError, kinds.ProxyError, OSError)):
            error = errors.ConnectionFailedError(
                ("The connection to %s%s was dropped (%s)." if sent else "Could not connect to %s%s (%s).")
                % (self.base_url, through, _reason(exc)),
                hint=CONNECTIVITY_HINT if sent else "Check segura_url%s and that the server is reachable from "
                                                    "this host." % (", segura_proxy / HTTPS_PROXY and NO_PROXY"
                                                                    if through else ""))
        else:
            # only the class: the text of such errors (an invalid header value, ...) may quote request headers
            error = errors.TransportError(
                "The HTTP library could not send %s %s (%s)." % (method, url, type(exc).__name__),
                hint="Check the connection options (segura_url, segura_proxy, segura_token).")
        error.sent = sent
        return error

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
                response = self._send(method, path, headers=headers, **kwargs)
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
                    + (" The server asked to wait %s seconds, beyond segura_timeout." % _num(wait)
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
        body = _json_or_none(response)
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
        token_url = self.base_url + self.token_path
        if response.status_code == 404:
            raise errors.AuthenticationError(
                "The token endpoint %s was not found (HTTP 404%s)." % (token_url, _gateway_text(body)),
                status=404, hint="Check segura_url (the server's base URL) and segura_token_path.")
        if response.status_code in (400, 401, 403) and isinstance(body, dict):
            reason = body.get("error_description") or body.get("error") or body.get("message") or "refused"
            raise errors.AuthenticationError(
                "Segura refused the token request to %s for client id '%s' (HTTP %d: %s)."
                % (token_url, self.client_id, response.status_code, reason), status=response.status_code,
                hint="Check segura_client_id and segura_client_secret (MySafe > Integrations > Access keys)"
                     "%s." % (" and segura_tenant" if self.tenant or "tenant" in str(reason).lower() else ""))
        raise _unexpected(response, body, token_url)

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
        body = _json_or_none(response)
        status = response.status_code
        if status == 401:
            source = "segura_token" if self._given_token and not self._client_secret else "the access token"
            raise errors.AuthenticationError(
                "Segura rejected %s for %s %s (HTTP 401%s)." % (source, method, path, _gateway_text(body)),
                status=401, hint="The token is expired or revoked: obtain a new one, or set "
                                 "segura_client_id and segura_client_secret so the collection renews it.")
        if status == 404 and isinstance(body, dict) and "response" not in body:
            raise errors.AuthenticationError(
                "Segura's gateway found no route for %s %s (HTTP 404%s)." % (method, path, _gateway_text(body)),
                status=404, hint="Check segura_url: it must be the server's base URL "
                                 "(e.g. https://segura.example.com), and the credentials are for that server.")
        if isinstance(body, dict) and isinstance(body.get("response"), dict):
            if body["response"].get("error") in (True, "true", 1) or status >= 400:
                raise vendor_error(body, status)
            if 200 <= status < 300:
                return body
        if status >= 500:
            raise errors.ServerError(
                "Segura answered HTTP %d to %s %s%s." % (status, method, path, _gateway_text(body)),
                status=status, hint="This is a failure on the Segura server: try again later or contact "
                                    "the Segura administrators.")
        raise _unexpected(response, body, self.base_url + path)


def _json_text(value):
    return json.dumps(value, allow_nan=False)


def _json_or_none(response):
    try:
        return json.loads(response.content.decode("utf-8")) if response.content else None
    except ValueError:
        return None


def _gateway_text(body):
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return ": %s" % body["message"]
    return ""


def _unexpected(response, body, url):
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    if body is None:
        what = "a body that is not JSON (%s, %d bytes)" % (kind, len(response.content or b""))
    else:
        what = "JSON that is not a MySafe answer"
    return errors.UnexpectedResponseError(
        "%s answered HTTP %d with %s." % (url, response.status_code, what), status=response.status_code,
        hint="Check that segura_url points to the Segura server itself, not to a login page, proxy or "
             "another service.")


def _reason(exc):
    """The innermost readable cause of a transport exception (urllib3 wraps it a level or two deep)."""
    inner = exc
    for _depth in range(4):
        causes = [getattr(inner, "reason", None), getattr(inner, "original_error", None)] + list(reversed(inner.args))
        cause = next((cause for cause in causes if isinstance(cause, Exception)), None)
        if cause is None or cause is inner:
            break
        inner = cause
    return str(inner)[:300]


def _num(value):
    return ("%g" % value) if value is not None else "?"
