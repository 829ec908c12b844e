"""Segura PAM Core (A2A) for the simulator: devices, credentials, SSH keys, custody.

Written from segura-docs/pam-core.md. ``segura_sim.respond`` hands every request whose path is
below a served PAM prefix to ``PamCore.answer``; the A2A applications that authenticate here
are in a2a.json. Where the docs contradict each other the variants are ``switches`` (README.md
says which is the default and why). Standard library only, like the server.
"""

import copy
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote

DEFAULT_APPLICATIONS = Path(__file__).resolve().with_name("a2a.json")
PREFIXES = {"api": "/api/pam", "iso": "/iso/pam"}
RESOURCES = ("device", "credential", "key")
PLURALS = {"device": "devices", "credential": "credentials", "key": "keys"}
OPERATIONS = ("list", "read", "upsert", "deactivate", "activate", "custody_release")
READ_OPERATIONS = ("list", "read")
METHOD_OPERATIONS = {"POST": "upsert", "DELETE": "deactivate", "PUT": "activate"}
DEFAULT_SWITCHES = {
    "shapes": "3.33",                 # "pre-3.33": `tag`, no code/tenant, automatic_change "0"/"1"
    "prefixes": "both",               # "api" (a new server) or "iso" (an old one) only
    "create_status": 201,             # HTTP status of a successful POST (the body says 201)
    "state_codes": "v4",              # "pt-BR": 1017 for credential already inactive/active
    "key_tags": "array",              # "string": comma-separated, as the v4 field list says
    "identifier_dot": True,           # False: "." in a credential identifier is 1053
    "inactive_listed": False,         # True: lists show inactive items too (no flag says which)
    "active_flag": False,             # True: answers carry "active" (as some versions do)
    "tenant": "Segura",
}
SWITCH_CHOICES = {
    "shapes": ("3.33", "pre-3.33"), "prefixes": ("both", "api", "iso"),
    "create_status": (200, 201), "state_codes": ("v4", "pt-BR"), "key_tags": ("array", "string"),
    "identifier_dot": (True, False), "inactive_listed": (True, False),
    "active_flag": (True, False),
}
DEVICE_FIELDS = ("hostname", "ip", "type", "vendor", "model", "site", "device_domain",
                 "device_tags", "connectivities", "session_remote_config")
# Required to create a device, in the order the docs' field table (and the checks) go.
DEVICE_REQUIRED = (("hostname", 1004, "The device's hostname was not informed"),
                   ("ip", 1005, "The device's IP was not informed"),
                   ("type", 1022, "The device's type was not informed"),
                   ("vendor", 1021, "The device's vendor was not informed"),
                   ("model", 1020, "The device's model was not informed"),
                   ("site", 1019, "The device's site was not informed"))
DEVICE_LIST_FIELDS = ("id", "hostname", "ip", "model", "type", "vendor", "site")
CREDENTIAL_FIELDS = ("content", "additional", "tags", "credential_type", "domain",
                     "parent_password")
KEY_FIELDS = ("username", "key_name", "private_key", "public_key", "password", "tags")
KEY_REQUIRED = (("private_key", 1014, "The private key was not informed"),
                ("public_key", 1013, "The public key was not informed"))
UNEXPECTED = "Unexpected error"
NOT_AUTHORIZED = "You are not authorized to access this resource."
NO_ROUTE = "Resource sub not found"
GATEWAY_NO_ROUTE = {"message": "No route matched with those values."}


class PamError(Exception):
    """A PAM Core error: HTTP 400 "NNNN: text" with the exception block, unless ``status``."""

    def __init__(self, code, text, status=400):
        self.code = code
        self.status = status
        self.message = f"{code}: {text}" if status == 400 else text
        super().__init__(self.message)


def not_found(resource):
    return {"device": PamError(1011, "Device not found"),
            "credential": PamError(1007, "Credential not found"),
            "key": PamError(1015, "SSH key not found")}[resource]


WRONG_KIND = {"credential": (1010, "The item is not a credential"),
              "key": (1016, "The item is not a ssh key")}
READ_ONLY = PamError(1039, "Without PAM Configuration Access permission")
NO_ACCESS = PamError(1009, "No access to credential")


