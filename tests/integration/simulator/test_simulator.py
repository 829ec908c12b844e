"""Tests of the Segura simulator itself: every other integration test trusts its behaviour.

They talk to a real simulator process over verified HTTPS with ``requests``.
"""

import json
import re
import ssl
import threading
import time
from http.client import HTTPSConnection

import pytest
import requests

from simulator import segura_sim
from simulator.control import SimulatorProcess

LIST = "/api/mysafe/secretapi"
GATEWAY_MESSAGE = {"message": "No route matched with those values."}
MINIMAL = {"name": "svc", "url": "https://svc.example", "client_id": "svc-id"}
NO_EDIT = "User does not have permission to edit this Api secret"


# --------------------------------------------------------------------------- helpers

def http(sim, method, path, **kwargs):
    """One request to the simulator; verify is passed per call (env may override sessions)."""
    kwargs.setdefault("timeout", 10)
    return requests.request(method, sim.url + path, verify=sim.ca_path, **kwargs)


def request_token(sim, username="alice", path="/iso/oauth2/token", **form):
    data = {"grant_type": "client_credentials", **sim.users[username], **form}
    return http(sim, "POST", path, data=data)


class Client:
    """A MySafe caller holding a bearer token for one user."""

    def __init__(self, sim, username):
        self.sim = sim
        response = request_token(sim, username)
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]

    def call(self, method, path, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return http(self.sim, method, path, headers=headers, **kwargs)

    def create(self, **fields):
        response = self.call("POST", LIST, json={**MINIMAL, **fields})
        assert response.status_code == 201, response.text
        return response.json()["api_entity"]["identifier"]

    def read(self, identifier):
        return self.call("GET", f"{LIST}/{identifier}")

    def update(self, identifier, **fields):
        return self.call("PUT", f"{LIST}/update/{identifier}", json=fields)

    def set_active(self, identifier, active):
        return self.call("POST", f"{LIST}/{'active' if active else 'inactive'}/{identifier}")

    def listing(self, **params):
        response = self.call("GET", LIST, params=params)
        assert response.status_code == 200, response.text
        return response.json()["api_secret_on_list"]


@pytest.fixture
def login(sim):
    return lambda username: Client(sim, username)


def assert_api_error(response, code, text):
    message = f"{code}: {text}"
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 400
    assert body["response"] == {"status": 400, "message": message, "error": True,
                                "error_code": 1, "detail": "", "mensagem": message,
                                "erro": True, "cod_erro": 1}
    assert body["exception"] == {"code": code, "message": message, "detail": None}


def assert_gateway_401(response):
    assert response.status_code == 401
    assert response.json() == GATEWAY_MESSAGE


# --------------------------------------------------------------------------- process / transport

def test_process_announces_port_and_exits_zero_on_sigterm(tmp_path):
    process = SimulatorProcess(tmp_path).start()
    try:
        assert process.control.health() == {"ok": True}
        # The certificate also covers DNS localhost.
        assert requests.get(f"https://localhost:{process.port}/_sim/health",
                            verify=process.ca_path, timeout=5).json() == {"ok": True}
    finally:
        assert process.stop() == 0
    log = process.log_path.read_text()
    assert f"segura-sim listening on https://127.0.0.1:{process.port}\n" in log
    assert "GET /_sim/health" not in log  # quiet by default


def test_plain_http_and_token_expiry(tmp_path):
    with SimulatorProcess(tmp_path, https=False, extra_args=["--expires-in", "1"]) as plain:
        assert plain.url.startswith("http://")
        response = request_token(plain)
        assert response.json()["expires_in"] == 1
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        assert http(plain, "GET", LIST, headers=headers).status_code == 200
        time.sleep(1.2)
        assert_gateway_401(http(plain, "GET", LIST, headers=headers))


def test_keep_alive_survives_errors(sim):
    """HTTP/1.1 with exact Content-Length: one connection serves many answers."""
    context = ssl.create_default_context(cafile=sim.ca_path)
    connection = HTTPSConnection("127.0.0.1", sim.port, context=context, timeout=5)
    try:
        statuses = []
        for method, path in [("GET", LIST), ("GET", "/nowhere"), ("POST", "/iso/oauth2/token"),
                             ("GET", "/_sim/health")]:
            connection.request(method, path, body=b"" if method == "POST" else None)
            response = connection.getresponse()
            json.loads(response.read())
            statuses.append(response.status)
            assert not response.will_close
        assert statuses == [401, 404, 400, 200]
    finally:
        connection.close()


# --------------------------------------------------------------------------- token endpoint

@pytest.mark.parametrize("path", ["/iso/oauth2/token", "/api/oauth2/token"])
def test_token_via_form_on_both_paths(sim, path):
    response = request_token(sim, "bob", path=path)
    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{40}", body["access_token"])
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    listing = http(sim, "GET", LIST, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listing.status_code == 200


def test_token_via_basic_auth(sim):
    user = sim.users["carol"]
    response = http(sim, "POST", "/iso/oauth2/token", data={"grant_type": "client_credentials"},
                    auth=(user["client_id"], user["client_secret"]))
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("form", [
    {"client_secret": "wrong"},
    {"client_id": "nobody"},
    {"client_id": "", "client_secret": ""},
])
def test_token_wrong_credentials(sim, form):
    response = request_token(sim, "alice", **form)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client",
                               "error_description": "Client authentication failed"}


def test_token_unsupported_grant_type(sim):
    response = request_token(sim, "alice", grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_tenant_mode(sim, tmp_path):
    with SimulatorProcess(tmp_path, ca=sim.pki, extra_args=["--tenant", "acme"]) as tenant_sim:
        missing = request_token(tenant_sim)
        assert missing.status_code == 400
        assert missing.json() == {
            "error": "invalid_request",
            "error_description": "Parameter 'tenant' is required for this server"}
        wrong = request_token(tenant_sim, tenant="other")
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        assert request_token(tenant_sim, tenant="acme").status_code == 200


# --------------------------------------------------------------------------- gateway behaviour

@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer deadbeef", "Basic YTpi"])
def test_bad_bearer_gets_gateway_401(sim, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    assert_gateway_401(http(sim, "GET", LIST, headers=headers))


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/mysafe/unknown"), ("DELETE", f"{LIST}/1"), ("GET", "/iso/oauth2/token"),
    ("GET", f"{LIST}/update/1"), ("POST", f"{LIST}/1"),
])
def test_unknown_route_404(login, method, path):
    response = login("alice").call(method, path)
    assert response.status_code == 404
    assert response.json() == GATEWAY_MESSAGE


# --------------------------------------------------------------------------- list

def test_list_visibility_and_write_flag(login):
    alice, bob, carol, dave, admin = map(login, ["alice", "bob", "carol", "dave", "admin"])
    private = alice.create(name="private")
    viewable = alice.create(name="for-carol", users_allowed=[{"username": "carol"}])
    group = alice.create(name="devops", groups_allowed=[{"name": "devops", "can_edit": True}])
    admin.create(name="admin-only")
    assert alice.set_active(viewable, False).status_code == 200

    def summary(client):
        return [(row["identifier"], row["can_write"]) for row in client.listing()]

    assert summary(alice) == [(private, True), (viewable, True), (group, True)]
    assert summary(bob) == [(group, True)]
    assert summary(carol) == [(viewable, False)]  # inactive ones are listed too
    assert summary(dave) == []
    row = carol.listing()[0]
    assert row == {"identifier": viewable, "name": "for-carol", "need_justify": "0",
                   "need_approval": "0", "can_view": True, "can_write": False}


def test_list_filters(login):
    alice = login("alice")
    cloud = alice.create(tags="Cloud, Prod", identifier_code="code-1")
    alice.create(tags="Cloudy", identifier_code="code-10")
    assert [r["identifier"] for r in alice.listing(tag="prod")] == [cloud]
    assert [r["identifier"] for r in alice.listing(tag="CLOUD")] == [cloud]
    assert [r["identifier"] for r in alice.listing(identifier_code="code-1")] == [cloud]
    assert alice.listing(identifier_code="code") == []
    assert len(alice.listing()) == 2


# --------------------------------------------------------------------------- read

def test_read_quirks(login):
    alice = login("alice")
    identifier = alice.create(client_secret="s3cr3t", identifier_code="ic", method="get",
                              tags="t", notes="n", users_allowed=[{"username": "bob",
                                                                   "can_edit": True}],
                              groups_allowed=[{"name": "auditors"}])
    body = alice.read(identifier).json()
    assert body["code"] == 200
    assert body["response"]["Message"] == "Success" and "mensagem" not in body["response"]
    assert body["api_secret_entity"] == {
        "identifier": identifier, "name": "svc", "url": "https://svc.example",
        "client_secret": "s3cr3t", "client_id": "svc-id", "identifier_code": "ic",
        "method": "get", "tags": "t", "notes": "n",
        "users_allowed": [{"name": "bob", "can_edit": True}],
        "groups_allowed": [{"name": "auditors", "can_edit": False}]}
    assert isinstance(body["api_secret_entity"]["identifier"], str)


def test_read_errors_in_documented_order(login):
    alice, dave = login("alice"), login("dave")
    identifier = alice.create()
    assert_api_error(alice.read("abc"), 1010, "Unexpected identifier type")
    assert_api_error(alice.read("999"), 1005, "Api secret not found")
    alice.set_active(identifier, False)
    assert_api_error(dave.read(identifier), 1006, "User does not have access")  # before 1009
    assert_api_error(alice.read(identifier), 1009, "Inactive Api secret")


# --------------------------------------------------------------------------- create

@pytest.mark.parametrize("field", ["name", "url", "client_id"])
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_create_required_fields(login, field, how):
    body = dict(MINIMAL)
    if how == "missing":
        del body[field]
    else:
        body[field] = ""
    response = login("alice").call("POST", LIST, json=body)
    assert_api_error(response, 1001, f"Parameter '{field}' was not informed!")


def test_create_checks_required_fields_in_order(login):
    response = login("alice").call("POST", LIST, json={"client_id": "x"})
    assert_api_error(response, 1001, "Parameter 'name' was not informed!")


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b""])
def test_create_rejects_non_object_body(login, body):
    response = login("alice").call("POST", LIST, data=body,
                                   headers={"Content-Type": "application/json"})
    assert_api_error(response, 1001, "Invalid request body")


