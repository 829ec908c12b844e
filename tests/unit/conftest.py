"""Unit-test support: the ``ansible_collections.segura.pam`` import path and a fake HTTP layer.

Import path: the repo root is the collection root, so a link
``<tmp>/ansible_collections/segura/pam -> repo`` is made once (outside the repo, so nothing
that walks the work tree loops through it) and its root goes on ``sys.path``.

Fake HTTP: :class:`FakeHTTP` replaces urllib3's ``PoolManager`` and ``ProxyManager``, i.e. it
sits BELOW ``SeguraClient``: the client's own code chooses the pool settings (trust, proxy,
pool size), builds each request (URL, query, headers, JSON or form body, timeouts), sends,
retries, decodes and maps errors. The fake only answers: from a script (``reply`` / ``fail``),
or from ``handler`` (e.g. :class:`FakeMySafeServer`), and records every request as a
:class:`SentRequest`.

Fixtures:
- ``fake_http``: the FakeHTTP every pool manager the client makes during the test is. Token
  requests are answered automatically ("token-1", "token-2", ...) unless
  ``fake_http.issue_tokens = False``; then they take the script like any request.
- ``make_client(**overrides)``: a SeguraClient on ``fake_http`` (tiny backoff, no file cache).
- ``mysafe_server``: an in-memory MySafe behind ``fake_http`` (state, quirks, failures).
- ``clock``: a controllable ``time`` for the client module (``now``, ``advance``, ``sleeps``).

Builders and constants (``envelope``, ``error_envelope``, ``make_response``, ``BASE_URL``,
``CLIENT_ID``, ``CLIENT_SECRET``) import as ``from segura_fakes import ...``.
"""

import collections
import hashlib
import http.client
import json as jsonlib
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import urllib3
from urllib3._collections import HTTPHeaderDict  # where urllib3 1.26 and 2 both have it

REPO_ROOT = Path(__file__).resolve().parents[2]


def _make_collection_importable():
    """Link the repo as ansible_collections/segura/pam under a per-user, per-checkout tmp dir."""
    tag = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / ("segura-pam-unit-%d-%s" % (os.getuid(), tag))
    link = root / "ansible_collections" / "segura" / "pam"
    if not (link.is_symlink() and os.readlink(link) == str(REPO_ROOT)):
        link.parent.mkdir(parents=True, exist_ok=True)
        staged = link.with_name("pam.%d.tmp" % os.getpid())
        staged.symlink_to(REPO_ROOT, target_is_directory=True)
        os.replace(staged, link)  # atomic: parallel sessions (xdist workers) agree on one link
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))


_make_collection_importable()


def _client_module():
    """Imported on first use, not at conftest import: pytest-ansible (when pytest starts in the
    repo root) installs Ansible's collection finder after the first conftests load, and a
    package imported before it would then be half-known to that finder."""
    from ansible_collections.segura.pam.plugins.module_utils import client

    return client


BASE_URL = "https://segura.example.com"
CLIENT_ID = "app-client-id"
# Distinctive so that tests can prove it never leaks into messages, results or files.
CLIENT_SECRET = "client-secret-MUST-NOT-LEAK-7f3a"
TOKEN_PATHS = ("/iso/oauth2/token", "/api/oauth2/token")


class SentRequest(object):
    """What the client handed to the pool manager for one request, and the manager's settings.

    ``params`` (the query), ``json`` and ``data`` (a JSON or form body) are decoded back;
    ``verify`` is the CA bundle, True (verified) or False, ``proxies`` the proxy as
    ``{"http": url, "https": url}`` or None, ``timeout`` the connect and read timeout in seconds.
    """

    def __init__(self, method, url, headers, body, settings, timeout, redirect):
        self.method = method
        self.url = url
        self.headers = headers
        query = urlsplit(url).query
        self.params = dict(parse_qsl(query)) if query else None
        content_type = headers.get("Content-Type", "")
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        self.json = jsonlib.loads(text) if body is not None and content_type == "application/json" else None
        self.data = dict(parse_qsl(text)) if body is not None and content_type.endswith("form-urlencoded") else None
        trust = settings.get("ca_certs") or settings.get("ca_cert_dir")
        self.verify = trust or settings.get("cert_reqs") == "CERT_REQUIRED"
        proxy = settings.get("proxy_url")
        self.proxies = {"http": proxy, "https": proxy} if proxy else None
        self.settings = settings
        self.timeout = timeout
        self.allow_redirects = redirect

    @property
    def path(self):
        return urlsplit(self.url).path

    @property
    def is_token(self):
        return self.path in TOKEN_PATHS or self.path.endswith("/oauth2/token")

    @property
    def bearer(self):
        value = self.headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else None

    def __repr__(self):
        return "<%s %s>" % (self.method, self.url)


