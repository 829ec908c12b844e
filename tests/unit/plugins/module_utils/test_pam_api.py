"""PamApi against the simulator's PAM Core answering in-process (``mysafe_server``: the simulator
behind ``fake_http``, with tokens of an A2A application): PAM Core's error codes retyped with their
hints, the prefix discovery remembered per client, and the answer shapes folded into one."""

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL, DEVICE, SSH_KEY
from ansible_collections.segura.pam.plugins.module_utils._pam import NO_PAM_RESOURCE_HINT, READ_WRITE_HINT, PamApi

DEVICE_FIELDS = dict(hostname="db-01", ip="10.20.0.7", type="Database", vendor="PostgreSQL", model="15", site="DC1")
ON_DEVICE = dict(hostname="db-01", ip="10.20.0.7")
WANTED_DEVICE = dict(hostname="app-01", address="10.30.0.1", type="Server", vendor="Canonical",
                     model="Ubuntu 24.04", site="DC1")


@pytest.fixture
def pam(mysafe_server, fake_http):
    """The simulator's PamCore; the client's tokens are the A2A application ``pam.app``'s
    (``pam-rw`` unless a test sets another; ``None``: a MySafe user's)."""
    core = mysafe_server.sim.pam
    core.app = "pam-rw"

    def token(_number):
        principal = mysafe_server.USER if core.app is None else core.applications[core.app]
        return mysafe_server.sim.tokens.issue(principal)

    fake_http.token_value = token

    def seed(resource, **fields):
        status, answer = core.seed(resource, fields)
        assert status == 200, answer
        return answer["id"]

    core.add = seed
    return core


def pam_paths(fake_http):
    return [request.path for request in fake_http.api_requests]


def refusal(call):
    with pytest.raises(errors.SeguraError) as caught:
        call()
    return caught.value


# -- error codes ------------------------------------------------------------------------------


def test_1011_unknown_device_is_not_found_with_the_info_module_in_the_hint(pam, make_client):
    error = refusal(lambda: PamApi(make_client(), DEVICE).request("GET", "device/nope"))
    assert error.__class__ is errors.NotFoundError and error.code == 1011
    assert "segura.pam.pam_device_info" in error.hint


def test_1011_credential_on_a_missing_device_says_to_create_the_device_first(pam, make_client):
    api = PamApi(make_client(), CREDENTIAL)
    error = refusal(lambda: api.create(dict(ON_DEVICE, address="10.20.0.7", username="svc", identifier="svc")))
    assert error.__class__ is errors.NotFoundError and error.code == 1011
    assert "create it with segura.pam.pam_device" in error.hint


def test_1007_unknown_credential_is_not_found(pam, make_client):
    error = refusal(lambda: PamApi(make_client(), CREDENTIAL).request("GET", "credential/99"))
    assert error.__class__ is errors.NotFoundError and error.code == 1007
    assert "segura.pam.pam_credential_info" in error.hint