def test_create_stores_defaults_and_owner(sim, login):
    response = login("bob").call("POST", LIST, json=MINIMAL)
    body = response.json()
    assert body["code"] == 201
    assert body["response"]["message"] == body["response"]["mensagem"] == \
        "Api secret successfully registered"
    assert body["api_entity"]["identifier"] == "1"
    assert body["api_entity"]["shared_error"] == []
    [stored] = sim.control.secrets()
    assert stored == {"identifier": 1, **MINIMAL, "client_secret": "", "identifier_code": "",
                      "method": "", "tags": "", "notes": "", "users_allowed": [],
                      "groups_allowed": [], "owner": "bob", "active": True}


def test_identifier_code_unique_per_owner(login):
    alice, bob = login("alice"), login("bob")
    first = alice.create(identifier_code="dup")
    alice.set_active(first, False)  # inactive secrets still hold their code
    response = alice.call("POST", LIST, json={**MINIMAL, "identifier_code": "dup"})
    assert_api_error(response, 1001, "Identifier already found in another API key of this user")
    assert bob.create(identifier_code="dup") == "2"
    assert alice.create(identifier_code="") == "3"
    assert alice.create(identifier_code="") == "4"  # empty codes never collide


def test_unknown_shares_reported_in_shared_error(sim, login):
    response = login("alice").call("POST", LIST, json={
        **MINIMAL,
        "users_allowed": [{"username": "zed"}, {"username": "carol"}],
        "groups_allowed": [{"name": "ghosts", "can_edit": True}, {"name": "devops"}]})
    entity = response.json()["api_entity"]
    assert entity["shared_error"] == ["User 'zed' not found", "Group 'ghosts' not found"]
    assert entity["users_allowed"] == [{"username": "carol", "can_edit": False}]
    assert entity["groups_allowed"] == [{"name": "devops", "can_edit": False}]
    assert sim.control.secrets()[0]["users_allowed"] == [{"username": "carol", "can_edit": False}]