def make_response(status=200, json=None, body=None, headers=None, url=BASE_URL):
    """A real urllib3 response: ``json`` is serialised; ``body`` (str/bytes) is sent as is."""
    merged = HTTPHeaderDict()
    if json is not None:
        content = jsonlib.dumps(json).encode("utf-8")
        merged["Content-Type"] = "application/json"
    else:
        content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    merged.update(headers or {})
    return urllib3.HTTPResponse(body=content, headers=merged, status=status,
                                reason=http.client.responses.get(status, ""), preload_content=True,
                                request_url=url)


def envelope(status=200, message="Success", error=False, code=True, message_key="mensagem", **extra):
    """A MySafe answer frame (``code=False`` leaves out the top-level code, as some answers do)."""
    body = {"code": status} if code else {}
    flag = 1 if error else 0
    body["response"] = {"status": status, "message": message, "error": error, "error_code": flag,
                        "detail": "", message_key: message, "erro": error, "cod_erro": flag}
    body.update(extra)
    return body


def error_envelope(code, text, status=400, exception=True):
    """The documented MySafe error: HTTP 400, "NNNN: text", with the exception block."""
    message = "%d: %s" % (code, text) if code else text
    body = envelope(status, message, error=True)
    if exception:
        body["exception"] = {"code": code, "message": message, "detail": None}
    return body


class FakeHTTP(object):
    """Stands in for urllib3's pool managers: answers from a script or a handler, records requests."""

    def __init__(self):
        #: the settings of the last pool manager the client made (ca_certs, cert_reqs, maxsize, proxy_url, ...)
        self.settings = {}
        self.pool_classes_by_scheme = None
        self.requests = []
        self.script = collections.deque()
        self.handler = None
        self.issue_tokens = True
        self.token_lifetime = 3600
        self.token_value = lambda number: "token-%d" % number
        self.tokens_issued = 0
        self.closed = False

    # -- the urllib3 surface the client uses --------------------------------------------------

    def manager(self, proxy_url=None, **settings):
        """What ``urllib3.PoolManager(**settings)`` / ``urllib3.ProxyManager(proxy_url, **settings)`` return."""
        self.settings = dict(settings, proxy_url=proxy_url)
        self.closed = False
        return self

    def clear(self):
        self.closed = True

    def request(self, method, url, body=None, headers=None, timeout=None, retries=None, redirect=True,
                preload_content=True, **unexpected):
        assert not unexpected, "the client passed arguments the fake does not know: %s" % sorted(unexpected)
        assert retries is False and preload_content, "the client must retry by itself and read whole answers"
        sent = SentRequest(method, url, HTTPHeaderDict(headers or {}), body, self.settings, timeout,
                           redirect)
        self.requests.append(sent)
        if sent.is_token and self.issue_tokens:
            self.tokens_issued += 1
            return make_response(200, {"access_token": self.token_value(self.tokens_issued),
                                       "token_type": "Bearer", "expires_in": self.token_lifetime})
        if self.script:
            step = self.script.popleft()
        elif self.handler is not None:
            step = self.handler(sent)
        else:
            raise AssertionError("unexpected request %s %s: nothing scripted" % (method, url))
        # what the client's send-tracking connections would have recorded
        _client_module()._wire.sent = getattr(step, "reached_wire", True)
        if isinstance(step, BaseException):
            raise step
        return step

    # -- scripting --------------------------------------------------------------------------

    def reply(self, status=200, json=None, body=None, headers=None, times=1):
        """Queue an answer (``json`` object or raw ``body``); returns self for chaining."""
        for _unused in range(times):
            self.script.append(make_response(status, json, body, headers))
        return self

    def fail(self, exc, times=1, reached_wire=True):
        """Queue an exception raised by the transport instead of an answer.

        ``reached_wire``: whether the request's bytes had started to leave when it was raised.
        """
        exc.reached_wire = reached_wire
        for _unused in range(times):
            self.script.append(exc)
        return self

    def refuse_connection(self, times=1):
        """TCP connect refused: the request surely never left."""
        conn = urllib3.connection.HTTPSConnection("segura.example.com")
        return self.fail(urllib3.exceptions.NewConnectionError(
            conn, "Failed to establish a new connection: [Errno 111] Connection refused"), times, reached_wire=False)

    def drop_connection(self, times=1):
        """The server closed the connection after the request was sent."""
        return self.fail(urllib3.exceptions.ProtocolError(
            "Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection without response")),
            times)

    def connect_timeout(self, times=1):
        conn = urllib3.connection.HTTPSConnection("segura.example.com")
        return self.fail(urllib3.exceptions.ConnectTimeoutError(
            conn, "Connection to segura.example.com timed out. (connect timeout=5)"), times, reached_wire=False)

    def read_timeout(self, times=1):
        return self.fail(urllib3.exceptions.ReadTimeoutError(None, BASE_URL + "/", "Read timed out. (read timeout=5)"),
                         times)

    def tls_failure(self, times=1):
        return self.fail(urllib3.exceptions.SSLError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate"),
            times, reached_wire=False)

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
    monkeypatch.setattr(urllib3, "PoolManager", fake.manager)
    monkeypatch.setattr(urllib3, "ProxyManager", fake.manager)
    return fake