def test_1009_a_credential_out_of_scope_is_access_denied(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    credential = pam.add("credential", username="svc", identifier="svc", **ON_DEVICE)
    pam.app = "pam-scoped"
    error = refusal(lambda: PamApi(make_client(), CREDENTIAL).request("GET", "credential/%d" % credential))
    assert error.__class__ is errors.AccessDeniedError and error.code == 1009
    assert "Credentials tab" in error.hint


def test_1039_read_only_authorization_says_to_grant_read_and_write(pam, make_client):
    pam.app = "pam-ro"
    error = refusal(lambda: PamApi(make_client(), DEVICE).create(dict(WANTED_DEVICE)))
    assert error.__class__ is errors.AccessDeniedError and error.code == 1039
    assert error.hint == READ_WRITE_HINT and "'Read and write'" in error.hint
    assert pam.devices == {}


def test_1008_inactive_credential_is_inactive(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    credential = pam.add("credential", username="svc", identifier="svc", active=False, **ON_DEVICE)
    error = refusal(lambda: PamApi(make_client(), CREDENTIAL).request("GET", "credential/%d" % credential))
    assert error.__class__ is errors.InactiveSecretError and error.code == 1008
    assert "segura.pam.pam_credential state=present" in error.hint


def test_1017_inactive_key_is_inactive(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    key = pam.add("key", identifier="deploy", username="deploy", private_key="PRIVATE", public_key="ssh-ed25519 AAAA",
                  active=False, **ON_DEVICE)
    error = refusal(lambda: PamApi(make_client(), SSH_KEY).request("GET", "key/%d" % key))
    assert error.__class__ is errors.InactiveSecretError and error.code == 1017
    assert "segura.pam.pam_ssh_key state=present" in error.hint


def test_1044_activating_an_active_device_is_already_so(pam, make_client):
    device = pam.add("device", **DEVICE_FIELDS)
    api = PamApi(make_client(), DEVICE)
    error = refusal(lambda: api.request("PUT", "device/%d" % device))
    assert error.code == 1044 and not isinstance(error, errors.InactiveSecretError)
    assert api.set_active(device, True) is False


def test_1053_identifier_pattern_is_a_validation_error(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    pam.set_switches({"identifier_dot": False})
    api = PamApi(make_client(), CREDENTIAL)
    error = refusal(lambda: api.create(dict(ON_DEVICE, address="10.20.0.7", username="svc", identifier="a.b")))
    assert error.__class__ is errors.ValidationError and error.code == 1053
    assert "identifier" in error.hint


def test_1029_unknown_domain_is_a_validation_error(pam, make_client):
    error = refusal(lambda: PamApi(make_client(), DEVICE).create(dict(WANTED_DEVICE, domains=["corp.lab"])))
    assert error.__class__ is errors.ValidationError and error.code == 1029
    assert "Register the domain" in error.hint
    assert pam.devices == {}


@pytest.mark.parametrize("app", [None, "system-only"], ids=["mysafe-user", "system-only"])
def test_500_not_authorized_says_the_pam_core_resource_is_missing(pam, make_client, app):
    pam.app = app
    error = refusal(lambda: PamApi(make_client(), DEVICE).list())
    assert error.__class__ is errors.AccessDeniedError and error.status == 500
    assert error.hint == NO_PAM_RESOURCE_HINT


# -- prefixes ---------------------------------------------------------------------------------


def test_prefix_discovery_costs_one_refused_request_per_client(pam, make_client, fake_http):
    pam.set_switches({"prefixes": "iso"})
    client = make_client()
    assert PamApi(client, DEVICE).list() == []
    assert client.pam_path == "iso/pam"
    assert PamApi(client, CREDENTIAL).list() == []
    assert pam_paths(fake_http) == ["/api/pam/device", "/iso/pam/device", "/iso/pam/credential"]
    PamApi(make_client(), DEVICE).list()  # another client finds out again
    assert pam_paths(fake_http)[3:] == ["/api/pam/device", "/iso/pam/device"]


def test_a_served_prefix_costs_nothing_and_a_pinned_one_is_used_as_is(pam, make_client, fake_http):
    PamApi(make_client(), DEVICE).list()
    PamApi(make_client(pam_path="iso/pam"), DEVICE).list()
    assert pam_paths(fake_http) == ["/api/pam/device", "/iso/pam/device"]


def test_neither_prefix_served_is_a_configuration_error(pam, make_client, fake_http):
    fake_http.reply(404, {"message": "No route matched with those values."}, times=2)
    error = refusal(lambda: PamApi(make_client(), DEVICE).list())
    assert error.__class__ is errors.ConfigurationError and "segura_pam_path" in error.hint
    assert pam_paths(fake_http) == ["/api/pam/device", "/iso/pam/device"]


# -- answer shapes ----------------------------------------------------------------------------


def test_ids_are_numbers_though_sent_as_strings(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    api = PamApi(make_client(), DEVICE)
    (listed,) = api.list()
    assert listed["id"] == 1 and api.get(1)["id"] == 1
    identifier, _partial = api.create(dict(WANTED_DEVICE))
    assert identifier == 2


def test_pre_333_tag_is_the_identifier(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    pam.add("credential", username="svc", identifier="app-svc", **ON_DEVICE)
    pam.set_switches({"shapes": "pre-3.33"})
    (listed,) = PamApi(make_client(), CREDENTIAL).list()
    assert listed["identifier"] == "app-svc" and listed["id"] == 1
    assert PamApi(make_client(), CREDENTIAL).list(identifier="app-svc") == [listed]


def test_device_tags_of_a_read_and_tags_of_the_list_are_the_same_field(pam, make_client):
    pam.add("device", device_tags="db,payments", **DEVICE_FIELDS)
    api = PamApi(make_client(), DEVICE)
    (listed,) = api.list()
    assert listed["tags"] == ["db", "payments"]
    assert PamApi(make_client(), DEVICE).get(1)["tags"] == ["db", "payments"]


def test_key_rows_of_the_credential_list_are_keys_not_credentials(pam, make_client):
    pam.add("device", **DEVICE_FIELDS)
    pam.add("credential", username="svc", identifier="app-svc", **ON_DEVICE)
    pam.add("key", identifier="deploy", username="deploy", private_key="PRIVATE", public_key="ssh-ed25519 AAAA",
            **ON_DEVICE)
    client = make_client()
    assert [row["identifier"] for row in PamApi(client, CREDENTIAL).list()] == ["app-svc"]
    assert [row["identifier"] for row in PamApi(client, SSH_KEY).list()] == ["deploy"]
