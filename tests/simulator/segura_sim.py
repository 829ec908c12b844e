"""Segura MySafe API simulator: a real HTTP(S) server built from the vendor docs.

Used by integration tests, benchmarks and demos so the collection can be exercised
end to end without a Segura appliance. Standard library only, so it starts fast.
Runnable (``python segura_sim.py --help``) and importable (``create_server``).
See README.md next to this file for the API quirks and the ``/_sim/`` control interface.
"""

import argparse
import base64
import collections
import copy
import hmac
import ipaddress
import json
import os
import random
import secrets as secrets_mod
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_USERS = Path(__file__).resolve().with_name("users.json")

GATEWAY_NO_ROUTE = {"message": "No route matched with those values."}
TOKEN_PATHS = ("/iso/oauth2/token", "/api/oauth2/token")
LIST_PATH = "/api/mysafe/secretapi"
WRITE_ENDPOINTS = ("create", "update", "inactive", "active")
ENDPOINTS = ("token", "list", "read") + WRITE_ENDPOINTS + ("other",)
# In the order the vendor's examples print them.
STRING_FIELDS = ("name", "url", "client_secret", "client_id", "identifier_code",
                 "method", "tags", "notes")
REQUIRED_FIELDS = ("name", "url", "client_id")

MSG_SUCCESS = "Success"
MSG_REGISTERED = "Api secret successfully registered"
MSG_UPDATED_LEGACY = "Api secret updated successfully"
MSG_NO_ACCESS = "User does not have access"
MSG_NO_EDIT = "User does not have permission to edit this Api secret"
MSG_DUPLICATE_CODE = "Identifier already found in another API key of this user"
MSG_INVALID_BODY = "Invalid request body"
MSG_UNEXPECTED = "Unexpected error."
# (message when the state changes, message when it already had that state)
ACTIVATION_MESSAGES = {
    True: ("Api secret successfully activated", "Api secret has already been activated"),
    False: ("Api secret successfully deactivated", "Api secret has already been deactivated"),
}
GATEWAY_FAULTS = {
    "502": ("Bad Gateway", "An invalid response was received from the upstream server"),
    "504": ("Gateway Timeout", "The upstream server is timing out"),
}
FAULT_KINDS = ("502", "504", "500", "429", "drop", "stall")
FAULT_ENDPOINTS = ("any", "api") + ENDPOINTS
REQUEST_LOG_SIZE = 100


class ApiError(Exception):
    """A MySafe business error, answered as HTTP 400 with the error envelope."""

    def __init__(self, code, text):
        super().__init__(f"{code}: {text}")
        self.code = code
        self.message = f"{code}: {text}"


# --------------------------------------------------------------------------- envelopes

def envelope(status, message, *, error=False, with_code=True, message_key="mensagem"):
    """The MySafe answer frame; read answers spell the twin ``Message`` (docs quirk)."""
    flag = 1 if error else 0
    body = {"code": status} if with_code else {}
    body["response"] = {
        "status": status, "message": message, "error": error, "error_code": flag,
        "detail": "", message_key: message, "erro": error, "cod_erro": flag,
    }
    return body


def error_envelope(exc):
    body = envelope(400, exc.message, error=True)
    body["exception"] = {"code": exc.code, "message": exc.message, "detail": None}
    return body


def is_loopback(address):
    """True for loopback client addresses (IPv4, IPv6, IPv4-mapped IPv6): control is local-only."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except (ValueError, AttributeError):
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def as_bool(value):
    """``can_edit`` as a strict boolean: anything but an explicit true is view-only."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value == 1)


def as_text(value):
    """Coerce a scalar field the way a lenient PHP backend would; reject structures."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    raise ApiError(1001, MSG_INVALID_BODY)


def write_atomic(path, text):
    """Write via temp file + rename so readers never see a partial file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- directory

class Directory:
    """Users and groups known to the server (from users.json)."""

    def __init__(self, users, groups):
        self.users = {u["username"]: u for u in users}
        self.by_client_id = {u["client_id"]: u for u in users}
        self.groups = set(groups) | {g for u in users for g in u.get("groups", ())}

    @classmethod
    def load(cls, path):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data.get("users", []), data.get("groups", []))

    def authenticate(self, client_id, client_secret):
        user = self.by_client_id.get(client_id or "")
        if user and hmac.compare_digest(str(user["client_secret"]), client_secret or ""):
            return user["username"]
        return None

    def groups_of(self, username):
        return set(self.users.get(username, {}).get("groups", ()))