@dataclass(frozen=True)
class Application:
    """An A2A application's OAuth2 client and the authorization settings that change answers."""

    name: str
    client_id: str
    client_secret: str
    resources: tuple
    pam_permission: str   # "read_only" or "read_write"
    scope: str            # "all", or "assigned": what it created or was given (seeded)

    @property
    def can_write(self):
        return self.pam_permission == "read_write"


def load_applications(path=DEFAULT_APPLICATIONS):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {app["name"]: Application(app["name"], app["client_id"], app["client_secret"],
                                     tuple(app["resources"]), app["pam_permission"], app["scope"])
            for app in data["applications"]}


@dataclass(frozen=True)
class PamCall:
    """One routed PAM Core request."""

    resource: str     # device, credential, key
    operation: str    # one of OPERATIONS
    path_key: str     # the path segment naming the item (None for list and upsert)


def as_text(value):
    """A form field as a lenient PHP backend reads it; structures are a server fault (500)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise PamError(500, UNEXPECTED, status=500)


def request_fields(body, query):
    """The fields of a POST: JSON object, form-encoded body, or (legacy) the query string."""
    fields = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise PamError(500, UNEXPECTED, status=500) from None
        fields.update(parsed)
    elif text:
        fields.update({k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()})
    return fields


def require(values, checks, *, sent_only=False):
    """Raise the error of the first (field, code, text) check whose field is empty; with
    ``sent_only`` (an update) only fields that were sent are checked."""
    for name, code, text in checks:
        if not values.get(name) and (not sent_only or name in values):
            raise PamError(code, text)


def is_id(path_key):
    return path_key.isascii() and path_key.isdigit()


def comma_list(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def stamp(now):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))


class PamCore:
    """The PAM Core state (one id sequence per table, credentials and keys sharing one, as the
    credential list shows keys by their key id) and its rules."""

    def __init__(self, applications=None):
        self.applications = load_applications() if applications is None else applications
        self.lock = threading.RLock()
        self.switches = dict(DEFAULT_SWITCHES)
        self.startup_switches = dict(DEFAULT_SWITCHES)
        self.clear()
        self.reset_counters()

    # ------------------------------------------------------------------ state and control
    def clear(self):
        with self.lock:
            self.devices = {}
            self.items = {}      # credentials and SSH keys by id ("kind" tells them apart)
            self.domains = set()
            self.next_device_id = 1
            self.next_item_id = 1

    def reset_counters(self):
        with self.lock:
            self.counts = {PLURALS[r]: dict.fromkeys(OPERATIONS, 0) for r in RESOURCES}
            self.custody_taken = 0

    def reset(self, data):
        """The simulator's /_sim/reset: counters and switches back to their startup values."""
        self.reset_counters()
        self.switches = dict(self.startup_switches)
        if data:
            self.clear()

    def set_switches(self, values, startup=False):
        """Validate and apply switch values; ValueError names the bad one."""
        for name, value in values.items():
            if name == "tenant":
                if not isinstance(value, str):
                    raise ValueError("tenant must be a string")
            elif name not in SWITCH_CHOICES:
                raise ValueError(f"unknown switch {name!r}; known: {sorted(DEFAULT_SWITCHES)}")
            elif value not in SWITCH_CHOICES[name] or isinstance(value, bool) != isinstance(
                    SWITCH_CHOICES[name][0], bool):
                raise ValueError(f"switch {name} must be one of {SWITCH_CHOICES[name]}")
        with self.lock:
            self.switches.update(values)
            if startup:
                self.startup_switches.update(values)

    def authenticate(self, client_id, client_secret):
        """The application whose OAuth2 client this is, or None."""
        for app in self.applications.values():
            if app.client_id == client_id and hmac.compare_digest(app.client_secret,
                                                                  client_secret or ""):
                return app
        return None

    def counters(self):
        with self.lock:
            kinds = {plural: dict(ops) for plural, ops in self.counts.items()}
        every = [(op, n) for ops in kinds.values() for op, n in ops.items()]
        return {"total": sum(n for _op, n in every),
                "reads": sum(n for op, n in every if op in READ_OPERATIONS),
                "writes": sum(n for op, n in every if op not in READ_OPERATIONS),
                "custody": {"taken": self.custody_taken,
                            "release_requests": kinds["credentials"]["custody_release"]},
                "kinds": kinds}

    def records(self, plural):
        """Stored records of one table, for tests: everything, secrets and custody included."""
        with self.lock:
            if plural == "devices":
                rows = [self.devices[i] for i in sorted(self.devices)]
            else:
                kind = "credential" if plural == "credentials" else "key"
                rows = [self.items[i] for i in sorted(self.items) if self.items[i]["kind"] == kind]
            rows = copy.deepcopy(rows)
        for row in rows:
            for name in ("custody", "authorized"):
                if name in row:
                    row[name] = sorted(row[name])
        return rows

    def seed(self, resource, data):
        """Store one item through the upsert rules without counting; returns (status, body)."""
        fields = dict(data)
        active = fields.pop("active", True)
        holders = fields.pop("custody", [])
        authorized = fields.pop("authorized", [])
        creator = self.applications.get(fields.pop("created_by", "pam-rw"))
        if not isinstance(holders, list) or not isinstance(authorized, list):
            return 400, {"error": "custody and authorized must be lists of application names"}
        if creator is None or not all(name in self.applications for name in holders + authorized):
            return 400, {"error": f"unknown application in created_by/custody/authorized; "
                                  f"known: {sorted(self.applications)}"}
        store = getattr(self, f"store_{resource}")
        try:
            with self.lock:
                _created, record = store(creator, fields, time.time())
                record["active"] = bool(active)
                if resource != "device":
                    record["authorized"].update(authorized)
                    record["custody"].update(holders)
        except PamError as exc:
            return 400, {"error": exc.message}
        return 200, {"id": record["id"]}

    def control(self, method, name, data):
        """Serve ``/_sim/pam/<name>``; returns (status, body)."""
        route = (method, name)
        if method == "GET" and name in PLURALS.values():
            return 200, {name: self.records(name)}
        resource = {plural: single for single, plural in PLURALS.items()}.get(name)
        if method == "POST" and resource:
            return self.seed(resource, data)
        if route == ("GET", "counters"):
            return 200, self.counters()
        if route == ("GET", "custody"):
            return 200, {"custody": [{"id": str(r["id"]), "identifier": r["identifier"],
                                      "holders": r["custody"]}
                                     for r in self.records("credentials") if r["custody"]]}
        if route == ("POST", "domains"):
            domains = data.get("domains")
            if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
                return 400, {"error": "domains must be a list of names"}
            with self.lock:
                self.domains.update(domains)
            return 200, {"domains": sorted(self.domains)}
        if route == ("GET", "switches"):
            return 200, dict(self.switches)
        if route == ("POST", "switches"):
            try:
                self.set_switches(data)
            except ValueError as exc:
                return 400, {"error": str(exc)}
            return 200, dict(self.switches)
        return 404, {"message": "Unknown PAM control endpoint"}

    # ------------------------------------------------------------------ routing
    def route(self, method, path):
        """The PamCall of a request to a served PAM prefix, else None (the server answers 404)."""
        served = PREFIXES.values() if self.switches["prefixes"] == "both" \
            else (PREFIXES[self.switches["prefixes"]],)
        prefix = next((p for p in served if path.startswith(p + "/")), None)
        if prefix is None:
            return None
        parts = [unquote(p) for p in path[len(prefix) + 1:].split("/")]
        resource, rest = parts[0], parts[1:]
        if resource not in RESOURCES:
            return PamCall(None, None, None)
        if resource == "credential" and method == "DELETE" and len(rest) == 2 \
                and rest[0] == "custody":
            return PamCall(resource, "custody_release", rest[1])
        if not rest and method == "GET" and resource != "key":
            return PamCall(resource, "list", None)
        if not rest and method == "POST":
            return PamCall(resource, "upsert", None)
        if len(rest) == 1 and rest[0]:
            operation = "read" if method == "GET" else METHOD_OPERATIONS.get(method)
            if operation and operation != "upsert":
                return PamCall(resource, operation, rest[0])
        return PamCall(None, None, None)

    # ------------------------------------------------------------------ answers
    def envelope(self, status, message, *, error=False, with_code=True):
        """The answer frame: 3.33+ with code, twins and tenant; pre-3.33 the short one."""
        if self.switches["shapes"] == "pre-3.33":
            return {"response": {"status": status, "mensagem": message, "erro": error,
                                 "message": message, "error": error}}
        flag = 1 if error else 0
        body = {"code": status} if with_code else {}
        body["response"] = {"status": status, "message": message, "error": error,
                            "error_code": flag, "detail": "", "mensagem": message,
                            "erro": error, "cod_erro": flag}
        body["tenant"] = self.switches["tenant"]
        return body

    def error_answer(self, exc):
        body = self.envelope(exc.status, exc.message, error=True)
        body["exception"] = {"code": exc.code, "message": exc.message}
        if self.switches["shapes"] != "pre-3.33":
            body["exception"]["detail"] = None
        return exc.status, body

    def identifier_key(self):
        return "tag" if self.switches["shapes"] == "pre-3.33" else "identifier"

    def answer(self, call, principal, query, body):
        """(status, payload) of one PAM Core call; ``principal`` is whom the bearer token was
        issued to: None (no valid token), a MySafe username, or an Application."""
        if call.resource is None:
            return 404, self.envelope(404, NO_ROUTE, error=True)
        with self.lock:  # counted on arrival, as the MySafe counters are
            self.counts[PLURALS[call.resource]][call.operation] += 1
        if principal is None:
            return 401, GATEWAY_NO_ROUTE
        if not isinstance(principal, Application) or "PAM Core" not in principal.resources:
            return 500, self.envelope(500, NOT_AUTHORIZED, error=True)
        app, now = principal, time.time()
        try:
            with self.lock:
                if call.operation not in READ_OPERATIONS and not app.can_write:
                    raise READ_ONLY
                handler = getattr(self, f"{call.operation}_{call.resource}")
                if call.operation == "upsert":
                    return handler(app, request_fields(body, query), now)
                if call.operation == "list":
                    return handler(app)
                return handler(app, call.path_key, now)
        except PamError as exc:
            return self.error_answer(exc)

    def with_flag(self, entity, record):
        if self.switches["active_flag"]:
            entity["active"] = record["active"]
        return entity

    def listed(self, record):
        return record["active"] or self.switches["inactive_listed"]

    # ------------------------------------------------------------------ lookups
    def in_scope(self, app, item):
        return app.scope == "all" or app.name in item["authorized"]

    def find_device(self, path_key):
        """By id, else (as the old collection and helpcenter 3.23 do) by hostname."""
        if is_id(path_key):
            device = self.devices.get(int(path_key))
        else:
            device = next((d for d in self.devices.values() if d["hostname"] == path_key), None)
        if device is None:
            raise not_found("device")
        return device

    def find_item(self, app, resource, path_key, *, id_only=False):
        """A credential or key by id, ``username@hostname`` or identifier (numeric = id)."""
        if is_id(path_key):
            item = self.items.get(int(path_key))
        elif id_only:
            item = None
        elif "@" in path_key:
            username, _at, hostname = path_key.rpartition("@")
            item = next((i for i in self.items.values() if i["kind"] == resource
                         and i["username"] == username
                         and self.devices[i["device_id"]]["hostname"] == hostname), None)
        else:
            item = next((i for i in self.items.values() if i["identifier"] == path_key), None)
        if item is None:
            raise not_found(resource)
        if item["kind"] != resource:
            raise PamError(*WRONG_KIND[resource])
        if not self.in_scope(app, item):
            raise NO_ACCESS
        return item

    def device_of(self, fields):
        """The existing device named by ``hostname`` + ``ip`` (1004, 1005, 1011)."""
        address = {name: as_text(fields.get(name)) for name in ("hostname", "ip")}
        require(address, DEVICE_REQUIRED[:2])
        device = next((d for d in self.devices.values() if d["hostname"] == address["hostname"]
                       and d["ip"] == address["ip"]), None)
        if device is None:
            raise not_found("device")
        return device

    def check_domains(self, text):
        if any(name not in self.domains for name in comma_list(text)):
            raise PamError(1029, "It is not possible to enter a domain that has not been "
                                 "previously registered")

    def state_error(self, resource, active):
        """The error of activating an active / deactivating an inactive item."""
        pt_br = self.switches["state_codes"] == "pt-BR"
        if resource == "credential":
            if active:
                return PamError(1017, "Credential is already active") if pt_br \
                    else PamError(1043, "Credential is already activated!")
            return PamError(1017 if pt_br else 1008, "Credential inactive")
        if resource == "key":
            return PamError(1045, "Ssh key is already activated") if active \
                else PamError(1017, "Key inactive")
        return PamError(1044, "Device is already activated")

    # ------------------------------------------------------------------ devices
    def device_entity(self, device):
        entity = {"id": str(device["id"]), **{f: device[f] for f in DEVICE_FIELDS}}
        return self.with_flag(entity, device)

    def list_device(self, app):
        rows = [self.with_flag({**{f: str(d[f]) for f in DEVICE_LIST_FIELDS},
                                "tags": d["device_tags"]}, d)
                for _i, d in sorted(self.devices.items()) if self.listed(d)]
        return 200, {**self.envelope(200, f"{len(rows)} devices found"), "devices": rows}

    def read_device(self, app, path_key, now):
        device = self.find_device(path_key)
        return 200, {**self.envelope(200, f"Device {device['id']}"),
                     "device": self.device_entity(device)}

    def store_device(self, app, fields, now):
        """Keyed by hostname; the five descriptive fields are required to create only, and an
        update changes only the fields sent (an inactive device stays inactive)."""
        values = {f: as_text(fields[f]) for f in DEVICE_FIELDS if f in fields}
        require(values, DEVICE_REQUIRED[:1])
        device = next((d for d in self.devices.values()
                       if d["hostname"] == values["hostname"]), None)
        require(values, DEVICE_REQUIRED, sent_only=device is not None)
        self.check_domains(values.get("device_domain", ""))
        if device is None:
            device = {"id": self.next_device_id, **dict.fromkeys(DEVICE_FIELDS, ""),
                      "active": True}
            self.devices[device["id"]] = device
            self.next_device_id += 1
            created = True
        else:
            created = False
        device.update(values)
        return created, device

    def answer_upsert(self, created, message_created, message_updated, key, entity):
        status = 201
        http = self.switches["create_status"] if created else status
        message = message_created if created else message_updated
        return http, {**self.envelope(status, message), key: entity}

    def upsert_device(self, app, fields, now):
        created, device = self.store_device(app, fields, now)
        return self.answer_upsert(created, "Device successfully registered!",
                                  "Device updated successfully!", "device",
                                  self.device_entity(device))

    def deactivate_device(self, app, path_key, now):
        """Cascade: every credential and key on the device becomes inactive (activation does
        not reverse it). Deactivating an inactive device is undocumented: answered as success."""
        device = self.find_device(path_key)
        device["active"] = False
        for item in self.items.values():
            if item["device_id"] == device["id"]:
                item["active"] = False
        return 200, self.envelope(200, "Device successfully deactivated")

    def activate_device(self, app, path_key, now):
        device = self.find_device(path_key)
        if device["active"]:
            raise self.state_error("device", True)
        device["active"] = True
        return 200, self.envelope(200, "Device successfully activated")

    # ------------------------------------------------------------------ credentials and keys
    def new_item(self, kind, app, device, identifier):
        item = {"id": self.next_item_id, "kind": kind, "identifier": identifier,
                "username": "usr", "device_id": device["id"], "active": True,
                "created_by": app.name, "authorized": {app.name}, "custody": set(),
                "change": None, "view": None}
        self.items[item["id"]] = item
        self.next_item_id += 1
        return item

    def generated_identifier(self):
        """3.33+ servers make a UUID; older ones leave it empty (answered as null)."""
        return None if self.switches["shapes"] == "pre-3.33" else str(uuid.uuid4())

    def item_entity_key(self, item):
        return {"id": str(item["id"]), self.identifier_key(): item["identifier"]}

    def list_credential(self, app):
        rows = []
        pre_333 = self.switches["shapes"] == "pre-3.33"
        for _i, item in sorted(self.items.items()):
            if not (self.in_scope(app, item) and self.listed(item)):
                continue
            device = self.devices[item["device_id"]]
            protocol = (comma_list(device["connectivities"]) or [""])[0].split(":")[0]
            rows.append(self.with_flag({
                **self.item_entity_key(item), "username": item["username"],
                "expiration": None, "change": item["change"], "view": item["view"],
                "hostname": device["hostname"], "management_ip": device["ip"],
                "type": item["credential_type"] if item["kind"] == "credential" else "SSH Key",
                "type_code": "1", "device_model": device["model"],
                "device_type": device["type"], "device_vendor": device["vendor"],
                "automatic_change": "0" if pre_333 else False,
                "connectivity": protocol, "connectivity_code": "1" if protocol else ""}, item))
        return 200, {**self.envelope(200, f"{len(rows)} credentials found"), "credentials": rows}

    def read_credential(self, app, path_key, now):
        """Returns the password and takes custody for the application (again: still held)."""
        item = self.find_item(app, "credential", path_key)
        if not item["active"]:
            raise self.state_error("credential", False)
        item["custody"].add(app.name)
        item["view"] = stamp(now)
        self.custody_taken += 1
        device = self.devices[item["device_id"]]
        parent = self.items.get(int(item["parent_password"])) \
            if is_id(item["parent_password"]) else None
        ports = [c.split(":")[-1] for c in comma_list(device["connectivities"])]
        entity = {**self.item_entity_key(item), "username": item["username"],
                  "password": item["content"], "content": item["content"],
                  "hostname": device["hostname"],
                  "parent_credential_cod": str(parent["id"]) if parent else None,
                  "parent_credential": parent["username"] if parent else None,
                  "additional": item["additional"], "domain": item["domain"],
                  "ip": device["ip"], "port": ports[0] if ports else "",
                  "model": device["model"], "expiration_time": None}
        return 200, {**self.envelope(200, f"Credential {item['id']}", with_code=False),
                     "credential": self.with_flag(entity, item)}

    def check_identifier(self, identifier):
        allowed = r"[A-Za-z0-9_.-]+" if self.switches["identifier_dot"] else r"[A-Za-z0-9_-]+"
        if not re.fullmatch(allowed, identifier):
            raise PamError(1053, 'The identifier can only contain letters, numbers, "_" and "-".')

    def store_credential(self, app, fields, now):
        """Matched by identifier, else by (hostname, ip, username); see pam-core.md §4."""
        if "username" not in fields:
            raise PamError(1042, "Invalid username")
        device = self.device_of(fields)
        identifier = as_text(fields.get("identifier"))
        if identifier:
            self.check_identifier(identifier)
        values = {f: as_text(fields[f]) for f in CREDENTIAL_FIELDS if f in fields}
        self.check_domains(values.get("domain", ""))
        username = as_text(fields["username"]) or "usr"
        item = next((i for i in self.items.values() if identifier
                     and i["identifier"] == identifier), None)
        if item is not None and item["kind"] != "credential":
            raise PamError(*WRONG_KIND["credential"])
        if item is None:
            item = next((i for i in self.items.values() if i["kind"] == "credential"
                         and i["device_id"] == device["id"] and i["username"] == username), None)
        if item is not None and not self.in_scope(app, item):
            raise NO_ACCESS
        created = item is None
        if created:
            item = self.new_item("credential", app, device,
                                 identifier or self.generated_identifier())
            item.update(dict.fromkeys(CREDENTIAL_FIELDS, ""), credential_type="Local User")
        elif identifier:
            item["identifier"] = identifier
        item.update(values, username=username, device_id=device["id"])
        if "content" in values:
            item["change"] = stamp(now)
        return created, item

    def upsert_credential(self, app, fields, now):
        created, item = self.store_credential(app, fields, now)
        return self.answer_upsert(created, "Credential successfully registered!",
                                  "Credential updated successfully!", "credential",
                                  self.item_entity_key(item))

    def set_item_active(self, app, resource, path_key, active, *, id_only=False):
        item = self.find_item(app, resource, path_key, id_only=id_only)
        if item["active"] == active:
            raise self.state_error(resource, active)
        item["active"] = active
        label = "Credential" if resource == "credential" else "Key"
        verb = "activated" if active else "deactivated"
        return 200, self.envelope(200, f"{label} successfully {verb}")

    def deactivate_credential(self, app, path_key, now):
        return self.set_item_active(app, "credential", path_key, False)

    def activate_credential(self, app, path_key, now):
        """Documented by id only: any other path segment is not found."""
        return self.set_item_active(app, "credential", path_key, True, id_only=True)

    def custody_release_credential(self, app, path_key, now):
        item = self.find_item(app, "credential", path_key)
        if not item["active"]:
            raise self.state_error("credential", False)
        if app.name not in item["custody"]:
            raise PamError(1018, "The credential is not in the user custody")
        item["custody"].discard(app.name)
        return 200, self.envelope(200, f"Credential custody {item['id']} released")

    def key_devices(self, item):
        return [{"hostname": self.devices[i]["hostname"], "ip": self.devices[i]["ip"]}
                for i in item["devices"]]

    def read_key(self, app, path_key, now):
        """Returns the private key and passphrase; no custody (not documented for keys)."""
        item = self.find_item(app, "key", path_key)
        if not item["active"]:
            raise self.state_error("key", False)
        device = self.devices[item["device_id"]]
        tags = comma_list(item["tags"]) if self.switches["key_tags"] == "array" else item["tags"]
        entity = {"id": str(item["id"]), "username": item["username"],
                  "key_name": item["key_name"], "hostname": device["hostname"],
                  "ip": device["ip"], "private_key": item["private_key"],
                  "public_key": item["public_key"], "password": item["password"] or None,
                  "tags": tags, "devices": self.key_devices(item), "expiration_time": None}
        return 200, {**self.envelope(200, f"Key {item['id']}"),
                     "key": self.with_flag(entity, item)}

    def store_key(self, app, fields, now):
        """Updated by identifier only (partial: only the fields sent change); created otherwise."""
        identifier = as_text(fields.get("identifier"))
        item = next((i for i in self.items.values() if identifier
                     and i["identifier"] == identifier), None)
        if item is not None and item["kind"] != "key":
            raise PamError(*WRONG_KIND["key"])
        if item is not None and not self.in_scope(app, item):
            raise NO_ACCESS
        values = {f: as_text(fields[f]) for f in KEY_FIELDS if f in fields}
        if item is None or "hostname" in fields or "ip" in fields:
            device = self.device_of(fields)
        else:
            device = self.devices[item["device_id"]]
        require(values, KEY_REQUIRED, sent_only=item is not None)
        linked, errors = self.linked_devices(fields.get("devices"))
        created = item is None
        if created:
            item = self.new_item("key", app, device,
                                 identifier or self.generated_identifier())
            item.update(dict.fromkeys(KEY_FIELDS, ""), username="usr", devices=[])
            item["active"] = as_text(fields.get("enabled", True)) not in ("0", "false", "")
        item.update(values, device_id=device["id"])
        if "devices" in fields:
            item["devices"] = linked
        item["devices_error"] = errors
        return created, item

    def linked_devices(self, entries):
        """Ids of the existing additional devices, and an error per one that is not."""
        linked, errors = [], []
        for entry in entries or []:
            hostname = entry.get("hostname") if isinstance(entry, dict) else entry
            device = next((d for d in self.devices.values() if d["hostname"] == hostname), None)
            if device is None:
                errors.append({"hostname": hostname, "message": "1011: Device not found"})
            else:
                linked.append(device["id"])
        return linked, errors

    def upsert_key(self, app, fields, now):
        created, item = self.store_key(app, fields, now)
        entity = {**self.item_entity_key(item), "devices": self.key_devices(item),
                  "devices_error": item["devices_error"]}
        return self.answer_upsert(created, "Key successfully registered!",
                                  "Key updated successfully!", "key", entity)

    def deactivate_key(self, app, path_key, now):
        return self.set_item_active(app, "key", path_key, False)

    def activate_key(self, app, path_key, now):
        return self.set_item_active(app, "key", path_key, True)