@pytest.fixture
def make_client(fake_http):
    """``make_client(**overrides)``: a SeguraClient whose pool manager is ``fake_http``."""

    def build(**overrides):
        settings = dict(url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_cache=False,
                        backoff=0.001, retries=3, timeout=5)
        settings.update(overrides)
        client = _client_module().SeguraClient(**settings)
        assert client.pool is fake_http  # made by the client's own code
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


class FakeMySafeServer(object):
    """An in-memory MySafe API (one user, every secret editable) answering like the vendor.

    Quirks kept: identifiers sent as strings, read answers ``api_secret_entity`` with users
    named ``name`` and the twin key ``Message``, create/update answer ``api_entity`` with
    ``shared_error``, activation answers have no top-level ``code``, reading an inactive
    secret is 1009. ``fail_next(endpoint, status, after_write)`` injects a gateway failure.
    """

    FIELDS = ("name", "url", "client_id", "client_secret", "identifier_code", "method", "tags", "notes")
    PREFIX = "/api/mysafe/secretapi"

    def __init__(self):
        self.secrets = {}
        self.next_id = 1
        self.writes = []
        self.failures = []

    def add(self, active=True, **fields):
        """Store a secret directly (no request); returns its identifier."""
        record = dict((f, "") for f in self.FIELDS)
        record.update(users_allowed=[], groups_allowed=[], active=active)
        record.update(fields)
        if isinstance(record["tags"], list):
            record["tags"] = ",".join(record["tags"])
        record["identifier"] = self.next_id
        self.secrets[self.next_id] = record
        self.next_id += 1
        return record["identifier"]

    def fail_next(self, endpoint, status=502, after_write=False):
        self.failures.append((endpoint, status, after_write))

    def _entity(self, record, user_key):
        entity = dict((f, record[f]) for f in self.FIELDS)
        entity["identifier"] = str(record["identifier"])
        entity["users_allowed"] = [{user_key: u["username"], "can_edit": u["can_edit"]}
                                   for u in record["users_allowed"]]
        entity["groups_allowed"] = [dict(g) for g in record["groups_allowed"]]
        return entity

    def _apply(self, record, body):
        for field in self.FIELDS:
            if field in body:
                record[field] = str(body[field])
        for field in ("users_allowed", "groups_allowed"):
            if field in body:
                record[field] = [dict(item, can_edit=bool(item.get("can_edit"))) for item in body[field]]

    def _route(self, sent):
        rest = sent.path[len(self.PREFIX):].strip("/").split("/") if sent.path.startswith(self.PREFIX) else None
        if rest == [""]:
            return {"GET": "list", "POST": "create"}.get(sent.method, "other"), None
        if rest and len(rest) == 1 and sent.method == "GET":
            return "read", rest[0]
        writes = (("PUT", "update"), ("POST", "inactive"), ("POST", "active"))
        if rest and len(rest) == 2 and (sent.method, rest[0]) in writes:
            return rest[0], rest[1]
        return "other", None

    def _lookup(self, identifier, active_only):
        if not identifier.isdigit():
            return None, make_response(400, error_envelope(1010, "Unexpected identifier type"))
        record = self.secrets.get(int(identifier))
        if record is None:
            return None, make_response(400, error_envelope(1005, "Api secret not found"))
        if active_only and not record["active"]:
            return None, make_response(400, error_envelope(1009, "Inactive Api secret"))
        return record, None

    def handle(self, sent):
        endpoint, identifier = self._route(sent)
        failure = next((f for f in self.failures if f[0] == endpoint), None)
        if failure is not None:
            self.failures.remove(failure)
        if failure is not None and not failure[2]:
            return self._gateway_page(failure[1])
        answer = self._answer(endpoint, identifier, sent)
        return self._gateway_page(failure[1]) if failure is not None else answer

    @staticmethod
    def _gateway_page(status):
        return make_response(status, body="<html><body><h1>%d</h1></body></html>" % status,
                             headers={"Content-Type": "text/html"})

    def _answer(self, endpoint, identifier, sent):
        if endpoint == "other":
            return make_response(404, {"message": "No route matched with those values."})
        if endpoint == "list":
            params = sent.params or {}
            rows = [{"identifier": str(r["identifier"]), "name": r["name"], "need_justify": "0",
                     "need_approval": "0", "can_view": True, "can_write": True}
                    for r in self.secrets.values()
                    if (not params.get("identifier_code") or r["identifier_code"] == params["identifier_code"])
                    and (not params.get("tag") or params["tag"] in r["tags"].split(","))]
            return make_response(200, envelope(api_secret_on_list=rows))
        if endpoint == "create":
            self.writes.append(("create", None, sent.json))
            for field in ("name", "url", "client_id"):
                if not sent.json.get(field):
                    return make_response(400, error_envelope(1001, "Parameter '%s' was not informed!" % field))
            identifier = self.add()
            self._apply(self.secrets[identifier], sent.json)
            entity = dict(self._entity(self.secrets[identifier], "username"), shared_error=[])
            return make_response(201, envelope(201, "Api secret successfully registered", api_entity=entity))
        record, refusal = self._lookup(identifier, active_only=endpoint in ("read", "update"))
        if refusal is not None:
            return refusal
        if endpoint == "read":
            return make_response(200, envelope(message_key="Message",
                                               api_secret_entity=self._entity(record, "name")))
        self.writes.append((endpoint, record["identifier"], sent.json))
        if endpoint == "update":
            self._apply(record, sent.json)
            entity = dict(self._entity(record, "username"), shared_error=[])
            return make_response(201, envelope(201, "Api secret successfully registered", api_entity=entity))
        active = endpoint == "active"
        if record["active"] == active:
            message = "Api secret has already been %s" % ("activated" if active else "deactivated")
        else:
            record["active"] = active
            message = "Api secret successfully %s" % ("activated" if active else "deactivated")
        return make_response(200, envelope(message=message, code=False))


@pytest.fixture
def mysafe_server(fake_http):
    server = FakeMySafeServer()
    fake_http.handler = server.handle
    return server


# Test modules cannot import a conftest reliably (pytest drops "conftest" from sys.modules
# between directories), so the builders above are published under their own module name:
# ``from segura_fakes import envelope, error_envelope, make_response, CLIENT_SECRET``.
sys.modules["segura_fakes"] = sys.modules[__name__]