# --------------------------------------------------------------------------- vault

class Vault:
    """Stored API secrets with MySafe's permission rules; optionally persisted to a file."""

    def __init__(self, directory, state_file=None):
        self.directory = directory
        self.state_file = Path(state_file) if state_file else None
        self.lock = threading.RLock()
        self.secrets = {}
        self.next_id = 1
        if self.state_file and self.state_file.exists():
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            self.secrets = {int(s["identifier"]): s for s in data.get("secrets", [])}
            self.next_id = max([data.get("next_id", 1), *(i + 1 for i in self.secrets)])

    # ---- persistence / control
    def save(self):
        if self.state_file:
            write_atomic(self.state_file, json.dumps(
                {"next_id": self.next_id, "secrets": self.dump()}, indent=1))

    def dump(self):
        with self.lock:
            return [copy.deepcopy(self.secrets[i]) for i in sorted(self.secrets)]

    def clear(self):
        with self.lock:
            self.secrets.clear()
            self.next_id = 1
            self.save()

    # ---- permissions
    def _grants(self, secret, username):
        """Yield the can_edit flag of every share entry that applies to the user."""
        groups = self.directory.groups_of(username)
        for share in secret["users_allowed"]:
            if share["username"] == username:
                yield share["can_edit"]
        for share in secret["groups_allowed"]:
            if share["name"] in groups:
                yield share["can_edit"]

    def can_view(self, secret, username):
        return secret["owner"] == username or any(True for _grant in self._grants(secret, username))

    def can_edit(self, secret, username):
        return secret["owner"] == username or any(self._grants(secret, username))

    def _lookup(self, username, identifier, *, edit, active_only):
        """Resolve an identifier applying the documented check order (1010, 1005, 1006, 1009)."""
        if not identifier.isdigit() or not identifier.isascii():
            raise ApiError(1010, "Unexpected identifier type")
        secret = self.secrets.get(int(identifier))
        if secret is None:
            raise ApiError(1005, "Api secret not found")
        if not self.can_view(secret, username):
            raise ApiError(1006, MSG_NO_ACCESS)
        if edit and not self.can_edit(secret, username):
            raise ApiError(1006, MSG_NO_EDIT)
        if active_only and not secret["active"]:
            raise ApiError(1009, "Inactive Api secret")
        return secret

    # ---- validation helpers
    def _shares(self, value, *, item_key, label, known):
        """Normalise a share list; unknown names are dropped and reported (shared_error)."""
        if value is None:
            return [], []
        if not isinstance(value, list):
            raise ApiError(1001, MSG_INVALID_BODY)
        shares, errors = {}, []
        for item in value:
            name = item.get(item_key) if isinstance(item, dict) else None
            if not isinstance(name, str) or name not in known:
                errors.append(f"{label} '{item if name is None else name}' not found")
                continue
            shares[name] = as_bool(item.get("can_edit"))
        return [{item_key: n, "can_edit": e} for n, e in shares.items()], errors

    def _apply(self, secret, body, *, owner, exclude_id=None):
        """Validate ``body`` and copy its present fields into ``secret``; return shared_error."""
        fields = {f: as_text(body[f]) for f in STRING_FIELDS if f in body}
        for name in REQUIRED_FIELDS:
            if name in fields and not fields[name]:
                raise ApiError(1001, f"Parameter '{name}' was not informed!")
        code = fields.get("identifier_code")
        if code and any(s["owner"] == owner and s["identifier_code"] == code
                        and s["identifier"] != exclude_id for s in self.secrets.values()):
            raise ApiError(1001, MSG_DUPLICATE_CODE)
        errors = []
        if "users_allowed" in body:
            secret["users_allowed"], errs = self._shares(
                body["users_allowed"], item_key="username", label="User",
                known=self.directory.users)
            errors += errs
        if "groups_allowed" in body:
            secret["groups_allowed"], errs = self._shares(
                body["groups_allowed"], item_key="name", label="Group",
                known=self.directory.groups)
            errors += errs
        secret.update(fields)
        return errors

    @staticmethod
    def _require_object(body):
        if not isinstance(body, dict):
            raise ApiError(1001, MSG_INVALID_BODY)

    @staticmethod
    def public(secret, user_key):
        """A secret as answered: identifier as a string; a share user is ``user_key``."""
        return {"identifier": str(secret["identifier"]),
                **{f: secret[f] for f in STRING_FIELDS},
                "users_allowed": [{user_key: s["username"], "can_edit": s["can_edit"]}
                                  for s in secret["users_allowed"]],
                "groups_allowed": [dict(s) for s in secret["groups_allowed"]]}

    # ---- operations
    def list_visible(self, username, tag=None, identifier_code=None):
        wanted = tag.strip().casefold() if tag else None
        with self.lock:
            rows = []
            for ident in sorted(self.secrets):
                secret = self.secrets[ident]
                if not self.can_view(secret, username):
                    continue
                if identifier_code and secret["identifier_code"] != identifier_code:
                    continue
                if wanted and wanted not in {t.strip().casefold()
                                             for t in secret["tags"].split(",")}:
                    continue
                rows.append({"identifier": str(ident), "name": secret["name"],
                             "need_justify": "0", "need_approval": "0", "can_view": True,
                             "can_write": self.can_edit(secret, username)})
            return rows

    def read(self, username, identifier):
        with self.lock:
            secret = self._lookup(username, identifier, edit=False, active_only=True)
            return self.public(secret, "name")  # the read page names share users "name"

    def create(self, username, body):
        self._require_object(body)
        with self.lock:
            for name in REQUIRED_FIELDS:
                if not as_text(body.get(name)):
                    raise ApiError(1001, f"Parameter '{name}' was not informed!")
            secret = {"identifier": self.next_id, **{f: "" for f in STRING_FIELDS},
                      "users_allowed": [], "groups_allowed": [], "owner": username,
                      "active": True}
            errors = self._apply(secret, body, owner=username)
            self.secrets[self.next_id] = secret
            self.next_id += 1
            self.save()
            return {**self.public(secret, "username"), "shared_error": errors}

    def update(self, username, identifier, body):
        with self.lock:
            current = self._lookup(username, identifier, edit=True, active_only=True)
            self._require_object(body)
            secret = copy.deepcopy(current)  # validate on a copy: all or nothing
            errors = self._apply(secret, body, owner=current["owner"],
                                 exclude_id=current["identifier"])
            self.secrets[current["identifier"]] = secret
            self.save()
            return {**self.public(secret, "username"), "shared_error": errors}

    def set_active(self, username, identifier, active):
        """Return True when the state changed, False when it already was ``active``."""
        with self.lock:
            secret = self._lookup(username, identifier, edit=True, active_only=False)
            if secret["active"] == active:
                return False
            secret["active"] = active
            self.save()
            return True


