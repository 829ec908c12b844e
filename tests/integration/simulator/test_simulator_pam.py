"""Tests of the simulator's PAM Core (segura-docs/pam-core.md): devices, credentials, SSH keys,
custody, A2A authorizations, both path prefixes and the documented variants as switches.

Real HTTPS requests with ``requests`` against the session simulator (``sim``: wiped, counters
and switches back to their startup values, per test).
"""

import json

import pytest
import requests

from simulator.control import SimulatorProcess

API, ISO = "/api/pam", "/iso/pam"
DEVICE = {"hostname": "db-01", "ip": "10.20.0.7", "type": "Database", "vendor": "PostgreSQL",
          "model": "PostgreSQL 15", "site": "DC1"}
ON_DEVICE = {"hostname": "db-01", "ip": "10.20.0.7"}
CREDENTIAL = {**ON_DEVICE, "username": "dbadmin", "content": "canary-Pw-71x",
              "identifier": "app-db-admin"}
KEY = {**ON_DEVICE, "username": "deploy", "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----"
       "\r\ncanary-key-body\r\n-----END OPENSSH PRIVATE KEY-----",
       "public_key": "ssh-ed25519 AAAAC3Nza deploy@ci", "identifier": "deploy-key"}
GATEWAY_NO_ROUTE = {"message": "No route matched with those values."}


def token_for(sim, application):
    answer = requests.post(sim.url + "/iso/oauth2/token", verify=sim.ca_path, timeout=10,
                           data={"grant_type": "client_credentials",
                                 **sim.applications[application]})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


class Pam:
    """One A2A application with a bearer token, calling PAM Core below ``prefix``."""

    def __init__(self, sim, application="pam-rw", prefix=API, token=None):
        self.sim = sim
        self.prefix = prefix
        self.headers = {"Authorization": "Bearer " + (token or token_for(sim, application))}

    def send(self, method, path, **kwargs):
        return requests.request(method, self.sim.url + self.prefix + path, headers=self.headers,
                                verify=self.sim.ca_path, timeout=10, **kwargs)

    def post(self, resource, body):
        return self.send("POST", f"/{resource}", json=body)

    def created(self, resource, body):
        """POST and return the answered entity, asserting a 201 success."""
        answer = self.post(resource, body)
        assert answer.status_code == 201, answer.text
        return answer.json()[resource]


@pytest.fixture
def pam(sim):
    return lambda application="pam-rw", prefix=API: Pam(sim, application, prefix)


@pytest.fixture
def device(sim):
    """The device every credential and key below lives on; its id (an int)."""
    return sim.control.pam_seed("device", **DEVICE)


def expect_error(answer, code, text):
    """A documented business error: HTTP 400, "NNNN: text" in both twins, exception block."""
    message = f"{code}: {text}"
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "code": 400, "tenant": "Segura",
        "response": {"status": 400, "message": message, "error": True, "error_code": 1,
                     "detail": "", "mensagem": message, "erro": True, "cod_erro": 1},
        "exception": {"code": code, "message": message, "detail": None}}


