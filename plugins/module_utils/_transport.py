# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP under :class:`SeguraClient`: one ``requests`` session per client, connection pools
that record whether a request reached the wire, and the typed error of every failed exchange.

Proxies, ``NO_PROXY`` and CA bundles come from the environment as requests resolves them
(``trust_env``); the client's own options (``segura_proxy``, ``segura_ca_path``,
``segura_validate_certs``) win over the environment, as explicit arguments do in requests.
"""

from __future__ import annotations

import re
import threading
import warnings
from urllib.parse import unquote, urlsplit

from ansible_collections.segura.pam.plugins.module_utils import errors

CONNECTIVITY_HINT = "Check the connectivity between this host and the Segura server, then run the task again."
# 2.32 fixed CVE-2024-35195 (a pooled connection made with verify=False reused for verified
# requests); older versions also turned an empty CURL_CA_BUNDLE into no verification (2.25-2.27).
MINIMUM_REQUESTS = (2, 32)

_requests = None
_adapter_class = None
# Per thread: whether the bytes of the request under way started to leave (see tracking_adapter).
_wire = threading.local()


def import_requests():
    """Import requests on first use, so option errors need no third-party import at all."""
    global _requests
    if _requests is None:
        try:
            import requests
        except ImportError:
            import sys
            raise errors.MissingDependencyError(
                "The Python library 'requests' is required by segura.pam but is not installed for %s." % sys.executable,
                hint="Install it on the host that runs the task ('pip install requests', or the distribution's "
                     "python3-requests package), or run the task with delegate_to: localhost.")
        found = tuple(int(part) for part in re.findall(r"\d+", requests.__version__)[:2])
        if found < MINIMUM_REQUESTS:
            raise errors.MissingDependencyError(
                "The Python library 'requests' %s is too old for segura.pam, which needs %s or newer."
                % (requests.__version__, ".".join(map(str, MINIMUM_REQUESTS))),
                hint="Upgrade it on the host that runs the task (pip install 'requests>=2.32'): older versions "
                     "can turn certificate verification off through the environment.")
        _requests = requests
    return _requests


def tracking_adapter():
    """A requests adapter whose connections note when the request's first byte is written.

    Whether a failed write may be repeated depends on whether it reached the wire, which the
    exception class does not tell (a connection dropped after the request is reported as a
    ProxyError when it went through a proxy). Opening a proxy tunnel (CONNECT) is not the
    request: a failure there leaves the request unsent.
    """
    global _adapter_class
    if _adapter_class is None:
        requests = import_requests()
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

        pools = {"http": TrackedHTTPPool, "https": TrackedHTTPSPool}

        class TrackingAdapter(requests.adapters.HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                super(TrackingAdapter, self).init_poolmanager(*args, **kwargs)
                self.poolmanager.pool_classes_by_scheme = pools

            def proxy_manager_for(self, proxy, **proxy_kwargs):
                manager = super(TrackingAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
                manager.pool_classes_by_scheme = pools
                return manager

        _adapter_class = TrackingAdapter
    return _adapter_class


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


def check_proxy(proxy, source):
    """A ConfigurationError (user info masked) when requests cannot use ``proxy``, which ``source``
    names; it would otherwise fail later with the proxy URL in its message, or not at all."""
    if re.search(r"[\s\x00-\x1f\x7f]", proxy):
        problem = "it holds spaces, line breaks or control characters"
    else:
        parts = urlsplit(proxy)
        try:
            port_ok = parts.port is None or 0 < parts.port
        except ValueError:
            port_ok = False
        if parts.scheme.lower() not in ("http", "https"):
            problem = "only http:// and https:// proxies are supported, not %s://" % parts.scheme
        elif parts.query or parts.fragment or parts.path not in ("", "/") or not parts.hostname:
            problem = ("it is not scheme://[user:password@]host:port (a '#', '?', '/' or '@' in the user "
                       "name or password must be percent-encoded: %23, %3F, %2F, %40)")
        elif not port_ok:
            problem = "its port is not a number from 1 to 65535"
        elif not all(_latin1(unquote(part or "")) for part in (parts.username, parts.password)):
            problem = "its user name or password holds characters a Proxy-Authorization header cannot carry"
        else:
            return
    raise errors.ConfigurationError(
        "The proxy %s of %s cannot be used: %s." % (without_userinfo(proxy), source, problem),
        hint="Give it as http://[user:password@]host:port (or https:// for a proxy that speaks TLS).")


def quiet_unverified_requests_to(host):
    """Ignore urllib3's InsecureRequestWarning about ``host`` only (the server, or the proxy whose
    tunnel carries its connections). ``urllib3.disable_warnings`` would silence it for every other
    library of the process too, and ``warnings.catch_warnings`` around a request is not thread-safe."""
    from urllib3.exceptions import InsecureRequestWarning

    warnings.filterwarnings("ignore", message=r"Unverified HTTPS request is being made to host '%s'" % re.escape(host),
                            category=InsecureRequestWarning)


def _latin1(text):
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _no_netrc(request):
    """Session-wide auth that changes nothing: its presence stops requests from reading ~/.netrc."""
    return request


class Transport(object):
    """The HTTP exchanges of one client with one server; thread-safe (the lookup's threads share it)."""

    def __init__(self, base_url, verify, proxy, timeout, pool_size, user_agent, warn, remember):
        self.base_url = base_url
        #: base_url as messages show it: its user info (a gateway's credentials) masked
        self.shown_url = without_userinfo(base_url)
        self.verify = verify
        self.proxy = proxy
        self.timeout = timeout
        self.pool_size = pool_size
        self.user_agent = user_agent
        self._warn = warn
        #: called with each credential found in the proxy URL, to mask it
        self._remember = remember
        self._session = None
        #: what requests resolves from the environment for each request (proxies, CA bundle)
        self._settings = None
        self._lock = threading.Lock()

    @property
    def session(self):
        """The requests session of this client, made on first use."""
        if self._session is None:
            with self._lock:  # the lookup's threads may all start at once
                if self._session is None:
                    self._session = self._make_session()
        return self._session

    def _make_session(self):
        """A session with the tracking adapter and this client's trust and proxy; warns of unsafe ones."""
        requests = import_requests()
        session = requests.Session()
        session.auth = _no_netrc
        adapter = tracking_adapter()(pool_connections=1, pool_maxsize=self.pool_size)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["User-Agent"] = self.user_agent
        session.headers["Accept"] = "application/json"
        # Every request goes to base_url's host, so what requests would read from the environment
        # on each one (HTTPS_PROXY / NO_PROXY, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE) is read once.
        self._settings = session.merge_environment_settings(
            self.base_url, {"http": self.proxy, "https": self.proxy} if self.proxy else {}, False, self.verify, None)
        proxy = requests.utils.select_proxy(self.base_url, self._settings["proxies"])
        if proxy:
            proxy = proxy if "://" in proxy else "http://" + proxy  # as the adapter takes it
            for credential in url_credentials(proxy):
                self._remember(credential)
            check_proxy(proxy, "segura_proxy" if self.proxy else "the environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY)")
        if self.verify is False:
            # urllib3 would warn on every request; the client says it once, below
            for host in {urlsplit(self.base_url).hostname, proxy and urlsplit(proxy).hostname} - {None}:
                quiet_unverified_requests_to(host)
            if self._warn:
                self._warn("segura_validate_certs is false: the certificate of %s is not verified, so "
                           "anyone on the network path can read the secrets. Set segura_ca_path to the "
                           "server's CA instead." % self.shown_url)
        if self.base_url.lower().startswith("http://") and self._warn:
            self._warn("segura_url %s is plain HTTP: the access key and the access tokens cross the network "
                       "unencrypted. Use the server's https:// URL." % self.shown_url)
        return session

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None

    def send(self, method, path, headers=None, params=None, json=None, data=None):
        """One HTTP exchange: a JSON (``json``) or form (``data``) body, ``params`` as the query.

        Returns the requests response, whole; raises typed errors whose ``sent`` tells whether the
        request reached the wire.
        """
        session = self.session
        requests = _requests
        url = self.base_url + path
        _wire.sent = False
        try:
            prepared = session.prepare_request(
                requests.Request(method, url, headers=headers, params=params, json=json, data=data))
            return session.send(prepared, timeout=self.timeout, allow_redirects=False, **self._settings)
        except (requests.exceptions.RequestException, ValueError, OSError) as exc:
            failure = exc
        # Raised outside the except block, so no chained exception (whose text may quote the
        # request's headers) travels with the typed error.
        raise self.error(failure, method, path, getattr(_wire, "sent", True))

    def error(self, exc, method, path, sent):
        """The typed error for a failed exchange; ``error.sent`` is what reached the wire.

        Called for exchanges of this transport's session only, so its settings are resolved."""
        import urllib3.exceptions as low

        kinds = _requests.exceptions
        chain = _causes(exc)
        url, shown_url = self.base_url + path, self.shown_url + path

        def among(*classes):
            return any(isinstance(cause, classes) for cause in chain)

        through = " through the proxy" if among(kinds.ProxyError, low.ProxyError) else ""
        if among(kinds.SSLError, low.SSLError):
            error = errors.TLSError(
                "TLS verification of %s%s failed (%s)." % (self.shown_url, through, _reason(chain)),
                hint="If the server uses a private CA, set segura_ca_path to that CA's PEM bundle. "
                     "segura_validate_certs: false turns verification off (not recommended).")
        elif among(kinds.ConnectTimeout) and not sent:
            error = errors.ConnectionFailedError(
                "Connecting to %s timed out after %s seconds." % (self.shown_url, seconds(self.timeout)),
                hint=CONNECTIVITY_HINT)
        elif among(kinds.ReadTimeout, low.ReadTimeoutError):
            error = errors.RequestTimeoutError(
                "%s %s got no answer within segura_timeout (%s seconds)." % (method, shown_url, seconds(self.timeout)),
                hint="The server or its gateway is slow: raise segura_timeout or try again later.")
        elif among(kinds.ChunkedEncodingError, kinds.ContentDecodingError, low.DecodeError) or any(
                isinstance(cause, low.ProtocolError) and str(cause.args[0] if cause.args else "").startswith(
                    "Connection broken") for cause in chain):
            error = errors.ConnectionFailedError(
                "The connection to %s was dropped in the middle of the answer (%s)." % (self.shown_url, _reason(chain)),
                hint=CONNECTIVITY_HINT)
        elif among(low.ProxySchemeUnknown, kinds.InvalidProxyURL) or (
                among(kinds.InvalidSchema) and _requests.utils.select_proxy(url, self._settings["proxies"])):
            error = errors.ConfigurationError(
                "The proxy URL is not valid (%s)." % _reason(chain),
                hint="Set segura_proxy (or HTTPS_PROXY) to http://host:port or https://host:port.")
        elif among(kinds.InvalidURL, kinds.MissingSchema, kinds.InvalidSchema, low.LocationValueError):
            error = errors.ConfigurationError(
                "segura_url %s is not a valid URL (%s)." % (self.shown_url, _reason(chain)),
                hint="Use the server's base URL, e.g. https://segura.example.com.")
        elif among(kinds.ConnectionError):
            error = errors.ConnectionFailedError(
                ("The connection to %s%s was dropped (%s)." if sent else "Could not connect to %s%s (%s).")
                % (self.shown_url, through, _reason(chain)),
                hint=CONNECTIVITY_HINT if sent else "Check segura_url%s and that the server is reachable from "
                                                    "this host." % (", segura_proxy / HTTPS_PROXY and NO_PROXY"
                                                                    if through else ""))
        elif isinstance(exc, OSError) and not isinstance(exc, kinds.RequestException):
            # requests checks the CA bundle's path before it connects
            error = errors.ConfigurationError(
                "The certificates to verify %s with cannot be used (%s)." % (self.shown_url, _reason(chain)),
                hint="Point segura_ca_path (or REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE) to a readable PEM file.")
        else:
            # only the class: the text of such errors (an invalid header value, ...) may quote request headers
            error = errors.TransportError(
                "The HTTP library could not send %s %s (%s)." % (method, shown_url, type(exc).__name__),
                hint="Check the connection options (segura_url, segura_proxy, segura_token).")
        error.sent = sent
        return error


def _causes(exc):
    """``exc`` and what it wraps, outermost first (requests wraps urllib3's exception, which wraps
    the operating system's)."""
    chain = [exc]
    while len(chain) < 6:
        inner = chain[-1]
        candidates = [getattr(inner, "reason", None), getattr(inner, "original_error", None)] + list(reversed(inner.args))
        # ssl errors carry a string ``reason``: only exceptions are followed
        cause = next((cause for cause in candidates if isinstance(cause, BaseException)), None)
        if cause is None or cause in chain:
            break
        chain.append(cause)
    return chain


def _reason(chain):
    """The innermost readable cause of a failure."""
    return str(chain[-1])[:300]


def seconds(value):
    return ("%g" % value) if value is not None else "?"