# --------------------------------------------------------------------------- runtime state

class Tokens:
    """Issued bearer tokens with a server-side expiry."""

    def __init__(self, expires_in):
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.tokens = {}

    def issue(self, username):
        token = secrets_mod.token_hex(20)
        with self.lock:
            self.tokens[token] = (username, time.monotonic() + self.expires_in)
        return token

    def user_for(self, token):
        with self.lock:
            entry = self.tokens.get(token)
            if entry and entry[1] > time.monotonic():
                return entry[0]
            self.tokens.pop(token, None)
            return None

    def expire_all(self):
        with self.lock:
            self.tokens.clear()


class Counters:
    """Per-endpoint request counts; every API request counts once on arrival."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.hits = dict.fromkeys(ENDPOINTS, 0)
            self.faults_injected = 0

    def hit(self, endpoint):
        with self.lock:
            self.hits[endpoint] += 1

    def fault(self):
        with self.lock:
            self.faults_injected += 1

    def snapshot(self):
        with self.lock:
            return {"total": sum(self.hits.values()), "token": self.hits["token"],
                    "writes": sum(self.hits[e] for e in WRITE_ENDPOINTS),
                    "faults_injected": self.faults_injected, "endpoints": dict(self.hits)}


class RequestLog:
    """The last API requests (method, path, User-Agent), oldest first: what clients identify as."""

    def __init__(self, size=REQUEST_LOG_SIZE):
        self.lock = threading.Lock()
        self.entries = collections.deque(maxlen=size)

    def add(self, method, path, user_agent):
        with self.lock:
            self.entries.append({"method": method, "path": path, "user_agent": user_agent})

    def clear(self):
        with self.lock:
            self.entries.clear()

    def snapshot(self):
        with self.lock:
            return list(self.entries)


@dataclass
class FaultRule:
    """One queued fault: hits the next ``count`` matching requests, or a ``rate`` share."""

    kind: str
    count: int = 1
    endpoint: str = "any"
    method: str = None
    format: str = "html"
    stall_seconds: float = 60.0
    retry_after: str = None
    rate: float = None
    after_write: bool = False
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, body):
        """Build a rule from the control request; ValueError explains what is wrong."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(body) - {"kind", "count", "endpoint", "method", "format", "stall_seconds",
                               "retry_after", "rate", "seed", "after_write"}
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        kind = str(body.get("kind"))
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        rule = cls(kind=kind, rng=random.Random(body.get("seed")))
        rule.endpoint = body.get("endpoint", "any")
        if rule.endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"endpoint must be one of {FAULT_ENDPOINTS}")
        if body.get("method") is not None:
            rule.method = str(body["method"]).upper()
        rule.format = body.get("format", "html")
        if rule.format not in ("html", "json"):
            raise ValueError("format must be html or json")
        rule.count = body.get("count", 1)
        if isinstance(rule.count, bool) or not isinstance(rule.count, int) or rule.count < 1:
            raise ValueError("count must be an integer >= 1")
        if body.get("rate") is not None:
            rule.rate = float(body["rate"])
            if not 0.0 <= rule.rate <= 1.0:
                raise ValueError("rate must be within 0..1")
        rule.stall_seconds = float(body.get("stall_seconds", 60.0))
        if body.get("retry_after") is not None:
            rule.retry_after = str(body["retry_after"])
        rule.after_write = as_bool(body.get("after_write", False))
        return rule

    def matches(self, endpoint, method):
        if self.method and self.method != method:
            return False
        return (self.endpoint in ("any", endpoint)
                or (self.endpoint == "api" and endpoint != "token"))

    def describe(self):
        return {k: v for k, v in self.__dict__.items() if k != "rng"}