# --------------------------------------------------------------------------- update

def test_update_is_partial_and_replaces_share_lists(login):
    alice = login("alice")
    identifier = alice.create(notes="old", tags="a", users_allowed=[{"username": "bob"}],
                              groups_allowed=[{"name": "devops"}])
    response = alice.update(identifier, notes="new", users_allowed=[{"username": "carol", "can_edit": True}])
    body = response.json()
    assert response.status_code == 201 and body["code"] == 201
    assert body["response"]["message"] == "Api secret successfully registered"
    assert body["api_entity"]["notes"] == "new"  # the updated entity, not the old one
    assert body["api_entity"]["shared_error"] == []
    entity = alice.read(identifier).json()["api_secret_entity"]
    assert entity["notes"] == "new" and entity["tags"] == "a" and entity["name"] == "svc"
    assert entity["users_allowed"] == [{"name": "carol", "can_edit": True}]
    assert entity["groups_allowed"] == [{"name": "devops", "can_edit": False}]


def test_update_permissions(login):
    alice = login("alice")
    identifier = alice.create(users_allowed=[{"username": "carol"}],
                              groups_allowed=[{"name": "devops", "can_edit": True}])
    assert_api_error(login("carol").update(identifier, notes="x"), 1006, NO_EDIT)
    assert_api_error(login("dave").update(identifier, notes="x"), 1006,
                     "User does not have access")
    assert login("bob").update(identifier, notes="by bob").status_code == 201
    assert alice.read(identifier).json()["api_secret_entity"]["notes"] == "by bob"


