"""Unit-test support: a fake network under requests, and the simulator's MySafe in-process.

Import path: pytest-ansible puts the collection on the import path when pytest starts in the
repo root (the collection root, with galaxy.yml); pytest.ini's ``pythonpath`` adds tests/unit
(``segura_fakes``) and tests/ (``simulator``).

Fake HTTP: :class:`FakeHTTP` replaces ``requests.Session.send``, i.e. it sits BELOW
``SeguraClient`` and below requests' own request building: the client makes its session
(adapter, pool size, User-Agent, trust, proxy) and each request, requests prepares it
(query, JSON or form body, headers, no ~/.netrc) and resolves the environment (HTTPS_PROXY,
NO_PROXY, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE). The fake asks the client's adapter for the
connection pool it would use (its trust and proxy settings, which must be the send-tracking
pools), records every request as a :class:`SentRequest` and answers: from a script
(``reply`` / ``fail``), or from ``handler`` (e.g. ``mysafe_server``).

Fixtures:
- ``fake_http``: the FakeHTTP every session sends through during the test. Token requests are
  answered automatically ("token-1", "token-2", ...) unless ``fake_http.issue_tokens = False``;
  then they take the script like any request.
- ``make_client(**overrides)``: a SeguraClient on ``fake_http`` (tiny backoff, no file cache).
- ``mysafe_server``: the simulator's MySafe (tests/simulator/segura_sim.py) answering behind
  ``fake_http``, in-process, for every kind (state, quirks, failures, the writes and list queries
  it received): the unit tests' one fake of the API.
- ``clock``: a controllable ``time`` for the client module (``now``, ``advance``, ``sleeps``).

Builders and constants import as ``from segura_fakes import ...``.
"""

import collections
import http.client
import json as jsonlib
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, make_response
from simulator import segura_sim

TOKEN_PATHS = ("/iso/oauth2/token", "/api/oauth2/token")


def _client_module():
    """Imported on first use, not at conftest import: pytest-ansible installs Ansible's collection
    finder after the first conftests load, and a package imported before it would then be
    half-known to that finder."""
    from ansible_collections.segura.pam.plugins.module_utils import client

    return client


def _transport_module():
    from ansible_collections.segura.pam.plugins.module_utils import _transport

    return _transport


def pool_settings(pool):
    """The settings of the urllib3 pool requests picked: trust, size, proxy and its headers."""
    settings = {"maxsize": pool.pool.maxsize}
    for name in ("cert_reqs", "ca_certs", "ca_cert_dir"):
        if getattr(pool, name, None) is not None:
            settings[name] = getattr(pool, name)
    if pool.proxy is not None:
        settings["proxy_url"] = pool.proxy.url
        if pool.proxy_headers:
            settings["proxy_headers"] = CaseInsensitiveDict(pool.proxy_headers)
    return settings


class SentRequest(object):
    """One request as requests would put it on the wire, with what ``Session.send`` was given.

    ``params`` (the query), ``json`` and ``data`` (a JSON or form body) are decoded back;
    ``verify`` is the CA bundle, True (verified) or False, ``proxies`` the proxy of the pool
    as ``{"http": url, "https": url}`` or None, ``timeout`` the connect and read timeout in seconds.
    """

    def __init__(self, prepared, sent_with, settings):
        self.method = prepared.method
        self.url = prepared.url
        self.headers = prepared.headers
        self.body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else (prepared.body or b"")
        query = urlsplit(self.url).query
        self.params = dict(parse_qsl(query)) if query else None
        content_type = self.headers.get("Content-Type", "")
        text = self.body.decode("utf-8")
        self.json = jsonlib.loads(text) if prepared.body is not None and content_type == "application/json" else None
        self.data = dict(parse_qsl(text)) if prepared.body is not None and content_type.endswith("form-urlencoded") \
            else None
        self.verify = sent_with.get("verify")
        proxy = settings.get("proxy_url")
        self.proxies = {"http": proxy, "https": proxy} if proxy else None
        self.timeout = sent_with.get("timeout")
        self.allow_redirects = sent_with.get("allow_redirects", True)

    @property
    def path(self):
        return urlsplit(self.url).path

    @property
    def target(self):
        """Path and query, as the request line carries them."""
        parts = urlsplit(self.url)
        return parts.path + ("?" + parts.query if parts.query else "")

    @property
    def is_token(self):
        return self.path in TOKEN_PATHS or self.path.endswith("/oauth2/token")

    @property
    def bearer(self):
        value = self.headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else None

    def __repr__(self):
        return "<%s %s>" % (self.method, self.url)


def _connection_error(reason):
    """What requests raises when urllib3 gives up connecting (its MaxRetryError around ``reason``)."""
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, BASE_URL + "/", reason))


def dropped_connection():
    """What requests raises when the server closes the connection after the request was sent."""
    return requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection without response")))