class Faults:
    """Queue of fault rules, consumed in the order they were added."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def add(self, rule):
        with self.lock:
            self.rules.append(rule)

    def clear(self):
        with self.lock:
            self.rules.clear()

    def describe(self):
        with self.lock:
            return [r.describe() for r in self.rules]

    def take(self, endpoint, method):
        """Return the rule that faults this request (consuming one count), or None."""
        with self.lock:
            for rule in self.rules:
                if not rule.matches(endpoint, method):
                    continue
                if rule.rate is not None:
                    if rule.rng.random() < rule.rate:
                        return rule
                    continue
                rule.count -= 1
                if rule.count <= 0:
                    self.rules.remove(rule)
                return rule
            return None


class Simulator:
    """Everything a request handler needs: users, secrets, tokens, counters, faults."""

    def __init__(self, directory, vault, *, expires_in=3600, tenant=None,
                 legacy_update=False, verbose=False):
        self.directory = directory
        self.vault = vault
        self.tokens = Tokens(expires_in)
        self.counters = Counters()
        self.requests = RequestLog()
        self.faults = Faults()
        self.latency_ms = 0.0
        self.tenant = tenant
        self.legacy_update = legacy_update
        self.verbose = verbose
        self.stopping = threading.Event()

    # ---- token endpoint
    def token(self, form, authorization):
        """OAuth2 client-credentials grant; returns (status, body)."""
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            return 400, {"error": "unsupported_grant_type",
                         "error_description": f"Grant type '{grant}' is not supported"}
        if self.tenant is not None:
            if not form.get("tenant"):
                return 400, {"error": "invalid_request",
                             "error_description": "Parameter 'tenant' is required for this server"}
            if form["tenant"] != self.tenant:
                return 401, invalid_client()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
                client_id, _colon, client_secret = decoded.partition(":")
            except ValueError:
                return 401, invalid_client()
        username = self.directory.authenticate(client_id, client_secret)
        if username is None:
            return 401, invalid_client()
        return 200, {"access_token": self.tokens.issue(username), "token_type": "Bearer",
                     "expires_in": self.tokens.expires_in}

    # ---- MySafe endpoints
    def mysafe(self, endpoint, username, identifier, query, body):
        """Run one MySafe call for an authenticated user; returns (status, body)."""
        vault = self.vault
        if endpoint == "list":
            first = {k: v[0] for k, v in query.items()}
            rows = vault.list_visible(username, first.get("tag"), first.get("identifier_code"))
            return 200, {**envelope(200, MSG_SUCCESS), "api_secret_on_list": rows}
        if endpoint == "read":
            entity = vault.read(username, identifier)
            return 200, {**envelope(200, MSG_SUCCESS, message_key="Message"),
                         "api_secret_entity": entity}
        if endpoint == "create":
            entity = vault.create(username, parse_json(body))
            return 201, {**envelope(201, MSG_REGISTERED), "api_entity": entity}
        if endpoint == "update":
            entity = vault.update(username, identifier, parse_json(body))
            status, message = (200, MSG_UPDATED_LEGACY) if self.legacy_update \
                else (201, MSG_REGISTERED)
            return status, {**envelope(status, message), "api_entity": entity}
        active = endpoint == "active"
        changed = vault.set_active(username, identifier, active)
        message = ACTIVATION_MESSAGES[active][0 if changed else 1]
        return 200, envelope(200, message, with_code=False)

    # ---- control interface
    def control(self, method, path, body):
        """Serve ``/_sim/...``; returns (status, body)."""
        data = parse_json(body) if body.strip() else {}
        if not isinstance(data, dict):
            return 400, {"error": "body must be a JSON object"}
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_sim/health"):
            return 200, {"ok": True}
        if route == ("GET", "/_sim/counters"):
            return 200, self.counters.snapshot()
        if route == ("GET", "/_sim/requests"):
            return 200, {"requests": self.requests.snapshot()}
        if route == ("GET", "/_sim/secrets"):
            return 200, {"secrets": self.vault.dump(), "next_id": self.vault.next_id}
        if route == ("POST", "/_sim/reset"):
            self.counters.reset()
            self.requests.clear()
            self.faults.clear()
            self.latency_ms = 0.0
            wipe = as_bool(data.get("data", False))
            if wipe:
                self.vault.clear()
            return 200, {"reset": True, "data": wipe}
        if route == ("POST", "/_sim/faults"):
            try:
                self.faults.add(FaultRule.from_json(data))
            except (TypeError, ValueError) as exc:
                return 400, {"error": str(exc)}
            return 200, {"queued": True}
        if route == ("GET", "/_sim/faults"):
            return 200, {"faults": self.faults.describe()}
        if route == ("DELETE", "/_sim/faults"):
            self.faults.clear()
            return 200, {"cleared": True}
        if route == ("POST", "/_sim/expire-tokens"):
            self.tokens.expire_all()
            return 200, {"expired": True}
        if route == ("POST", "/_sim/latency"):
            try:
                self.latency_ms = max(0.0, float(data.get("ms", 0)))
            except (TypeError, ValueError):
                return 400, {"error": "ms must be a number"}
            return 200, {"ms": self.latency_ms}
        return 404, {"message": "Unknown control endpoint"}


def invalid_client():
    return {"error": "invalid_client", "error_description": "Client authentication failed"}


def parse_json(body):
    """Decode a JSON body; None when it is not JSON (callers reject non-objects)."""
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:  # includes UnicodeDecodeError
        return None


def route(method, path):
    """Map a request to (endpoint name, identifier); unknown routes are ``other``."""
    if path in TOKEN_PATHS:
        return ("token" if method == "POST" else "other"), None
    if path == LIST_PATH:
        return {"GET": "list", "POST": "create"}.get(method, "other"), None
    rest = path[len(LIST_PATH) + 1:].split("/") if path.startswith(LIST_PATH + "/") else []
    if method == "GET" and len(rest) == 1:
        return "read", unquote(rest[0])
    if len(rest) == 2 and (method, rest[0]) in (("PUT", "update"), ("POST", "inactive"),
                                                ("POST", "active")):
        return rest[0], unquote(rest[1])
    return "other", None


# --------------------------------------------------------------------------- HTTP layer

class Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into Simulator calls and injects the queued faults."""

    protocol_version = "HTTP/1.1"
    server_version = "segura-sim"
    sys_version = ""
    timeout = 300  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def do_GET(self):  # noqa: N802 - http.server naming
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format, *args):  # noqa: A002 - base class signature
        if self.server.sim.verbose:
            super().log_message(format, *args)

    # ---- plumbing
    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send(self, status, payload, content_type="application/json", headers=()):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def hang_up(self):
        """Close the connection without answering (no partial response is ever sent)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- dispatch
    def dispatch(self):
        sim = self.server.sim
        url = urlsplit(self.path)
        body = self.read_body()
        if url.path.startswith("/_sim/"):
            if not is_loopback(self.client_address[0]):
                return self.send(403, {"message": "Control interface is local-only"})
            return self.send(*sim.control(self.command, url.path, body))
        endpoint, identifier = route(self.command, url.path)
        sim.counters.hit(endpoint)
        sim.requests.add(self.command, url.path, self.headers.get("User-Agent"))
        if sim.latency_ms:
            time.sleep(sim.latency_ms / 1000.0)
        rule = sim.faults.take(endpoint, self.command)
        if rule is not None and not rule.after_write:
            return self.inject(rule)
        try:
            status, payload = self.answer(sim, endpoint, identifier, url.query, body)
        except ApiError as exc:
            status, payload = 400, error_envelope(exc)
        except Exception:  # noqa: BLE001 - any bug answers like the real server: 500
            if sim.verbose:
                traceback.print_exc()
            status, payload = 500, envelope(500, MSG_UNEXPECTED, error=True)
        if rule is not None:
            return self.inject(rule)
        return self.send(status, payload)

    def answer(self, sim, endpoint, identifier, query, body):
        if endpoint == "other":
            return 404, GATEWAY_NO_ROUTE
        if endpoint == "token":
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"),
                                                 keep_blank_values=True).items()}
            return sim.token(form, self.headers.get("Authorization", ""))
        scheme, _space, token = self.headers.get("Authorization", "").partition(" ")
        username = sim.tokens.user_for(token.strip()) if scheme.lower() == "bearer" else None
        if username is None:
            return 401, GATEWAY_NO_ROUTE
        return sim.mysafe(endpoint, username, identifier, parse_qs(query), body)

    def inject(self, rule):
        """Answer with the fault described by ``rule``."""
        self.server.sim.counters.fault()
        if rule.kind in GATEWAY_FAULTS:
            title, text = GATEWAY_FAULTS[rule.kind]
            if rule.format == "json":
                return self.send(int(rule.kind), {"message": text})
            html = (f"<html><head><title>{rule.kind} {title}</title></head><body>"
                    f"<h1>{rule.kind} {title}</h1><p>{text}</p></body></html>\n")
            return self.send(int(rule.kind), html.encode(), "text/html; charset=utf-8")
        if rule.kind == "500":
            return self.send(500, envelope(500, MSG_UNEXPECTED, error=True))
        if rule.kind == "429":
            headers = [("Retry-After", rule.retry_after)] if rule.retry_after else []
            return self.send(429, {"message": "API rate limit exceeded"}, headers=headers)
        if rule.kind == "stall":
            self.server.sim.stopping.wait(rule.stall_seconds)
        return self.hang_up()


class SimServer(ThreadingHTTPServer):
    """Threaded server; TLS handshakes run in the worker thread, not the accept loop."""

    daemon_threads = True
    block_on_close = False  # keep-alive and stalled connections must not delay shutdown
    request_queue_size = 128  # the default 5 drops SYNs under concurrent benchmarks

    def __init__(self, address, sim, ssl_context=None):
        self.sim = sim
        self.ssl_context = ssl_context
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        request.settimeout(30)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return None  # failed handshake (e.g. client distrusts the CA): just drop it
        try:
            super().finish_request(tls, client_address)
        finally:
            self.shutdown_request(tls)

    def handle_error(self, request, client_address):
        if self.sim.verbose:
            super().handle_error(request, client_address)

    @property
    def url(self):
        scheme = "https" if self.ssl_context else "http"
        host, port = self.server_address[:2]
        return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def create_server(options):
    """Build a bound, listening (not yet serving) SimServer from parsed options."""
    directory = Directory.load(options.users)
    sim = Simulator(directory, Vault(directory, options.state_file),
                    expires_in=options.expires_in, tenant=options.tenant,
                    legacy_update=options.legacy_update, verbose=options.verbose)
    sim.latency_ms = float(options.latency_ms)
    context = None
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key or None)
    return SimServer((options.host, options.port), sim, context)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the bound port here (atomically)")
    parser.add_argument("--cert", help="server certificate (PEM); enables HTTPS")
    parser.add_argument("--key", help="server private key (PEM)")
    parser.add_argument("--users", default=str(DEFAULT_USERS))
    parser.add_argument("--state-file", help="load/save secrets here across restarts")
    parser.add_argument("--expires-in", type=int, default=3600, help="token lifetime (s)")
    parser.add_argument("--latency-ms", type=float, default=0, help="sleep per API request")
    parser.add_argument("--tenant", help="require this tenant on token requests")
    parser.add_argument("--legacy-update", action="store_true",
                        help="answer updates 200 'Api secret updated successfully'")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    server = create_server(options)

    def stop(_signum, _frame):
        server.sim.stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if options.port_file:
        write_atomic(options.port_file, f"{server.server_address[1]}\n")
    print(f"segura-sim listening on {server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
