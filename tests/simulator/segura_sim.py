"""Segura MySafe and PAM Core API simulator: a real HTTP(S) server built from the vendor docs.

Used by integration tests, benchmarks and demos so the collection can be exercised
end to end without a Segura appliance. Standard library only, so it starts fast.
Runnable (``python segura_sim.py --help``) and importable (``create_server``; ``respond``
answers one request in-process, as the HTTP server does).
PAM Core lives in pam_core.py. See README.md next to this file for the API quirks and the
``/_sim/`` control interface.
"""

import argparse
import base64
import binascii
import collections
import copy
import hashlib
import hmac
import ipaddress
import json
import os
import random
import secrets as secrets_mod
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

try:
    from . import pam_core
except ImportError:  # run as a script: tests/simulator itself is on sys.path
    import pam_core

DEFAULT_USERS = Path(__file__).resolve().with_name("users.json")

GATEWAY_NO_ROUTE = {"message": "No route matched with those values."}
TOKEN_PATHS = ("/iso/oauth2/token", "/api/oauth2/token")
WRITE_ENDPOINTS = ("create", "update", "inactive", "active")
ITEM_ENDPOINTS = ("list", "read") + WRITE_ENDPOINTS
ENDPOINTS = ("token",) + ITEM_ENDPOINTS + ("other",)
PAM_ENDPOINT = "pam"  # what fault rules see of a PAM Core request (it matches "any" and "api")
# (method, first path segment after the kind's path) of the calls that take an identifier
IDENTIFIER_ROUTES = {("PUT", "update"), ("POST", "inactive"), ("POST", "active")}

MSG_SUCCESS = "Success"
MSG_NO_ACCESS = "User does not have access"
MSG_DUPLICATE_CODE = "Identifier already found in another API key of this user"
MSG_INVALID_BODY = "Invalid request body"
MSG_UNEXPECTED = "Unexpected error."
MSG_ENCRYPTION_FAILED = "Ocorreu um erro ao criptografar o texto"
GATEWAY_FAULTS = {
    "502": ("Bad Gateway", "An invalid response was received from the upstream server"),
    "504": ("Gateway Timeout", "The upstream server is timing out"),
}
FAULT_KINDS = ("502", "504", "500", "429", "drop", "stall")
FAULT_ENDPOINTS = ("any", "api") + ENDPOINTS
REQUEST_LOG_SIZE = 100
TOTP_STEP, TOTP_DIGITS = 30, 6
# The key behind the stand-in encryption (the real format is not documented).
ENCRYPTION_KEY = secrets_mod.token_bytes(32)


class ApiError(Exception):
    """A MySafe error answered with the error envelope: HTTP 400 "NNNN: text" unless ``status``."""

    def __init__(self, code, text, status=400):
        self.code = code
        self.status = status
        self.message = f"{code}: {text}" if status == 400 else text
        super().__init__(self.message)


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
    body = envelope(exc.status, exc.message, error=True)
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