class FakeHTTP(object):
    """Stands in for the network under requests: answers from a script or a handler, records requests."""

    def __init__(self):
        #: the settings of the pool the last request would have used (cert_reqs, ca_certs, maxsize, proxy_url, ...)
        self.settings = {}
        self.requests = []
        self.script = collections.deque()
        self.handler = None
        self.issue_tokens = True
        self.token_lifetime = 3600
        self.token_value = lambda number: "token-%d" % number
        self.tokens_issued = 0
        #: the sessions closed during the test, in order
        self.closed = []

    # -- the requests surface the client uses -----------------------------------------------

    def send(self, session, prepared, **sent_with):
        """``requests.Session.send``: ``sent_with`` holds stream, verify, proxies, cert, timeout and
        allow_redirects as the client and requests resolved them."""
        adapter = session.get_adapter(prepared.url)
        # the adapter's own choice of pool: public since requests 2.32.2, private in 2.32.0 and 2.32.1
        connection_for = getattr(adapter, "get_connection_with_tls_context", None) or adapter._get_connection
        pool = connection_for(prepared, sent_with.get("verify", True), proxies=sent_with.get("proxies"),
                              cert=sent_with.get("cert"))
        assert type(pool).__name__ in ("TrackedHTTPPool", "TrackedHTTPSPool"), \
            "requests would send through a pool that does not track what reached the wire: %r" % pool
        self.settings = pool_settings(pool)
        sent = SentRequest(prepared, sent_with, self.settings)
        self.requests.append(sent)
        if sent.is_token and self.issue_tokens:
            self.tokens_issued += 1
            return make_response(200, {"access_token": self.token_value(self.tokens_issued),
                                       "token_type": "Bearer", "expires_in": self.token_lifetime}, url=sent.url)
        if self.script:
            step = self.script.popleft()
        elif self.handler is not None:
            step = self.handler(sent)
        else:
            raise AssertionError("unexpected request %s %s: nothing scripted" % (sent.method, sent.url))
        # what the client's send-tracking connections would have recorded
        _transport_module()._wire.sent = getattr(step, "reached_wire", True)
        if isinstance(step, BaseException):
            raise step
        step.request, step.url = prepared, prepared.url
        return step

    # -- scripting --------------------------------------------------------------------------

    def reply(self, status=200, json=None, body=None, headers=None, times=1):
        """Queue an answer (``json`` object or raw ``body``); returns self for chaining."""
        for _unused in range(times):
            self.script.append(make_response(status, json, body, headers))
        return self

    def fail(self, exc, times=1, reached_wire=True):
        """Queue an exception raised by requests instead of an answer.

        ``reached_wire``: whether the request's bytes had started to leave when it was raised.
        """
        exc.reached_wire = reached_wire
        for _unused in range(times):
            self.script.append(exc)
        return self

    def refuse_connection(self, times=1):
        """TCP connect refused: the request surely never left."""
        conn = urllib3.connection.HTTPSConnection("segura.example.com")
        return self.fail(_connection_error(urllib3.exceptions.NewConnectionError(
            conn, "Failed to establish a new connection: [Errno 111] Connection refused")), times, reached_wire=False)

    def drop_connection(self, times=1):
        """The server closed the connection after the request was sent."""
        return self.fail(dropped_connection(), times)

    def connect_timeout(self, times=1):
        conn = urllib3.connection.HTTPSConnection("segura.example.com")
        reason = urllib3.exceptions.ConnectTimeoutError(
            conn, "Connection to segura.example.com timed out. (connect timeout=5)")
        return self.fail(requests.exceptions.ConnectTimeout(
            urllib3.exceptions.MaxRetryError(None, BASE_URL + "/", reason)), times, reached_wire=False)

    def read_timeout(self, times=1):
        return self.fail(requests.exceptions.ReadTimeout(urllib3.exceptions.ReadTimeoutError(
            None, BASE_URL + "/", "Read timed out. (read timeout=5)")), times)

    def tls_failure(self, times=1):
        reason = urllib3.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                             "unable to get local issuer certificate")
        return self.fail(requests.exceptions.SSLError(
            urllib3.exceptions.MaxRetryError(None, BASE_URL + "/", reason)), times, reached_wire=False)

    # -- reading the record -----------------------------------------------------------------

    @property
    def token_requests(self):
        return [r for r in self.requests if r.is_token]

    @property
    def api_requests(self):
        return [r for r in self.requests if not r.is_token]


# What the environment may add to a connection (proxies, CA bundles): unset for every unit test,
# so that each one sees only what it sets itself, on any machine.
CONNECTION_ENVIRONMENT = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(autouse=True)
def no_connection_environment(monkeypatch):
    for name in CONNECTION_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def fake_http(monkeypatch):
    fake = FakeHTTP()
    close = requests.Session.close

    # functions, not fake's bound methods: as methods of Session they receive the session
    def sending(session, prepared, **sent_with):
        return fake.send(session, prepared, **sent_with)

    def closing(session):
        fake.closed.append(session)
        close(session)

    monkeypatch.setattr(requests.Session, "send", sending)
    monkeypatch.setattr(requests.Session, "close", closing)
    return fake