def test_update_errors(sim, login):
    alice = login("alice")
    first = alice.create(identifier_code="one")
    second = alice.create(identifier_code="two")
    assert_api_error(alice.update("x1"), 1010, "Unexpected identifier type")
    assert_api_error(alice.update("404"), 1005, "Api secret not found")
    assert_api_error(alice.update(second, identifier_code="one", notes="lost"), 1001,
                     "Identifier already found in another API key of this user")
    assert_api_error(alice.update(second, url=""), 1001, "Parameter 'url' was not informed!")
    assert alice.update(first, identifier_code="one").status_code == 201  # its own code
    alice.set_active(second, False)
    assert_api_error(alice.update(second, notes="x"), 1009, "Inactive Api secret")
    assert [s["notes"] for s in sim.control.secrets()] == ["", ""]  # failures change nothing


def test_legacy_update(sim, tmp_path):
    with SimulatorProcess(tmp_path, ca=sim.pki, extra_args=["--legacy-update"]) as legacy:
        client = Client(legacy, "alice")
        response = client.update(client.create(), notes="x")
        body = response.json()
        assert response.status_code == 200 and body["code"] == 200
        assert body["response"]["message"] == "Api secret updated successfully"
        assert body["api_entity"]["notes"] == "x"


# --------------------------------------------------------------------------- activation