def totp(seed, now):
    """The RFC 6238 code (SHA1, 30 s steps, 6 digits) of a base32 seed; None without one."""
    cleaned = "".join(seed.split()).upper().rstrip("=")
    if not cleaned:
        return None
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        return None
    digest = hmac.new(key, struct.pack(">Q", int(now) // TOTP_STEP), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** TOTP_DIGITS).zfill(TOTP_DIGITS)


def encrypt(text):
    """Stand-in for the undocumented "encrypt sensitive data" format: never the clear text,
    and different on every answer (random nonce), as a client comparing values must expect."""
    nonce = secrets_mod.token_bytes(16)
    data = text.encode("utf-8")
    stream = b"".join(hashlib.sha256(ENCRYPTION_KEY + nonce + struct.pack(">I", block)).digest()
                      for block in range(len(data) // 32 + 1))
    return base64.b64encode(nonce + bytes(a ^ b for a, b in zip(data, stream))).decode("ascii")


# ---- list filters: (stored value, query value) -> keep the row
def matches_tag(tags, wanted):
    """One of the comma-separated tags, ignoring case and blanks."""
    wanted = wanted.strip().casefold()
    return not wanted or wanted in {tag.strip().casefold() for tag in tags.split(",")}


def matches_exact(value, wanted):
    return value == wanted


def matches_part(value, wanted):
    """Case-insensitive substring (SQL ``LIKE '%x%'``): exactness is not documented."""
    return wanted.casefold() in value.casefold()


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

    def encrypts(self, username):
        """True when the user's access key has "encrypt sensitive data" set."""
        return bool(self.users.get(username, {}).get("encrypt_sensitive"))


# --------------------------------------------------------------------------- item kinds

@dataclass(frozen=True)
class ItemKind:
    """What one kind of MySafe item looks like on the wire; one engine (Vault) serves them all."""

    plural: str            # control paths (/_sim/<plural>), fault rules, the state file
    path: str              # API path of list and create; the others are below it
    label: str             # as messages start: "Password successfully registered"
    noun: str              # inside messages: "Inactive password"
    list_key: str
    read_key: str
    write_key: str         # create and update answers
    fields: tuple          # stored text fields, as requests name them
    required: tuple        # required to create, in the order checked
    list_fields: tuple     # list row fields besides identifier and the permission flags
    filters: tuple         # list query filters: (query name, stored field, matcher)
    read_fields: tuple     # read answer fields; "token" is computed from totp_field
    write_fields: tuple    # create/update answer fields (stored names)
    updated: tuple         # (status, message) of an update
    read_user_key: str = "username"  # how read answers name a share user
    write_renames: tuple = ()        # (stored field, answer key) in create/update answers
    max_lengths: tuple = ()          # (field, characters) refused above
    unique: tuple = ()               # (field, message): unique per owner when not empty
    totp_field: str = None           # base32 seed: answered null when empty, with its token
    encrypted: tuple = ()            # fields an "encrypt sensitive data" key gets encrypted
    encryption_limit: int = None     # longer encrypted values fail: 500 (documented for notes)
    legacy_updated: tuple = None     # --legacy-update answer, where one is documented
    legacy_read_path: str = None     # --legacy-reads: also read here
    legacy_reads: bool = False       # --legacy-reads applies (1005 for inactive, share "name")


SECRET_FIELDS = ("name", "url", "client_secret", "client_id", "identifier_code", "method",
                 "tags", "notes")  # in the order the vendor's examples print them
KINDS = (
    ItemKind(
        plural="secrets", path="/api/mysafe/secretapi", label="Api secret", noun="Api secret",
        list_key="api_secret_on_list", read_key="api_secret_entity", write_key="api_entity",
        fields=SECRET_FIELDS, required=("name", "url", "client_id"), list_fields=("name",),
        filters=(("tag", "tags", matches_tag),
                 ("identifier_code", "identifier_code", matches_exact)),
        read_fields=SECRET_FIELDS, write_fields=SECRET_FIELDS,
        updated=(201, "Api secret successfully registered"),
        legacy_updated=(200, "Api secret updated successfully"),
        read_user_key="name", unique=("identifier_code", MSG_DUPLICATE_CODE),
        encrypted=("client_secret",)),
    ItemKind(
        plural="passwords", path="/api/mysafe/password", label="Password", noun="password",
        list_key="password_on_list", read_key="password_entity", write_key="password_entity",
        fields=("name", "username", "password", "url", "secret_key", "notes", "tags"),
        required=("name", "username", "password"),
        list_fields=("name", "url", "username", "tags"),
        filters=(("tag", "tags", matches_tag), ("name", "name", matches_part),
                 ("username", "username", matches_part), ("url", "url", matches_part)),
        read_fields=("name", "url", "username", "password", "secret_key", "token", "notes", "tags"),
        write_fields=("name", "url", "username", "notes", "tags"),
        write_renames=(("notes", "note"),),
        updated=(200, "Password successfully updated"), totp_field="secret_key",
        encrypted=("password",), legacy_read_path="/iso/mysafe/password", legacy_reads=True),
    ItemKind(
        plural="notes", path="/api/mysafe/note", label="Note", noun="note",
        list_key="note_on_list", read_key="note_entity", write_key="note_entity",
        fields=("name", "note", "tags"), required=("name", "note"), list_fields=("name", "tags"),
        filters=(("tag", "tags", matches_tag), ("name", "name", matches_part)),
        read_fields=("name", "note", "tags"), write_fields=("name", "tags"),
        updated=(200, "Note successfully update"),  # sic, as documented
        max_lengths=(("note", 900),), encrypted=("note",), encryption_limit=500,
        legacy_reads=True),
)
KINDS_BY_PLURAL = {kind.plural: kind for kind in KINDS}


# --------------------------------------------------------------------------- vault

class Vault:
    """The stored items of one kind with MySafe's permission rules."""

    def __init__(self, kind, directory, lock, on_change, *, legacy_reads=False):
        self.kind = kind
        self.directory = directory
        self.lock = lock
        self.on_change = on_change  # persists after every write
        self.legacy_reads = legacy_reads and kind.legacy_reads
        self.items = {}
        self.next_id = 1

    # ---- persistence / control
    def load(self, records, next_id=1):
        self.items = {int(r["identifier"]): r for r in records}
        self.next_id = max([next_id, *(i + 1 for i in self.items)])

    def dump(self):
        with self.lock:
            return [copy.deepcopy(self.items[i]) for i in sorted(self.items)]

    def clear(self):
        with self.lock:
            self.items.clear()
            self.next_id = 1

    # ---- permissions
    def _grants(self, item, username):
        """Yield the can_edit flag of every share entry that applies to the user."""
        groups = self.directory.groups_of(username)
        for share in item["users_allowed"]:
            if share["username"] == username:
                yield share["can_edit"]
        for share in item["groups_allowed"]:
            if share["name"] in groups:
                yield share["can_edit"]

    def can_view(self, item, username):
        return item["owner"] == username or any(True for _grant in self._grants(item, username))

    def can_edit(self, item, username):
        return item["owner"] == username or any(self._grants(item, username))

    def _lookup(self, username, identifier, *, edit, active_only):
        """Resolve an identifier applying the documented check order (1010, 1005, 1006, 1009)."""
        if not identifier.isdigit() or not identifier.isascii():
            raise ApiError(1010, "Unexpected identifier type")
        item = self.items.get(int(identifier))
        if item is None:
            raise ApiError(1005, f"{self.kind.label} not found")
        if not self.can_view(item, username):
            raise ApiError(1006, MSG_NO_ACCESS)
        if edit and not self.can_edit(item, username):
            raise ApiError(1006, f"User does not have permission to edit this {self.kind.noun}")
        if active_only and not item["active"]:
            if self.legacy_reads:  # an older page answers an inactive item as missing
                raise ApiError(1005, f"{self.kind.label} not found")
            raise ApiError(1009, f"Inactive {self.kind.noun}")
        return item

    # ---- validation helpers
    def _shares(self, value, *, item_key, label, known):
        """Normalise a share list; unknown names are dropped and reported (shared_error)."""
        if value is None:
            return [], []
        if not isinstance(value, list):
            raise ApiError(1001, MSG_INVALID_BODY)
        shares, errors = {}, []
        for entry in value:
            name = entry.get(item_key) if isinstance(entry, dict) else None
            if not isinstance(name, str) or name not in known:
                errors.append(f"{label} '{entry if name is None else name}' not found")
                continue
            shares[name] = as_bool(entry.get("can_edit"))
        return [{item_key: n, "can_edit": e} for n, e in shares.items()], errors

    def _check_required(self, fields, present_only):
        for name in self.kind.required:
            if (name in fields or not present_only) and not fields.get(name):
                raise ApiError(1001, f"Parameter '{name}' was not informed!")

    def _apply(self, item, body, *, owner, exclude_id=None):
        """Validate ``body`` and copy its present fields into ``item``; return shared_error."""
        fields = {f: as_text(body[f]) for f in self.kind.fields if f in body}
        self._check_required(fields, present_only=True)
        for name, limit in self.kind.max_lengths:
            if len(fields.get(name, "")) > limit:
                raise ApiError(1001, f"Parameter {name} limited to {limit} characters")
        if self.kind.unique:
            name, message = self.kind.unique
            value = fields.get(name)
            if value and any(other["owner"] == owner and other[name] == value
                             and other["identifier"] != exclude_id
                             for other in self.items.values()):
                raise ApiError(1001, message)
        errors = []
        if "users_allowed" in body:
            item["users_allowed"], errs = self._shares(
                body["users_allowed"], item_key="username", label="User",
                known=self.directory.users)
            errors += errs
        if "groups_allowed" in body:
            item["groups_allowed"], errs = self._shares(
                body["groups_allowed"], item_key="name", label="Group",
                known=self.directory.groups)
            errors += errs
        item.update(fields)
        return errors

    @staticmethod
    def _require_object(body):
        if not isinstance(body, dict):
            raise ApiError(1001, MSG_INVALID_BODY)

    # ---- answers
    def _value(self, item, name, now):
        """A field as answered: the TOTP seed is null when unset, its token computed now."""
        seed_field = self.kind.totp_field
        if seed_field and name == "token":
            return totp(item[seed_field], now)
        if name == seed_field:
            return item[name] or None
        return item[name]

    def _entity(self, item, names, user_key, viewer, now=None, renames=()):
        """An item as answered to ``viewer``: identifier as a string, shares last."""
        renames = dict(renames)
        entity = {"identifier": str(item["identifier"])}
        for name in names:
            entity[renames.get(name, name)] = self._value(item, name, now)
        if self.directory.encrypts(viewer):
            for name in self.kind.encrypted:
                if entity.get(name):
                    entity[name] = self._encrypted(entity[name])
        entity["users_allowed"] = [{user_key: s["username"], "can_edit": s["can_edit"]}
                                   for s in item["users_allowed"]]
        entity["groups_allowed"] = [dict(s) for s in item["groups_allowed"]]
        return entity

    def _encrypted(self, text):
        limit = self.kind.encryption_limit
        if limit is not None and len(text) > limit:
            raise ApiError(500, MSG_ENCRYPTION_FAILED, status=500)
        return encrypt(text)

    def _written(self, item, username, errors):
        return {**self._entity(item, self.kind.write_fields, "username", username,
                               renames=self.kind.write_renames),
                "shared_error": errors}

    # ---- operations
    def list_visible(self, username, query):
        """Rows the user may see, filtered by the kind's query filters (first value of each)."""
        wanted = [(name, matches, query[param]) for param, name, matches in self.kind.filters
                  if query.get(param)]
        with self.lock:
            rows = []
            for ident in sorted(self.items):
                item = self.items[ident]
                if not self.can_view(item, username):
                    continue
                if not all(matches(item[name], value) for name, matches, value in wanted):
                    continue
                rows.append({"identifier": str(ident),
                             **{name: item[name] for name in self.kind.list_fields},
                             "need_justify": "0", "need_approval": "0", "can_view": True,
                             "can_write": self.can_edit(item, username)})
            return rows

    def read(self, username, identifier, now):
        with self.lock:
            item = self._lookup(username, identifier, edit=False, active_only=True)
            user_key = "name" if self.legacy_reads else self.kind.read_user_key
            return self._entity(item, self.kind.read_fields, user_key, username, now)

    def create(self, username, body):
        self._require_object(body)
        with self.lock:
            self._check_required({n: as_text(body.get(n)) for n in self.kind.required},
                                 present_only=False)
            item = {"identifier": self.next_id, **dict.fromkeys(self.kind.fields, ""),
                    "users_allowed": [], "groups_allowed": [], "owner": username,
                    "active": True}
            errors = self._apply(item, body, owner=username)
            self.items[self.next_id] = item
            self.next_id += 1
            self.on_change()
            return self._written(item, username, errors)

    def update(self, username, identifier, body):
        with self.lock:
            current = self._lookup(username, identifier, edit=True, active_only=True)
            self._require_object(body)
            item = copy.deepcopy(current)  # validate on a copy: all or nothing
            errors = self._apply(item, body, owner=current["owner"],
                                 exclude_id=current["identifier"])
            self.items[current["identifier"]] = item
            self.on_change()
            return self._written(item, username, errors)

    def set_active(self, username, identifier, active):
        """Return True when the state changed, False when it already was ``active``."""
        with self.lock:
            item = self._lookup(username, identifier, edit=True, active_only=False)
            if item["active"] == active:
                return False
            item["active"] = active
            self.on_change()
            return True


class Safe:
    """Every kind's Vault, persisted together to one optional state file."""

    def __init__(self, directory, state_file=None, *, legacy_reads=False):
        self.state_file = Path(state_file) if state_file else None
        self.legacy_reads = legacy_reads
        self.lock = threading.RLock()  # shared: a save sees every kind at one moment
        self.vaults = {kind.plural: Vault(kind, directory, self.lock, self.save,
                                          legacy_reads=legacy_reads) for kind in KINDS}
        if self.state_file and self.state_file.exists():
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            for plural, vault in self.vaults.items():
                # Only the API secrets' next_id is saved (the format before other kinds);
                # without DELETE the others continue after their highest identifier.
                saved_next = data.get("next_id", 1) if plural == "secrets" else 1
                vault.load(data.get(plural, []), saved_next)

    def save(self):
        if self.state_file:
            with self.lock:
                data = {"next_id": self.vaults["secrets"].next_id,
                        **{plural: vault.dump() for plural, vault in self.vaults.items()}}
            write_atomic(self.state_file, json.dumps(data, indent=1))

    def clear(self):
        with self.lock:
            for vault in self.vaults.values():
                vault.clear()
            self.save()

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
    """Per-endpoint request counts, also per item kind; every API request counts once on arrival."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.hits = dict.fromkeys(ENDPOINTS, 0)
            self.kind_hits = {kind.plural: dict.fromkeys(ITEM_ENDPOINTS, 0) for kind in KINDS}
            self.faults_injected = 0

    def hit(self, endpoint, kind=None):
        with self.lock:
            self.hits[endpoint] += 1
            if kind is not None:
                self.kind_hits[kind.plural][endpoint] += 1

    def fault(self):
        with self.lock:
            self.faults_injected += 1

    def snapshot(self):
        with self.lock:
            return {"total": sum(self.hits.values()), "token": self.hits["token"],
                    "writes": sum(self.hits[e] for e in WRITE_ENDPOINTS),
                    "faults_injected": self.faults_injected, "endpoints": dict(self.hits)}

    def kind_snapshot(self, plural):
        """The requests to one kind's endpoints (token and unknown routes belong to none)."""
        with self.lock:
            hits = self.kind_hits[plural]
            return {"total": sum(hits.values()), "writes": sum(hits[e] for e in WRITE_ENDPOINTS),
                    "endpoints": dict(hits)}


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
    apply_late: bool = False
    item_kind: str = None  # only requests to this kind's endpoints ("passwords")
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, body):
        """Build a rule from the control request; ValueError explains what is wrong."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(body) - {"kind", "count", "endpoint", "method", "format", "stall_seconds",
                               "retry_after", "rate", "seed", "after_write", "apply_late",
                               "item_kind"}
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        kind = str(body.get("kind"))
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        rule = cls(kind=kind, rng=random.Random(body.get("seed")))
        rule.endpoint = body.get("endpoint", "any")
        if rule.endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"endpoint must be one of {FAULT_ENDPOINTS}")
        rule.item_kind = body.get("item_kind")
        if rule.item_kind is not None and rule.item_kind not in KINDS_BY_PLURAL:
            raise ValueError(f"item_kind must be one of {tuple(KINDS_BY_PLURAL)}")
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
        rule.apply_late = as_bool(body.get("apply_late", False))
        if rule.apply_late and kind != "stall":
            raise ValueError("apply_late applies to kind stall only")
        return rule

    def matches(self, endpoint, method, kind):
        if self.method and self.method != method:
            return False
        if self.item_kind and (kind is None or kind.plural != self.item_kind):
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

    def take(self, endpoint, method, kind):
        """Return the rule that faults this request (consuming one count), or None."""
        with self.lock:
            for rule in self.rules:
                if not rule.matches(endpoint, method, kind):
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
    """Everything a request handler needs: users, stored items, tokens, counters, faults."""

    def __init__(self, directory, safe, *, expires_in=3600, tenant=None,
                 legacy_update=False, verbose=False, pam=None):
        self.directory = directory
        self.safe = safe
        self.pam = pam_core.PamCore() if pam is None else pam
        self.tokens = Tokens(expires_in)
        self.counters = Counters()
        self.requests = RequestLog()
        self.faults = Faults()
        self.latency_ms = 0.0
        self.clock = None  # fixed epoch seconds for TOTP tokens; None: the real time
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
        # a MySafe access key (its username) or a PAM Core A2A application
        principal = (self.directory.authenticate(client_id, client_secret)
                     or self.pam.authenticate(client_id, client_secret))
        if principal is None:
            return 401, invalid_client()
        return 200, {"access_token": self.tokens.issue(principal), "token_type": "Bearer",
                     "expires_in": self.tokens.expires_in}

    # ---- MySafe endpoints
    def now(self):
        return time.time() if self.clock is None else self.clock

    def mysafe(self, kind, endpoint, username, identifier, query, body):
        """Run one MySafe call for an authenticated user; returns (status, body)."""
        vault = self.safe.vaults[kind.plural]
        if endpoint == "list":
            rows = vault.list_visible(username, {k: v[0] for k, v in query.items()})
            return 200, {**envelope(200, MSG_SUCCESS), kind.list_key: rows}
        if endpoint == "read":
            entity = vault.read(username, identifier, self.now())
            return 200, {**envelope(200, MSG_SUCCESS, message_key="Message"),
                         kind.read_key: entity}
        if endpoint == "create":
            entity = vault.create(username, parse_json(body))
            return 201, {**envelope(201, f"{kind.label} successfully registered"),
                         kind.write_key: entity}
        if endpoint == "update":
            entity = vault.update(username, identifier, parse_json(body))
            status, message = kind.legacy_updated if self.legacy_update and kind.legacy_updated \
                else kind.updated
            return status, {**envelope(status, message), kind.write_key: entity}
        active = endpoint == "active"
        changed = vault.set_active(username, identifier, active)
        verb = "activated" if active else "deactivated"
        message = f"{kind.label} successfully {verb}" if changed \
            else f"{kind.label} has already been {verb}"
        return 200, envelope(200, message, with_code=False)

    # ---- control interface
    def seed(self, kind, data):
        """Store one item as ``owner`` (default alice) without counting; returns (status, body)."""
        fields = dict(data)
        owner = fields.pop("owner", "alice")
        active = as_bool(fields.pop("active", True))
        if owner not in self.directory.users:
            return 400, {"error": f"unknown owner {owner!r}"}
        vault = self.safe.vaults[kind.plural]
        try:
            entity = vault.create(owner, fields)
            if not active:
                vault.set_active(owner, entity["identifier"], False)
        except ApiError as exc:
            return 400, {"error": exc.message}
        return 200, {"identifier": int(entity["identifier"]),
                     "shared_error": entity["shared_error"]}

    def set_clock(self, data):
        value = data.get("time")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return 400, {"error": "time must be epoch seconds or null"}
        self.clock = value
        return 200, {"time": value}

    def control(self, method, path, body):
        """Serve ``/_sim/...``; returns (status, body)."""
        data = parse_json(body) if body.strip() else {}
        if not isinstance(data, dict):
            return 400, {"error": "body must be a JSON object"}
        route = (method, path.rstrip("/"))
        name = route[1][len("/_sim/"):]
        if name in KINDS_BY_PLURAL:  # GET: the stored items; POST: seed one
            kind = KINDS_BY_PLURAL[name]
            if method == "POST":
                return self.seed(kind, data)
            if method == "GET":
                vault = self.safe.vaults[name]
                return 200, {name: vault.dump(), "next_id": vault.next_id}
        if name.startswith("pam/"):
            return self.pam.control(method, name[4:], data)
        if method == "GET" and name.startswith("counters/") and name[9:] in KINDS_BY_PLURAL:
            return 200, self.counters.kind_snapshot(name[9:])
        if route == ("GET", "/_sim/health"):
            return 200, {"ok": True}
        if route == ("GET", "/_sim/counters"):
            return 200, self.counters.snapshot()
        if route == ("GET", "/_sim/requests"):
            return 200, {"requests": self.requests.snapshot()}
        if route == ("POST", "/_sim/reset"):
            self.counters.reset()
            self.requests.clear()
            self.faults.clear()
            self.latency_ms = 0.0
            self.clock = None
            wipe = as_bool(data.get("data", False))
            if wipe:
                self.safe.clear()
            self.pam.reset(data=wipe)
            return 200, {"reset": True, "data": wipe}
        if route == ("POST", "/_sim/clock"):
            return self.set_clock(data)
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


@dataclass
class Answer:
    """What the server does with one request: ``status`` None closes the connection unanswered.

    ``fault`` is the queued fault that shaped the answer, if any.
    """

    status: int = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple = ()
    fault: FaultRule = None

    @classmethod
    def of(cls, status, payload, content_type="application/json", headers=(), fault=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return cls(status, body, content_type, tuple(headers), fault)


def respond(sim, method, target, headers, body, client_host="127.0.0.1"):
    """Answer one request (``target``: path and query; ``headers``: any mapping with a
    case-insensitive ``get``) the way the HTTP server does, in-process."""
    url = urlsplit(target)
    if url.path.startswith("/_sim/"):
        if not is_loopback(client_host):
            return Answer.of(403, {"message": "Control interface is local-only"})
        return Answer.of(*sim.control(method, url.path, body))
    pam_call = sim.pam.route(method, url.path)
    if pam_call is None:
        kind, endpoint, identifier = route(method, url.path, sim.safe.legacy_reads)
        sim.counters.hit(endpoint, kind)
    else:  # PamCore counts its own requests
        kind, endpoint, identifier = None, PAM_ENDPOINT, None
    sim.requests.add(method, url.path, headers.get("User-Agent"))
    if sim.latency_ms:
        time.sleep(sim.latency_ms / 1000.0)
    rule = sim.faults.take(endpoint, method, kind)
    if rule is not None and rule.apply_late:
        # a server that applies the request after the client gave up: nothing is visible until then
        sim.stopping.wait(rule.stall_seconds)
    elif rule is not None and not rule.after_write:
        return fault_answer(sim, rule)
    try:
        if pam_call is None:
            status, payload = api_answer(sim, kind, endpoint, identifier, url.query, headers, body)
        else:
            status, payload = sim.pam.answer(pam_call, bearer_principal(sim, headers), url.query,
                                             body)
    except ApiError as exc:
        status, payload = exc.status, error_envelope(exc)
    except Exception:  # noqa: BLE001 - any bug answers like the real server: 500
        if sim.verbose:
            traceback.print_exc()
        status, payload = 500, envelope(500, MSG_UNEXPECTED, error=True)
    if rule is not None:
        return Answer(fault=rule) if rule.apply_late else fault_answer(sim, rule)
    return Answer.of(status, payload)


def api_answer(sim, kind, endpoint, identifier, query, headers, body):
    """(status, payload) of a request that no fault intercepts."""
    if endpoint == "other":
        return 404, GATEWAY_NO_ROUTE
    if endpoint == "token":
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"),
                                             keep_blank_values=True).items()}
        return sim.token(form, headers.get("Authorization", ""))
    username = bearer_principal(sim, headers)
    if not isinstance(username, str):  # no valid token, or a PAM Core application's
        return 401, GATEWAY_NO_ROUTE
    return sim.mysafe(kind, endpoint, username, identifier, parse_qs(query), body)


def bearer_principal(sim, headers):
    """Who the bearer token was issued to (a MySafe username or a PAM Core application)."""
    scheme, _space, token = headers.get("Authorization", "").partition(" ")
    return sim.tokens.user_for(token.strip()) if scheme.lower() == "bearer" else None


def fault_answer(sim, rule):
    """The answer of the fault described by ``rule``."""
    sim.counters.fault()
    if rule.kind in GATEWAY_FAULTS:
        title, text = GATEWAY_FAULTS[rule.kind]
        if rule.format == "json":
            return Answer.of(int(rule.kind), {"message": text}, fault=rule)
        html = (f"<html><head><title>{rule.kind} {title}</title></head><body>"
                f"<h1>{rule.kind} {title}</h1><p>{text}</p></body></html>\n")
        return Answer.of(int(rule.kind), html.encode(), "text/html; charset=utf-8", fault=rule)
    if rule.kind == "500":
        return Answer.of(500, envelope(500, MSG_UNEXPECTED, error=True), fault=rule)
    if rule.kind == "429":
        headers = [("Retry-After", rule.retry_after)] if rule.retry_after else []
        return Answer.of(429, {"message": "API rate limit exceeded"}, headers=headers, fault=rule)
    if rule.kind == "stall":
        sim.stopping.wait(rule.stall_seconds)
    return Answer(fault=rule)


def invalid_client():
    return {"error": "invalid_client", "error_description": "Client authentication failed"}


def parse_json(body):
    """Decode a JSON body; None when it is not JSON (callers reject non-objects)."""
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:  # includes UnicodeDecodeError
        return None


def segments_below(path, base):
    """The path segments under ``base`` (none when the path is not below it)."""
    return path[len(base) + 1:].split("/") if base and path.startswith(base + "/") else []


def route(method, path, legacy_reads=False):
    """Map a request to (item kind, endpoint name, identifier); unknown routes are ``other``."""
    if path in TOKEN_PATHS:
        return None, ("token" if method == "POST" else "other"), None
    for kind in KINDS:
        if path == kind.path:
            endpoint = {"GET": "list", "POST": "create"}.get(method)
            return (kind, endpoint, None) if endpoint else (None, "other", None)
        rest = segments_below(path, kind.path)
        if method == "GET" and len(rest) == 1:
            return kind, "read", unquote(rest[0])
        if len(rest) == 2 and (method, rest[0]) in IDENTIFIER_ROUTES:
            return kind, rest[0], unquote(rest[1])
        legacy = segments_below(path, kind.legacy_read_path) if legacy_reads else []
        if method == "GET" and len(legacy) == 1:
            return kind, "read", unquote(legacy[0])
    return None, "other", None


# --------------------------------------------------------------------------- HTTP layer

class Handler(BaseHTTPRequestHandler):
    """Serves HTTP: reads each request, lets ``respond`` answer it, writes the answer."""

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

    def send(self, status, body, content_type, headers):
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
        body = self.read_body()
        answer = respond(self.server.sim, self.command, self.path, self.headers, body, self.client_address[0])
        if answer.status is None:
            return self.hang_up()
        return self.send(answer.status, answer.body, answer.content_type, answer.headers)


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
    safe = Safe(directory, options.state_file, legacy_reads=options.legacy_reads)
    pam = pam_core.PamCore(pam_core.load_applications(options.a2a))
    pam.set_switches({"shapes": options.pam_shapes, "prefixes": options.pam_prefixes,
                      "create_status": options.pam_create_status}, startup=True)
    sim = Simulator(directory, safe,
                    expires_in=options.expires_in, tenant=options.tenant,
                    legacy_update=options.legacy_update, verbose=options.verbose, pam=pam)
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
    parser.add_argument("--state-file", help="load/save the stored items here across restarts")
    parser.add_argument("--expires-in", type=int, default=3600, help="token lifetime (s)")
    parser.add_argument("--latency-ms", type=float, default=0, help="sleep per API request")
    parser.add_argument("--tenant", help="require this tenant on token requests")
    parser.add_argument("--legacy-update", action="store_true",
                        help="answer updates 200 'Api secret updated successfully'")
    parser.add_argument("--legacy-reads", action="store_true",
                        help="password and note reads as older pages show them: inactive is "
                             "1005, share users are 'name', /iso/mysafe/password/{id} reads")
    parser.add_argument("--a2a", default=str(pam_core.DEFAULT_APPLICATIONS),
                        help="PAM Core A2A applications (OAuth2 clients and authorizations)")
    parser.add_argument("--pam-shapes", choices=("3.33", "pre-3.33"), default="3.33",
                        help="PAM Core answers as 3.33+ or older servers shape them")
    parser.add_argument("--pam-prefixes", choices=("both", "api", "iso"), default="both",
                        help="PAM Core path prefixes served: api/pam (3.33+), iso/pam (older)")
    parser.add_argument("--pam-create-status", type=int, choices=(200, 201), default=201,
                        help="HTTP status of a successful PAM Core POST")
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