@pytest.fixture
def make_client(fake_http):
    """``make_client(**overrides)``: a SeguraClient whose session sends through ``fake_http``."""

    def build(**overrides):
        settings = dict(url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_cache=False,
                        backoff=0.001, retries=3, timeout=5)
        settings.update(overrides)
        client = _client_module().SeguraClient(**settings)
        # made by the client's own code, with the send-tracking adapter
        assert isinstance(client.transport.session.get_adapter(BASE_URL), _transport_module().tracking_adapter())
        return client

    return build


class FakeClock(object):
    """Replaces the client module's ``time``: sleeping advances ``now`` and is recorded."""

    def __init__(self):
        self.now = time.time()
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_client_module(), "time", fake)
    return fake


# One write the in-process server received: its endpoint ("create", "update", "inactive", "active"),
# the identifier in the path (an int, or None for a create) and the JSON body.
Write = collections.namedtuple("Write", "endpoint identifier body")


class InProcessMySafe(object):
    """The simulator's MySafe answering ``fake_http``'s requests in-process, through the same
    function as its HTTP server (``segura_sim.respond``), for every kind of item.

    ``add(kind, active, **fields)`` stores an item of a kind ("secrets", "passwords", "notes")
    without a request; the API user of CLIENT_ID owns every item it adds, except that an
    identifier_code that user already has goes to an item of a colleague shared with it
    (can_edit), as the server refuses a code twice per owner. ``stored(kind)`` is what the server
    holds, ``writes`` every write it received as a :class:`Write` (``writes_of[kind]``: those of
    one kind), ``list_queries[kind]`` the query of every list request of a kind, in order.
    ``fail_next(endpoint, status, after_write)`` injects a gateway failure before (or after) the
    server applies the request.
    """

    USER = "unit"
    COLLEAGUES = tuple("colleague-%d" % number for number in range(1, 10))
    # what the server requires to create an item of each kind, so that a test names only the fields it is about
    PLACEHOLDERS = {"secrets": {"name": "secret", "url": "https://app.example.com", "client_id": "app-id"},
                    "passwords": {"name": "password", "username": "svc", "password": "placeholder-pw"},
                    "notes": {"name": "note", "note": "placeholder note"}}

    def __init__(self):
        known = segura_sim.Directory.load(segura_sim.DEFAULT_USERS)  # the users and groups items are shared with
        users = [{"username": self.USER, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}]
        users += [{"username": name, "client_id": name, "client_secret": name} for name in self.COLLEAGUES]
        directory = segura_sim.Directory(users + list(known.users.values()), known.groups)
        self.sim = segura_sim.Simulator(directory, segura_sim.Safe(directory))
        self.writes = []
        self.writes_of = {plural: [] for plural in segura_sim.KINDS_BY_PLURAL}
        self.list_queries = {plural: [] for plural in segura_sim.KINDS_BY_PLURAL}

    def stored(self, kind):
        """{identifier: stored record} of one kind ("secrets", "passwords", "notes")."""
        return self.sim.safe.vaults[kind].items

    @property
    def secrets(self):
        """``stored("secrets")``, the kind most tests are about."""
        return self.stored("secrets")

    def add(self, kind="secrets", active=True, **fields):
        """Store an item of ``kind`` directly (no request); returns its identifier. ``tags`` may be a list."""
        fields = dict(self.PLACEHOLDERS[kind], **fields)
        if isinstance(fields.get("tags"), list):
            fields["tags"] = ",".join(fields["tags"])
        for owner in (self.USER,) + self.COLLEAGUES:
            shared = {} if owner == self.USER else {
                "users_allowed": fields.get("users_allowed", []) + [{"username": self.USER, "can_edit": True}]}
            status, answer = self.sim.seed(segura_sim.KINDS_BY_PLURAL[kind],
                                           dict(fields, owner=owner, active=active, **shared))
            if status == 200 or segura_sim.MSG_DUPLICATE_CODE not in answer["error"]:
                break
        assert status == 200, answer
        return answer["identifier"]

    def fail_next(self, endpoint, status=502, after_write=False):
        self.sim.faults.add(segura_sim.FaultRule(kind=str(status), endpoint=endpoint, after_write=after_write))

    def handle(self, sent):
        """``fake_http``'s handler: the simulator's answer as requests returns it, or a dropped connection."""
        answer = segura_sim.respond(self.sim, sent.method, sent.target, sent.headers, sent.body)
        kind, endpoint, identifier = segura_sim.route(sent.method, sent.path)
        if endpoint == "list":
            self.list_queries[kind.plural].append(sent.params or {})
        if endpoint in segura_sim.WRITE_ENDPOINTS and (answer.fault is None or answer.fault.after_write):
            write = Write(endpoint, int(identifier) if (identifier or "").isdigit() else identifier, sent.json)
            self.writes.append(write)
            self.writes_of[kind.plural].append(write)
        if answer.status is None:
            return dropped_connection()
        return make_response(answer.status, body=answer.body,
                             headers=dict(answer.headers, **{"Content-Type": answer.content_type}))


@pytest.fixture
def mysafe_server(fake_http):
    server = InProcessMySafe()
    # tokens come from the simulator, which accepts only the tokens it issued
    fake_http.token_value = lambda _number: server.sim.tokens.issue(server.USER)
    fake_http.handler = server.handle
    return server