def expect_success(answer, status, message, *, code=True):
    """A success frame with both twins, ``tenant``; ``code`` unless ``code=False``."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body.get("code") == (status if code else None)
    assert body["tenant"] == "Segura"
    response = dict(body["response"])
    assert response == {"status": response["status"], "message": message, "error": False,
                        "error_code": 0, "detail": "", "mensagem": message, "erro": False,
                        "cod_erro": 0}
    return body


# --------------------------------------------------------------------------- authentication

def test_a2a_client_gets_a_token_by_form_or_basic(sim):
    client = sim.applications["pam-rw"]
    basic = requests.post(sim.url + "/iso/oauth2/token", verify=sim.ca_path, timeout=10,
                          data={"grant_type": "client_credentials"},
                          auth=(client["client_id"], client["client_secret"]))
    assert basic.status_code == 200, basic.text
    assert Pam(sim, token=basic.json()["access_token"]).send("GET", "/device").status_code == 200
    wrong = requests.post(sim.url + "/iso/oauth2/token", verify=sim.ca_path, timeout=10,
                          data={"grant_type": "client_credentials",
                                "client_id": client["client_id"], "client_secret": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error_description"] == "Client authentication failed"


def test_pam_and_mysafe_tokens_do_not_cross(sim):
    mysafe_token = requests.post(sim.url + "/iso/oauth2/token", verify=sim.ca_path, timeout=10,
                                 data={"grant_type": "client_credentials",
                                       **sim.users["alice"]}).json()["access_token"]
    refused = Pam(sim, token=mysafe_token).send("GET", "/device")
    assert refused.status_code == 500
    assert refused.json()["response"]["message"] == "You are not authorized to access this resource."
    mysafe = requests.get(sim.url + "/api/mysafe/password", verify=sim.ca_path, timeout=10,
                          headers={"Authorization": "Bearer " + token_for(sim, "pam-rw")})
    assert (mysafe.status_code, mysafe.json()) == (401, GATEWAY_NO_ROUTE)


def test_application_without_the_pam_core_resource_gets_500(pam):
    answer = pam("system-only").send("GET", "/credential")
    assert answer.status_code == 500
    body = answer.json()
    assert body["response"]["error"] is True
    assert body["response"]["message"] == "You are not authorized to access this resource."


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"])
def test_missing_or_unknown_token_gets_the_gateway_401(sim, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    answer = requests.get(sim.url + API + "/device", headers=headers, verify=sim.ca_path,
                          timeout=10)
    assert (answer.status_code, answer.json()) == (401, GATEWAY_NO_ROUTE)


# --------------------------------------------------------------------------- devices

@pytest.mark.parametrize("prefix", [API, ISO])
def test_device_upsert_creates_then_updates_by_hostname(sim, pam, prefix):
    client = pam(prefix=prefix)
    created = expect_success(client.post("device", {**DEVICE, "connectivities": "SSH:22"}),
                             201, "Device successfully registered!")
    assert created["device"] == {
        "id": "1", **DEVICE, "device_domain": "", "device_tags": "",
        "connectivities": "SSH:22", "session_remote_config": ""}
    # Same hostname: an update of only the fields sent, same id.
    updated = expect_success(client.post("device", {"hostname": "db-01", "ip": "10.20.0.8",
                                                    "device_tags": "db,prod"}),
                             201, "Device updated successfully!")
    assert updated["device"]["id"] == "1"
    assert (updated["device"]["ip"], updated["device"]["device_tags"],
            updated["device"]["model"]) == ("10.20.0.8", "db,prod", "PostgreSQL 15")
    assert [d["id"] for d in sim.control.pam_records("devices")] == [1]
    expect_error(client.post("device", {"hostname": "db-01", "vendor": ""}), 1021,
                 "The device's vendor was not informed")
    assert sim.control.pam_records("devices")[0]["vendor"] == "PostgreSQL"


@pytest.mark.parametrize("missing, code, text", [
    ("hostname", 1004, "The device's hostname was not informed"),
    ("ip", 1005, "The device's IP was not informed"),
    ("type", 1022, "The device's type was not informed"),
    ("vendor", 1021, "The device's vendor was not informed"),
    ("model", 1020, "The device's model was not informed"),
    ("site", 1019, "The device's site was not informed"),
])
def test_device_create_requires_each_field(sim, pam, missing, code, text):
    body = {key: value for key, value in DEVICE.items() if key != missing}
    expect_error(pam().post("device", body), code, text)
    assert sim.control.pam_records("devices") == []


def test_device_fields_are_checked_in_the_documented_order(pam):
    expect_error(pam().post("device", {"ip": "", "site": ""}), 1004,
                 "The device's hostname was not informed")
    expect_error(pam().post("device", {"hostname": "x", "site": "DC1"}), 1005,
                 "The device's IP was not informed")


def test_device_domain_must_be_registered(sim, pam):
    domain_error = "It is not possible to enter a domain that has not been previously registered"
    expect_error(pam().post("device", {**DEVICE, "device_domain": "corp.lab"}), 1029, domain_error)
    sim.control.pam_domains("corp.lab", "dmz.lab")
    assert pam().created("device", {**DEVICE, "device_domain": "corp.lab,dmz.lab"})[
        "device_domain"] == "corp.lab,dmz.lab"


def test_device_list_shows_only_the_list_fields(sim, pam, device):
    sim.control.pam_switches(inactive_listed=True)  # the inactive device listed too, without a flag
    sim.control.pam_seed("device", **{**DEVICE, "hostname": "win-01"}, device_tags="win",
                         connectivities="RDP:3389", active=False)
    body = expect_success(pam().send("GET", "/device"), 200, "2 devices found")
    assert body["devices"] == [
        {"id": "1", "hostname": "db-01", "ip": "10.20.0.7", "model": "PostgreSQL 15",
         "type": "Database", "vendor": "PostgreSQL", "site": "DC1", "tags": ""},
        {"id": "2", "hostname": "win-01", "ip": "10.20.0.7", "model": "PostgreSQL 15",
         "type": "Database", "vendor": "PostgreSQL", "site": "DC1", "tags": "win"}]


@pytest.mark.parametrize("path_key", ["1", "db-01"])
def test_device_read_by_id_or_hostname(pam, device, path_key):
    body = expect_success(pam().send("GET", f"/device/{path_key}"), 200, "Device 1")
    assert body["device"]["hostname"] == "db-01" and body["device"]["id"] == "1"
    assert set(body["device"]) == {"id", "hostname", "ip", "model", "type", "vendor", "site",
                                   "device_domain", "connectivities", "session_remote_config",
                                   "device_tags"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_device_is_1011(pam, method):
    expect_error(pam().send(method, "/device/99"), 1011, "Device not found")


def test_device_deactivation_cascades_and_activation_does_not_reverse_it(sim, pam, device):
    credential = sim.control.pam_seed("credential", **CREDENTIAL)
    key = sim.control.pam_seed("key", **KEY)
    client = pam()
    expect_success(client.send("DELETE", "/device/1"), 200, "Device successfully deactivated")
    assert [r["active"] for r in sim.control.pam_records("credentials")] == [False]
    assert [r["active"] for r in sim.control.pam_records("keys")] == [False]
    # Deactivating again is undocumented: the simulator answers success (idempotent).
    expect_success(client.send("DELETE", "/device/db-01"), 200, "Device successfully deactivated")
    expect_success(client.send("PUT", "/device/1"), 200, "Device successfully activated")
    expect_error(client.send("PUT", "/device/1"), 1044, "Device is already activated")
    assert sim.control.pam_records("devices")[0]["active"] is True
    expect_error(client.send("GET", f"/credential/{credential}"), 1008, "Credential inactive")
    expect_error(client.send("GET", f"/key/{key}"), 1017, "Key inactive")


def test_device_upsert_keeps_an_inactive_device_inactive(sim, pam):
    sim.control.pam_seed("device", **DEVICE, active=False)
    pam().post("device", {**DEVICE, "site": "DC2"})
    assert [(d["site"], d["active"]) for d in sim.control.pam_records("devices")] == [
        ("DC2", False)]


# --------------------------------------------------------------------------- credentials

@pytest.mark.parametrize("prefix", [API, ISO])
def test_credential_create_answers_id_and_identifier_only(sim, pam, device, prefix):
    body = expect_success(pam(prefix=prefix).post("credential", CREDENTIAL), 201,
                          "Credential successfully registered!")
    assert body["credential"] == {"id": "1", "identifier": "app-db-admin"}
    stored, = sim.control.pam_records("credentials")
    assert (stored["username"], stored["content"], stored["credential_type"], stored["active"],
            stored["custody"]) == ("dbadmin", "canary-Pw-71x", "Local User", True, [])


def test_credential_defaults_generated_identifier_and_usr(sim, pam, device):
    entity = pam().created("credential", {**ON_DEVICE, "username": ""})
    assert len(entity["identifier"]) == 36 and entity["identifier"].count("-") == 4
    assert sim.control.pam_records("credentials")[0]["username"] == "usr"


@pytest.mark.parametrize("body, code, text", [
    ({**ON_DEVICE}, 1042, "Invalid username"),
    ({"ip": "10.20.0.7", "username": "u"}, 1004, "The device's hostname was not informed"),
    ({"hostname": "db-01", "username": "u"}, 1005, "The device's IP was not informed"),
    ({"hostname": "db-02", "ip": "10.20.0.7", "username": "u"}, 1011, "Device not found"),
    ({"hostname": "db-01", "ip": "10.9.9.9", "username": "u"}, 1011, "Device not found"),
    ({**ON_DEVICE, "username": "u", "identifier": "no spaces"}, 1053,
     'The identifier can only contain letters, numbers, "_" and "-".'),
    ({**ON_DEVICE, "username": "u", "domain": "corp.lab"}, 1029,
     "It is not possible to enter a domain that has not been previously registered"),
])
def test_credential_create_errors_store_nothing(sim, pam, device, body, code, text):
    expect_error(pam().post("credential", body), code, text)
    assert sim.control.pam_records("credentials") == []


def test_identifier_dot_is_a_switch(sim, pam, device):
    assert pam().created("credential", {**CREDENTIAL, "identifier": "db.admin"})[
        "identifier"] == "db.admin"
    sim.control.pam_switches(identifier_dot=False)
    expect_error(pam().post("credential", {**CREDENTIAL, "identifier": "db.other"}), 1053,
                 'The identifier can only contain letters, numbers, "_" and "-".')


def test_upsert_by_identifier_updates_and_renames(sim, pam, device):
    client = pam()
    client.created("credential", CREDENTIAL)
    body = expect_success(client.post("credential", {**CREDENTIAL, "username": "renamed",
                                                     "content": "new-pw"}),
                          201, "Credential updated successfully!")
    assert body["credential"] == {"id": "1", "identifier": "app-db-admin"}
    stored, = sim.control.pam_records("credentials")
    assert (stored["username"], stored["content"]) == ("renamed", "new-pw")


def test_upsert_with_a_new_identifier_matches_host_and_username(sim, pam, device):
    client = pam()
    first = client.created("credential", {**ON_DEVICE, "username": "dbadmin"})
    again = client.post("credential", {**ON_DEVICE, "username": "dbadmin", "identifier": "named"})
    assert again.status_code == 201
    assert again.json()["credential"] == {"id": first["id"], "identifier": "named"}
    # no identifier: matched by (hostname, ip, username) too; a new username creates one
    same = client.created("credential", {**ON_DEVICE, "username": "dbadmin", "additional": "x"})
    other = client.created("credential", {**ON_DEVICE, "username": "other"})
    assert same["id"] == first["id"] and other["id"] != first["id"]
    assert [(r["identifier"], r["additional"]) for r in sim.control.pam_records("credentials")][0] \
        == ("named", "x")


def test_credential_list_never_carries_a_password_and_lists_keys(sim, pam, device):
    sim.control.pam_seed("device", **{**DEVICE, "hostname": "app-01"}, connectivities="SSH:22")
    sim.control.pam_seed("credential", **CREDENTIAL, credential_type="Local Administrator")
    sim.control.pam_seed("key", **{**KEY, "hostname": "app-01"})
    body = expect_success(pam().send("GET", "/credential"), 200, "2 credentials found")
    assert "canary" not in json.dumps(body)
    assert body["credentials"] == [
        {"id": "1", "identifier": "app-db-admin", "username": "dbadmin", "expiration": None,
         "change": body["credentials"][0]["change"], "view": None, "hostname": "db-01",
         "management_ip": "10.20.0.7", "type": "Local Administrator", "type_code": "1",
         "device_model": "PostgreSQL 15", "device_type": "Database",
         "device_vendor": "PostgreSQL", "automatic_change": False, "connectivity": "",
         "connectivity_code": ""},
        {"id": "2", "identifier": "deploy-key", "username": "deploy", "expiration": None,
         "change": None, "view": None, "hostname": "app-01", "management_ip": "10.20.0.7",
         "type": "SSH Key", "type_code": "1", "device_model": "PostgreSQL 15",
         "device_type": "Database", "device_vendor": "PostgreSQL", "automatic_change": False,
         "connectivity": "SSH", "connectivity_code": "1"}]


@pytest.mark.parametrize("path_key", ["1", "app-db-admin", "dbadmin@db-01"])
def test_credential_read_returns_the_password_and_takes_custody(sim, pam, device, path_key):
    sim.control.pam_seed("device", **{**DEVICE, "hostname": "db-01"}, connectivities="SSH:5432")
    sim.control.pam_seed("credential", **CREDENTIAL, additional="primary")
    body = expect_success(pam().send("GET", f"/credential/{path_key}"), 200, "Credential 1",
                          code=False)
    assert body["credential"] == {
        "id": "1", "identifier": "app-db-admin", "username": "dbadmin",
        "password": "canary-Pw-71x", "content": "canary-Pw-71x", "hostname": "db-01",
        "parent_credential_cod": None, "parent_credential": None, "additional": "primary",
        "domain": "", "ip": "10.20.0.7", "port": "5432", "model": "PostgreSQL 15",
        "expiration_time": None}
    assert sim.control.pam_custody() == [{"id": "1", "identifier": "app-db-admin",
                                          "holders": ["pam-rw"]}]
    assert sim.control.pam_records("credentials")[0]["view"] is not None
    assert sim.control.pam_counters()["custody"]["taken"] == 1


def test_credential_read_errors(sim, pam, device):
    sim.control.pam_seed("key", **KEY)
    client = pam()
    expect_error(client.send("GET", "/credential/99"), 1007, "Credential not found")
    expect_error(client.send("GET", "/credential/nobody@db-01"), 1007, "Credential not found")
    expect_error(client.send("GET", "/credential/1"), 1010, "The item is not a credential")
    assert sim.control.pam_custody() == []


def test_parent_credential_is_answered_by_id_and_username(sim, pam, device):
    parent = sim.control.pam_seed("credential", **CREDENTIAL)
    sim.control.pam_seed("credential", **ON_DEVICE, username="child", identifier="child",
                         parent_password=parent)
    entity = pam().send("GET", "/credential/child").json()["credential"]
    assert (entity["parent_credential_cod"], entity["parent_credential"]) == ("1", "dbadmin")


def test_custody_release_and_1018_when_not_held(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL, custody=["pam-scoped"],
                         authorized=["pam-scoped"])
    client = pam()
    expect_error(client.send("DELETE", "/credential/custody/1"), 1018,
                 "The credential is not in the user custody")
    client.send("GET", "/credential/1")
    expect_success(client.send("DELETE", "/credential/custody/1"), 200,
                   "Credential custody 1 released")
    # Only the caller's custody is released; another application's stays.
    assert sim.control.pam_custody() == [{"id": "1", "identifier": "app-db-admin",
                                          "holders": ["pam-scoped"]}]
    counters = sim.control.pam_counters()
    assert counters["custody"] == {"taken": 1, "release_requests": 2}


def test_custody_release_of_an_inactive_or_missing_credential(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL, active=False, custody=["pam-rw"])
    expect_error(pam().send("DELETE", "/credential/custody/1"), 1008, "Credential inactive")
    expect_error(pam().send("DELETE", "/credential/custody/7"), 1007, "Credential not found")
    assert sim.control.pam_custody()[0]["holders"] == ["pam-rw"]


@pytest.mark.parametrize("path_key", ["1", "dbadmin@db-01", "app-db-admin"])
def test_credential_deactivate_and_activate(sim, pam, device, path_key):
    sim.control.pam_seed("credential", **CREDENTIAL)
    client = pam()
    expect_success(client.send("DELETE", f"/credential/{path_key}"), 200,
                   "Credential successfully deactivated")
    expect_error(client.send("DELETE", f"/credential/{path_key}"), 1008, "Credential inactive")
    assert sim.control.pam_records("credentials")[0]["active"] is False
    expect_success(client.send("PUT", "/credential/1"), 200, "Credential successfully activated")
    expect_error(client.send("PUT", "/credential/1"), 1043, "Credential is already activated!")


def test_credential_activation_is_by_id_only(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL, active=False)
    expect_error(pam().send("PUT", "/credential/app-db-admin"), 1007, "Credential not found")
    assert sim.control.pam_records("credentials")[0]["active"] is False


def test_pt_br_state_codes_switch(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL)
    sim.control.pam_switches(state_codes="pt-BR")
    expect_error(pam().send("PUT", "/credential/1"), 1017, "Credential is already active")
    pam().send("DELETE", "/credential/1")
    expect_error(pam().send("DELETE", "/credential/1"), 1017, "Credential inactive")


# --------------------------------------------------------------------------- SSH keys

@pytest.mark.parametrize("prefix", [API, ISO])
def test_key_create_links_devices_and_reports_the_unknown(sim, pam, device, prefix):
    sim.control.pam_seed("device", **{**DEVICE, "hostname": "app-02", "ip": "10.20.0.42"})
    body = expect_success(pam(prefix=prefix).post(
        "key", {**KEY, "devices": [{"hostname": "app-02"}, {"hostname": "ghost"}]}),
        201, "Key successfully registered!")
    assert body["key"] == {"id": "1", "identifier": "deploy-key",
                           "devices": [{"hostname": "app-02", "ip": "10.20.0.42"}],
                           "devices_error": [{"hostname": "ghost",
                                              "message": "1011: Device not found"}]}


def test_key_read_returns_the_private_key(sim, pam, device):
    sim.control.pam_seed("key", **KEY, tags="ci,deploy", key_name="deploy-2025", password="pp")
    body = expect_success(pam().send("GET", "/key/1"), 200, "Key 1")
    assert body["key"] == {"id": "1", "username": "deploy", "key_name": "deploy-2025",
                           "hostname": "db-01", "ip": "10.20.0.7",
                           "private_key": KEY["private_key"], "public_key": KEY["public_key"],
                           "password": "pp", "tags": ["ci", "deploy"], "devices": [],
                           "expiration_time": None}
    assert sim.control.pam_custody() == []  # custody is not documented for keys
    sim.control.pam_switches(key_tags="string")
    assert pam().send("GET", "/key/1").json()["key"]["tags"] == "ci,deploy"


@pytest.mark.parametrize("missing, code, text", [
    ("hostname", 1004, "The device's hostname was not informed"),
    ("ip", 1005, "The device's IP was not informed"),
    ("private_key", 1014, "The private key was not informed"),
    ("public_key", 1013, "The public key was not informed"),
])
def test_key_create_requires_each_field(sim, pam, device, missing, code, text):
    expect_error(pam().post("key", {k: v for k, v in KEY.items() if k != missing}), code, text)
    assert sim.control.pam_records("keys") == []


def test_key_update_by_identifier_is_partial(sim, pam, device):
    sim.control.pam_seed("key", **KEY, key_name="old")
    body = expect_success(pam().post("key", {"identifier": "deploy-key", "key_name": "new"}),
                          201, "Key updated successfully!")
    assert body["key"]["id"] == "1"
    stored, = sim.control.pam_records("keys")
    assert (stored["key_name"], stored["private_key"]) == ("new", KEY["private_key"])
    # without the identifier the same key material is a new key: keys update by identifier only
    assert pam().created("key", {**KEY, "identifier": ""})["id"] == "2"


def test_key_created_disabled_must_be_enabled_before_reading(sim, pam, device):
    client = pam()
    client.created("key", {**KEY, "enabled": False})
    expect_error(client.send("GET", "/key/1"), 1017, "Key inactive")
    expect_error(client.send("DELETE", "/key/1"), 1017, "Key inactive")
    expect_success(client.send("PUT", "/key/1"), 200, "Key successfully activated")
    expect_error(client.send("PUT", "/key/1"), 1045, "Ssh key is already activated")
    assert client.send("GET", "/key/1").status_code == 200
    expect_success(client.send("DELETE", "/key/deploy-key"), 200, "Key successfully deactivated")


def test_key_and_credential_ids_are_not_interchangeable(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL)
    client = pam()
    expect_error(client.send("GET", "/key/1"), 1016, "The item is not a ssh key")
    expect_error(client.send("GET", "/key/9"), 1015, "SSH key not found")
    expect_error(client.post("key", {**KEY, "identifier": "app-db-admin"}), 1016,
                 "The item is not a ssh key")
    sim.control.pam_seed("key", **KEY)
    expect_error(client.post("credential", {**CREDENTIAL, "identifier": "deploy-key"}), 1010,
                 "The item is not a credential")
    expect_error(client.send("DELETE", "/credential/2"), 1010, "The item is not a credential")


# --------------------------------------------------------------------------- authorizations

@pytest.mark.parametrize("method, path, body", [
    ("POST", "/device", DEVICE),
    ("DELETE", "/device/1", None),
    ("PUT", "/device/1", None),
    ("POST", "/credential", CREDENTIAL),
    ("DELETE", "/credential/1", None),
    ("PUT", "/credential/1", None),
    ("DELETE", "/credential/custody/1", None),
    ("POST", "/key", KEY),
    ("DELETE", "/key/2", None),
    ("PUT", "/key/2", None),
])
def test_read_only_authorization_refuses_every_write_with_1039(sim, pam, device, method, path,
                                                               body):
    sim.control.pam_seed("credential", **CREDENTIAL, custody=["pam-ro"])
    sim.control.pam_seed("key", **KEY)
    before = {plural: sim.control.pam_records(plural)
              for plural in ("devices", "credentials", "keys")}
    expect_error(pam("pam-ro").send(method, path, json=body), 1039,
                 "Without PAM Configuration Access permission")
    assert {plural: sim.control.pam_records(plural) for plural in before} == before


def test_read_only_authorization_reads(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL)
    reader = pam("pam-ro")
    assert reader.send("GET", "/device").status_code == 200
    assert reader.send("GET", "/credential/1").json()["credential"]["password"] == "canary-Pw-71x"


def test_scoped_authorization_sees_only_its_own_or_assigned(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL)
    sim.control.pam_seed("credential", **ON_DEVICE, username="assigned", identifier="assigned",
                         authorized=["pam-scoped"])
    scoped = pam("pam-scoped")
    own = scoped.created("credential", {**ON_DEVICE, "username": "own", "identifier": "own"})
    assert [row["identifier"] for row in scoped.send("GET", "/credential").json()[
        "credentials"]] == ["assigned", "own"]
    for method in ("GET", "DELETE"):
        expect_error(scoped.send(method, "/credential/1"), 1009, "No access to credential")
    expect_error(scoped.send("PUT", "/credential/1"), 1009, "No access to credential")
    expect_error(scoped.post("credential", CREDENTIAL), 1009, "No access to credential")
    assert scoped.send("GET", f"/credential/{own['id']}").status_code == 200
    assert scoped.send("GET", "/credential/assigned").status_code == 200
    assert sim.control.pam_records("credentials")[0]["content"] == "canary-Pw-71x"


# --------------------------------------------------------------------------- variants

def test_pre_333_shapes(sim, pam, device):
    sim.control.pam_switches(shapes="pre-3.33")
    client = pam()
    created = client.post("credential", {**ON_DEVICE, "username": "u"})
    assert created.status_code == 201
    assert created.json() == {
        "response": {"status": 201, "mensagem": "Credential successfully registered!",
                     "erro": False, "message": "Credential successfully registered!",
                     "error": False},
        "credential": {"id": "1", "tag": None}}
    row, = client.send("GET", "/credential").json()["credentials"]
    assert row["tag"] is None and "identifier" not in row and row["automatic_change"] == "0"
    read = client.send("GET", "/credential/1").json()
    assert "tag" in read["credential"] and "code" not in read and "tenant" not in read
    error = client.send("GET", "/credential/9")
    assert error.status_code == 400
    assert error.json() == {
        "response": {"status": 400, "mensagem": "1007: Credential not found", "erro": True,
                     "message": "1007: Credential not found", "error": True},
        "exception": {"code": 1007, "message": "1007: Credential not found"}}
    assert client.created("key", KEY)["tag"] == "deploy-key"


def test_tenant_switch(sim, pam):
    sim.control.pam_switches(tenant="senhasegura")
    assert pam().send("GET", "/device").json()["tenant"] == "senhasegura"


def test_create_status_200_switch_keeps_the_body_at_201(sim, pam):
    sim.control.pam_switches(create_status=200)
    created = pam().post("device", DEVICE)
    assert created.status_code == 200 and created.json()["code"] == 201
    assert created.json()["response"]["status"] == 201
    assert pam().post("device", DEVICE).status_code == 201  # an update is 201 either way


@pytest.mark.parametrize("served, refused", [("api", ISO), ("iso", API)])
def test_one_prefix_only_answers_the_other_with_the_gateway_404(sim, pam, served, refused):
    sim.control.pam_switches(prefixes=served)
    answer = pam(prefix=refused).send("GET", "/device")
    assert (answer.status_code, answer.json()) == (404, GATEWAY_NO_ROUTE)
    served_prefix = API if refused == ISO else ISO
    assert pam(prefix=served_prefix).send("GET", "/device").status_code == 200
    assert [r["path"] for r in sim.control.requests() if "/pam/" in r["path"]] == [
        refused + "/device", served_prefix + "/device"]
    assert sim.control.counters()["endpoints"]["other"] == 1
    assert sim.control.pam_counters()["total"] == 1


def test_command_line_switches_are_the_reset_values(tmp_path):
    args = ["--pam-prefixes", "iso", "--pam-shapes", "pre-3.33", "--pam-create-status", "200"]
    with SimulatorProcess(tmp_path, extra_args=args) as process:
        assert process.control.pam_switches(prefixes="both")["prefixes"] == "both"
        process.control.reset(data=True)
        assert {k: v for k, v in process.control.pam_switches().items()
                if k in ("prefixes", "shapes", "create_status")} == {
            "prefixes": "iso", "shapes": "pre-3.33", "create_status": 200}
        client = Pam(process, prefix=ISO)
        created = client.post("device", DEVICE)
        assert created.status_code == 200 and "code" not in created.json()
        assert Pam(process, prefix=API).send("GET", "/device").status_code == 404


def test_inactive_items_left_out_of_lists_by_default_and_the_active_flag(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL)
    sim.control.pam_seed("credential", **ON_DEVICE, username="off", identifier="off",
                         active=False)
    sim.control.pam_seed("device", **{**DEVICE, "hostname": "old-01"}, active=False)
    client = pam()

    def listed():
        return ([r["identifier"] for r in client.send("GET", "/credential").json()["credentials"]],
                [r["hostname"] for r in client.send("GET", "/device").json()["devices"]])

    assert listed() == (["app-db-admin"], ["db-01"])
    assert "active" not in client.send("GET", "/device/1").json()["device"]
    sim.control.pam_switches(inactive_listed=True)
    assert listed() == (["app-db-admin", "off"], ["db-01", "old-01"])
    sim.control.pam_switches(inactive_listed=False, active_flag=True)
    rows = client.send("GET", "/credential").json()["credentials"]
    assert [(r["identifier"], r["active"]) for r in rows] == [("app-db-admin", True)]
    assert client.send("GET", "/device/1").json()["device"]["active"] is True
    assert client.send("GET", "/device/old-01").json()["device"]["active"] is False


def test_form_encoded_and_query_string_posts(sim, pam):
    client = pam(prefix=ISO)
    form = client.send("POST", "/device", data=DEVICE)
    assert form.status_code == 201, form.text
    query = client.send("POST", "/credential", params={**ON_DEVICE, "username": "legacy",
                                                       "content": "q-pw"})
    assert query.status_code == 201, query.text
    assert sim.control.pam_records("credentials")[0]["content"] == "q-pw"


def test_a_structure_where_text_is_expected_is_a_500(sim, pam):
    answer = pam().post("device", {**DEVICE, "site": ["DC1"]})
    assert answer.status_code == 500
    assert answer.json()["response"]["message"] == "Unexpected error"
    assert sim.control.pam_records("devices") == []


@pytest.mark.parametrize("method, path", [("GET", "/key"), ("GET", "/info/1"),
                                          ("PATCH", "/device/1"), ("POST", "/device/1")])
def test_unknown_pam_route_is_resource_sub_not_found(pam, method, path):
    answer = pam().send(method, path)
    assert answer.status_code == 404
    assert answer.json()["response"]["message"] == "Resource sub not found"


# --------------------------------------------------------------------------- control

def test_counters_by_kind_reads_writes_and_custody(sim, pam, device):
    sim.control.pam_seed("credential", **CREDENTIAL)
    client = pam()
    client.send("GET", "/device")
    client.send("GET", "/credential/1")
    client.send("DELETE", "/credential/custody/1")
    client.post("key", KEY)
    pam("pam-ro").send("PUT", "/device/1")  # refused, still counted on arrival
    counters = sim.control.pam_counters()
    assert (counters["total"], counters["reads"], counters["writes"]) == (5, 2, 3)
    assert counters["custody"] == {"taken": 1, "release_requests": 1}
    assert counters["kinds"]["devices"] == {"list": 1, "read": 0, "upsert": 0, "deactivate": 0,
                                            "activate": 1, "custody_release": 0}
    assert counters["kinds"]["keys"]["upsert"] == 1
    assert sim.control.counters()["total"] == 2  # the MySafe counters: the two token calls
    sim.control.reset()
    assert sim.control.pam_counters()["total"] == 0
    assert len(sim.control.pam_records("credentials")) == 1  # reset without data keeps them


def test_reset_with_data_wipes_pam_state_and_restores_switches(sim, pam, device):
    sim.control.pam_domains("corp.lab")
    sim.control.pam_switches(shapes="pre-3.33", key_tags="string", inactive_listed=True)
    sim.control.reset(data=True)
    assert sim.control.pam_records("devices") == []
    assert sim.control.pam_switches()["shapes"] == "3.33"
    assert sim.control.pam_switches()["key_tags"] == "array"
    assert sim.control.pam_switches()["inactive_listed"] is False
    expect_error(pam().post("device", {**DEVICE, "device_domain": "corp.lab"}), 1029,
                 "It is not possible to enter a domain that has not been previously registered")
    assert pam().created("device", DEVICE)["id"] == "1"


@pytest.mark.parametrize("values", [{"shapes": "3.40"}, {"create_status": 204},
                                    {"active_flag": "yes"}, {"nonsense": 1}, {"tenant": 5}])
def test_switch_validation(sim, values):
    with pytest.raises(requests.HTTPError, match="400"):
        sim.control.pam_switches(**values)
    assert sim.control.pam_switches()["shapes"] == "3.33"


def test_seed_refuses_bad_input(sim):
    with pytest.raises(requests.HTTPError, match="1011: Device not found"):
        sim.control.pam_seed("credential", **CREDENTIAL)
    with pytest.raises(requests.HTTPError, match="unknown application"):
        sim.control.pam_seed("device", **DEVICE, created_by="nobody")
    with pytest.raises(requests.HTTPError, match="must be lists"):
        sim.control.pam_seed("device", **DEVICE, custody="pam-rw")
    assert sim.control.pam_records("devices") == []


def test_faults_apply_to_pam_requests(sim, pam):
    sim.control.fault("502", endpoint="api", method="POST")
    answer = pam().post("device", DEVICE)
    assert answer.status_code == 502
    assert sim.control.pam_records("devices") == []
    sim.control.fault("500", endpoint="api", after_write=True)
    assert pam().post("device", DEVICE).status_code == 500
    assert len(sim.control.pam_records("devices")) == 1