def test_deactivate_and_activate(login):
    alice = login("alice")
    identifier = alice.create()
    steps = [(False, "Api secret successfully deactivated"),
             (False, "Api secret has already been deactivated"),
             (True, "Api secret successfully activated"),
             (True, "Api secret has already been activated")]
    for active, message in steps:
        response = alice.set_active(identifier, active)
        body = response.json()
        assert response.status_code == 200
        assert "code" not in body  # documented quirk
        assert body["response"]["message"] == message and body["response"]["error"] is False
        assert alice.read(identifier).status_code == (200 if active else 400)


@pytest.mark.parametrize("active", [True, False])
def test_activation_checks(login, active):
    alice = login("alice")
    identifier = alice.create(users_allowed=[{"username": "carol"}])
    assert_api_error(alice.set_active("1a", active), 1010, "Unexpected identifier type")
    assert_api_error(alice.set_active("77", active), 1005, "Api secret not found")
    assert_api_error(login("dave").set_active(identifier, active), 1006,
                     "User does not have access")
    assert_api_error(login("carol").set_active(identifier, active), 1006, NO_EDIT)


# --------------------------------------------------------------------------- persistence

def test_state_file_persists_across_restart(sim, tmp_path):
    state = tmp_path / "state.json"
    args = ["--state-file", str(state)]
    with SimulatorProcess(tmp_path, ca=sim.pki, extra_args=args) as first:
        client = Client(first, "alice")
        kept = client.create(name="kept", client_secret="pw")
        saved = json.loads(state.read_text())["secrets"]
        assert [s["name"] for s in saved] == ["kept"]  # saved after every write
        client.set_active(client.create(name="off"), False)
    assert json.loads(state.read_text())["next_id"] == 3
    with SimulatorProcess(tmp_path, ca=sim.pki, extra_args=args) as second:
        client = Client(second, "alice")
        assert client.read(kept).json()["api_secret_entity"]["client_secret"] == "pw"
        assert [s["active"] for s in second.control.secrets()] == [True, False]
        assert client.create(name="next") == "3"


# ------------------------------------------------------------------ control: counters, reset

def test_counters(sim, login):
    alice = login("alice")  # 1 token
    identifier = alice.create()
    alice.read(identifier)
    alice.listing()
    alice.update(identifier, notes="x")
    alice.set_active(identifier, False)
    alice.set_active(identifier, True)
    alice.call("GET", "/nowhere")
    http(sim, "GET", LIST)  # 401 still counts
    request_token(sim, "alice", client_secret="bad")
    sim.control.health()  # control calls never count
    assert sim.control.counters() == {
        "total": 10, "token": 2, "writes": 4, "faults_injected": 0,
        "endpoints": {"token": 2, "list": 2, "read": 1, "create": 1, "update": 1,
                      "inactive": 1, "active": 1, "other": 1}}


def test_request_log(sim, login):
    """Every API request is logged on arrival (401s and 404s included), control calls never."""
    alice = login("alice")
    alice.call("GET", LIST, headers={"User-Agent": "probe/1.0"})
    alice.call("GET", "/nowhere?x=1")
    http(sim, "GET", f"{LIST}/7")  # no token: 401, still logged
    sim.control.health()
    first, *rest = sim.control.requests()
    assert first["method"] == "POST" and first["path"] == "/iso/oauth2/token"
    assert first["user_agent"].startswith("python-requests/")
    assert rest == [
        {"method": "GET", "path": LIST, "user_agent": "probe/1.0"},
        {"method": "GET", "path": "/nowhere", "user_agent": first["user_agent"]},
        {"method": "GET", "path": f"{LIST}/7", "user_agent": first["user_agent"]},
    ]


def test_request_log_keeps_the_last_100_and_is_reset(sim, login):
    alice = login("alice")
    for number in range(105):
        alice.call("GET", f"{LIST}/{number}")
    logged = sim.control.requests()
    assert [entry["path"] for entry in logged] == [f"{LIST}/{number}" for number in range(5, 105)]
    sim.control.reset(data=False)
    assert sim.control.requests() == []


def test_reset(sim, login):
    alice = login("alice")
    alice.create()
    sim.control.fault("500", count=5)
    sim.control.latency(5000)
    sim.control.reset(data=False)
    assert sim.control.counters()["total"] == 0
    assert sim.control.faults() == []
    started = time.monotonic()
    assert len(alice.listing()) == 1  # secrets kept, no fault, no 5 s latency
    assert time.monotonic() - started < 4
    sim.control.reset(data=True)
    assert sim.control.secrets() == []
    assert alice.create() == "1"  # ids restart; tokens survive a reset


# --------------------------------------------------------------------------- control: faults

@pytest.mark.parametrize("kind, text", [
    ("502", "An invalid response was received from the upstream server"),
    ("504", "The upstream server is timing out"),
])
@pytest.mark.parametrize("fmt", ["html", "json"])
def test_gateway_faults(sim, login, kind, text, fmt):
    alice = login("alice")
    sim.control.fault(kind, count=2, endpoint="list", format=fmt)
    for _attempt in range(2):
        response = alice.call("GET", LIST)
        assert response.status_code == int(kind)
        if fmt == "json":
            assert response.json() == {"message": text}
        else:
            assert response.headers["Content-Type"].startswith("text/html")
            assert text in response.text and "<html>" in response.text
    assert alice.call("GET", LIST).status_code == 200  # count consumed
    assert sim.control.counters()["faults_injected"] == 2


def test_fault_500_envelope(sim, login):
    alice = login("alice")
    sim.control.fault("500", endpoint="read")
    body = alice.read("1").json()
    assert body == {"code": 500, "response": {
        "status": 500, "message": "Unexpected error.", "error": True, "error_code": 1,
        "detail": "", "mensagem": "Unexpected error.", "erro": True, "cod_erro": 1}}


@pytest.mark.parametrize("retry_after", ["1", "Wed, 21 Oct 2026 07:28:00 GMT", None])
def test_fault_429(sim, login, retry_after):
    alice = login("alice")
    opts = {"retry_after": retry_after} if retry_after else {}
    sim.control.fault("429", endpoint="api", **opts)
    response = alice.call("GET", LIST)
    assert response.status_code == 429
    assert response.json() == {"message": "API rate limit exceeded"}
    assert response.headers.get("Retry-After") == retry_after


def test_fault_matching_by_endpoint_and_method(sim, login):
    alice = login("alice")
    sim.control.fault("502", endpoint="api", format="json")
    assert request_token(sim).status_code == 200  # "api" never matches the token call
    assert alice.call("GET", LIST).status_code == 502
    sim.control.fault("502", endpoint="any", method="PUT")
    assert alice.call("GET", LIST).status_code == 200
    identifier = alice.create()
    assert alice.update(identifier, notes="x").status_code == 502
    sim.control.fault("504", endpoint="token")
    assert alice.call("GET", LIST).status_code == 200
    assert request_token(sim).status_code == 504


@pytest.mark.parametrize("after_write, stored", [(False, 0), (True, 1)])
def test_fault_before_or_after_write(sim, login, after_write, stored):
    alice = login("alice")
    sim.control.fault("502", endpoint="create", after_write=after_write)
    assert alice.call("POST", LIST, json=MINIMAL).status_code == 502
    assert len(sim.control.secrets()) == stored


def test_fault_after_write_on_update(sim, login):
    alice = login("alice")
    identifier = alice.create()
    sim.control.fault("504", endpoint="update", after_write=True)
    assert alice.update(identifier, notes="applied").status_code == 504
    assert sim.control.secrets()[0]["notes"] == "applied"


def test_fault_rate(sim, login):
    alice = login("alice")
    sim.control.fault("502", endpoint="list", rate=0.5, seed=7)
    statuses = [alice.call("GET", LIST).status_code for _request in range(30)]
    assert 0 < statuses.count(502) < 30 and statuses.count(200) + statuses.count(502) == 30
    assert len(sim.control.faults()) == 1  # rate rules stay until cleared
    sim.control.clear_faults()
    assert alice.call("GET", LIST).status_code == 200
    sim.control.fault("502", endpoint="list", rate=1.0)
    assert {alice.call("GET", LIST).status_code for _request in range(5)} == {502}


@pytest.mark.parametrize("after_write, stored", [(False, 0), (True, 1)])
def test_fault_drop(sim, login, after_write, stored):
    alice = login("alice")
    sim.control.fault("drop", endpoint="create", after_write=after_write)
    with pytest.raises(requests.ConnectionError):
        alice.call("POST", LIST, json=MINIMAL)
    assert len(sim.control.secrets()) == stored
    assert alice.call("GET", LIST).status_code == 200


def test_fault_stall_does_not_block_others(sim, login):
    alice = login("alice")
    sim.control.fault("stall", endpoint="read", stall_seconds=1.5)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        alice.call("GET", f"{LIST}/1", timeout=0.5)
    assert alice.call("GET", LIST).status_code == 200  # while the stall still sleeps
    assert time.monotonic() - started < 1.5
    assert sim.control.counters()["faults_injected"] == 1


def test_fault_rule_validation(sim):
    for bad in [{"kind": "418"}, {"kind": "502", "endpoint": "nope"},
                {"kind": "502", "count": 0}, {"kind": "502", "rate": 2},
                {"kind": "502", "format": "xml"}, {"kind": "502", "bogus": 1}]:
        response = http(sim, "POST", "/_sim/faults", json=bad)
        assert response.status_code == 400, bad
    assert sim.control.faults() == []


# ----------------------------------------------------------- control: tokens, latency, dump

def test_expire_tokens(sim, login):
    alice = login("alice")
    assert alice.call("GET", LIST).status_code == 200
    sim.control.expire_tokens()
    assert_gateway_401(alice.call("GET", LIST))
    assert login("alice").call("GET", LIST).status_code == 200


def test_latency(sim, login):
    alice = login("alice")
    sim.control.latency(200)
    started = time.monotonic()
    assert alice.call("GET", LIST).status_code == 200
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert request_token(sim).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_secrets_dump_holds_hidden_fields(sim, login):
    alice = login("alice")
    alice.set_active(alice.create(client_secret="hunter2"), False)
    [stored] = sim.control.secrets()
    assert (stored["owner"], stored["active"], stored["client_secret"]) == \
        ("alice", False, "hunter2")


# --------------------------------------------------------------------------- in-process checks

@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.5", False), ("192.168.1.1", False), ("::ffff:10.0.0.5", False), ("2001:db8::1", False),
    ("", False), ("localhost", False),
])
def test_is_loopback(address, expected):
    assert segura_sim.is_loopback(address) is expected


@pytest.fixture
def inproc():
    """The simulator served in this process (plain HTTP), for checks needing monkeypatching."""
    server = segura_sim.create_server(segura_sim.parse_args(["--port", "0"]))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_control_refuses_non_loopback_clients(inproc, monkeypatch):
    monkeypatch.setattr(segura_sim, "is_loopback", lambda address: False)
    response = requests.get(f"{inproc.url}/_sim/counters", timeout=5)
    assert response.status_code == 403


def test_unhandled_exception_answers_500(inproc, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(segura_sim.Vault, "list_visible", boom)
    user = inproc.sim.directory.users["alice"]
    token = requests.post(f"{inproc.url}/iso/oauth2/token", timeout=5, data={
        "grant_type": "client_credentials", "client_id": user["client_id"],
        "client_secret": user["client_secret"]}).json()["access_token"]
    response = requests.get(f"{inproc.url}{LIST}", timeout=5,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    body = response.json()
    assert body["response"]["message"] == "Unexpected error." and "exception" not in body
