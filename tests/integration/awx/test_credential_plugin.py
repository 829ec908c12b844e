"""The AWX credential plugin of extensions/awx/credential_plugin, built, installed and called as AWX does.

The wheel is built with pip from the sources (it packs the collection's client), installed into a
fresh venv that has no Ansible, found through importlib.metadata entry points like AWX finds
plugins, checked against AWX's rules for credential inputs, and its backend is called with the
source credential's inputs plus the input source's metadata against the HTTPS simulator, with the
simulator's CA given as text (the ``cacert`` input), never through the environment.
"""

import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from simulator.control import SimulatorProcess
from credential_plugin_support import Seeder, awx_call, input_problems, plugin_environment, run_driver

PLUGIN_NAME = "Segura MySafe Lookup"
SECRET = {
    "name": "GCP payments",
    "url": "https://gcp.example.com/oauth",
    "client_id": "gcp-app-7d1",
    "client_secret": "gcp-client-secret-Qx93",
    "identifier_code": "payments-gcp",
    "method": "post",
    "tags": "cloud,payments",
    "notes": "Owned by the platform team",
}
TOKEN = re.compile(r"\b[0-9a-f]{40}\b")  # the simulator's access tokens


@pytest.fixture(scope="session")
def plugin_env(tmp_path_factory, worker_id):
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    return plugin_environment(shared / "segura-awx-credential-plugin")


@pytest.fixture(scope="session")
def described(plugin_env, tmp_path_factory):
    """The driver's report without calls: what AWX discovers."""
    return run_driver(plugin_env, tmp_path_factory.mktemp("describe"))


@pytest.fixture
def seeder(sim):
    return Seeder(sim)


@pytest.fixture
def call(plugin_env, described, sim, tmp_path):
    """Runs backend calls in the venv: call((inputs, metadata), ...) -> one outcome per call."""
    runs = []

    def run(*calls, **options):
        report = run_driver(plugin_env, tmp_path / str(len(runs)), calls, **options)
        runs.append(report)
        assert report["stderr"] == ""
        # no token cache (nor anything else) written under the job's home
        assert report["home_files"] == []
        return report["calls"]

    run.reports = runs
    return run


def source(sim, user="alice", **overrides):
    """The inputs of a Segura MySafe source credential for a simulator user, with the CA pasted in."""
    inputs = {"url": sim.url, "client_id": sim.users[user]["client_id"],
              "client_secret": sim.users[user]["client_secret"], "verify": True,
              "cacert": Path(sim.ca_path).read_text()}
    inputs.update(overrides)
    return dict((key, value) for key, value in inputs.items() if value is not None)


def lookup(described, sim, metadata, **overrides):
    return awx_call(described["plugin"]["inputs"], source(sim, **overrides), metadata)


def assert_failed(outcome, *fragments, secrets=()):
    """A failure AWX can show: a RuntimeError naming the fragments, without a secret or token."""
    assert "value" not in outcome, outcome
    error = outcome["error"]
    assert error["type"] == "SeguraLookupError" and error["is_runtime_error"], error
    for fragment in fragments:
        assert fragment in error["message"], (fragment, error["message"])
    for secret in secrets:
        assert secret not in error["message"]
    assert not TOKEN.search(error["message"]), error["message"]
    assert "Traceback" not in error["message"]
    return error["message"]


# -- the package ---------------------------------------------------------------------------------


def test_the_wheel_carries_the_collection_client_with_relative_imports(plugin_env):
    with zipfile.ZipFile(plugin_env["wheel"]) as wheel:
        names = set(wheel.namelist())
        vendored = {Path(name).stem: wheel.read(name).decode() for name in names
                    if name.startswith("segura_awx_credential_plugin/_collection/")}
        entry_points = wheel.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()

    # the client, what it imports, and nothing that needs Ansible
    assert {"client", "errors", "mysafe", "token_cache", "version"} <= set(vendored)
    assert not {"options", "module"} & set(vendored)
    for name, text in vendored.items():
        assert "ansible_collections" not in text, name
        if name != "__init__":
            # the same code as plugins/module_utils (as copied for the build), only the collection imports made relative
            original = (Path(plugin_env["checkout"]) / "plugins" / "module_utils" / (name + ".py")).read_text()
            rewritten = re.sub(r"from ansible_collections\.segura\.pam\.plugins\.module_utils\.?", "from .", original)
            assert text == rewritten, name
    assert "from . import errors" in vendored["client"]
    # entry points of both AWX generations, and a version that follows the collection's
    assert "[awx_plugins.credentials]\nsegura_mysafe = segura_awx_credential_plugin.plugin:segura_mysafe_plugin" \
        in entry_points
    assert "[awx.credential_plugins]\nsegura_mysafe = segura_awx_credential_plugin.plugin:segura_mysafe_plugin" \
        in entry_points
    version = re.search(r'COLLECTION_VERSION = "(.+)"', vendored["version"]).group(1)
    assert Path(plugin_env["wheel"]).name == "segura_awx_credential_plugin-%s-py3-none-any.whl" % version
    # the copies exist in the build directory and the wheel only, never among the sources
    sources = Path(plugin_env["checkout"]) / "extensions" / "awx" / "credential_plugin" / "src"
    assert not list(sources.rglob("_collection"))


def test_awx_discovers_the_plugin_and_accepts_its_inputs(described):
    plugin = described["plugin"]
    inputs = plugin["inputs"]

    assert "segura_mysafe" in described["groups"]["awx_plugins.credentials"]
    assert described["groups"]["awx.credential_plugins"] == ["segura_mysafe"]
    assert described["same_object_in_both_groups"]
    assert plugin["name"] == PLUGIN_NAME and plugin["tuple_fields"][:3] == ["name", "inputs", "backend"]
    assert input_problems(inputs) == []
    fields = dict((item["id"], item) for item in inputs["fields"])
    metadata = dict((item["id"], item) for item in inputs["metadata"])
    assert list(fields) == ["url", "client_id", "client_secret", "token_path", "tenant", "verify", "cacert"]
    assert list(metadata) == ["kind", "identifier", "identifier_code", "name", "field"]
    assert inputs["required"] == ["url", "client_id", "client_secret"]
    # only the client secret is stored encrypted and hidden; the CA is multi-line PEM text
    assert [name for name, item in fields.items() if item.get("secret")] == ["client_secret"]
    assert not any(item.get("secret") for item in inputs["metadata"])
    assert fields["cacert"]["multiline"] and fields["url"]["format"] == "url"
    assert fields["verify"] == dict(fields["verify"], type="boolean", default=True)
    assert fields["token_path"]["default"] == "/iso/oauth2/token"
    assert metadata["kind"]["choices"] == ["api_secret"] and metadata["kind"]["default"] == "api_secret"
    # the package needs neither Ansible nor AWX
    assert not {"ansible", "ansible_collections", "awx", "awx_plugins", "django"} & set(described["imported"])


def test_the_plugin_loads_beside_awx_plugins_core(call, described, sim, seeder):
    identifier = seeder.create(**SECRET)

    [outcome] = call(lookup(described, sim, {"identifier": str(identifier)}), awx_plugins=True)

    assert outcome["value"] == SECRET["client_secret"]
    report = call.reports[-1]
    # awx-plugins-core's plugins and ours in one group ...
    assert {"segura_mysafe", "hashivault_kv", "thycotic_tss"} <= set(report["groups"]["awx_plugins.credentials"])
    assert report["groups"]["awx.credential_plugins"] == ["segura_mysafe"]
    checks = report["awx_plugins"]
    # ... ours has the shape of its CredentialPlugin (it converts field for field) ...
    assert checks["core_is_credential_plugin"] and checks["as_core"] == [PLUGIN_NAME, True, True]
    # ... and its inputs use only the keys awx-plugins' own input types define
    inputs = report["plugin"]["inputs"]
    assert set(inputs) <= set(checks["inputs_keys"])
    assert all(set(item) <= set(checks["field_keys"]) for item in inputs["fields"])
    assert all(set(item) <= set(checks["metadata_keys"]) for item in inputs["metadata"])


# -- reading values ------------------------------------------------------------------------------


@pytest.mark.parametrize("selection", ["identifier", "identifier_code", "name", "identifier_code+name"])
def test_every_field_of_an_api_secret(call, described, sim, seeder, selection):
    identifier = seeder.create(**SECRET)
    seeder.create(name="Another", identifier_code="another-code")
    wanted = {"identifier": str(identifier), "identifier_code": SECRET["identifier_code"], "name": SECRET["name"]}
    metadata = dict((key, wanted[key]) for key in selection.split("+"))
    expected = dict(SECRET, identifier=str(identifier))
    sim.control.reset()

    outcomes = call(*[lookup(described, sim, dict(metadata, field=field)) for field in expected]
                    + [lookup(described, sim, metadata)])

    assert [outcome.get("value") for outcome in outcomes] == list(expected.values()) + [SECRET["client_secret"]]
    assert all(outcome["value_type"] == "str" for outcome in outcomes)
    # one token per lookup (no cache), requests marked as the plugin's
    counters = sim.control.counters()
    assert counters["endpoints"]["token"] == len(outcomes)
    assert counters["endpoints"]["read"] == len(outcomes)
    agents = set(request["user_agent"] for request in sim.control.requests())
    assert len(agents) == 1 and agents.pop().endswith("(segura-awx-credential-plugin)")


def test_the_fields_offered_are_the_text_fields_of_an_api_secret(call, described, sim, seeder):
    identifier = seeder.create(**SECRET)

    [outcome] = call(lookup(described, sim, {"identifier": str(identifier), "field": "users_allowed"}))

    message = assert_failed(outcome, "Field 'users_allowed' is not a field of a MySafe API secret.")
    offered = re.search(r"Set field to one of: (.+)\.", message).group(1).split(", ")
    assert sorted(offered) == sorted(list(SECRET) + ["identifier"])


def test_a_transient_gateway_fault_is_retried(call, described, sim, seeder):
    identifier = seeder.create(**SECRET)
    sim.control.reset()
    sim.control.fault("502", endpoint="read")

    [outcome] = call(lookup(described, sim, {"identifier": str(identifier)}))

    assert outcome["value"] == SECRET["client_secret"]
    counters = sim.control.counters()
    assert counters["faults_injected"] == 1 and counters["endpoints"]["read"] == 2


def test_the_ca_is_a_private_file_removed_after_each_lookup(call, described, sim, seeder):
    identifier = seeder.create(**SECRET)
    pem = Path(sim.ca_path).read_text()

    found, refused, unverified = call(
        lookup(described, sim, {"identifier": str(identifier)}),
        lookup(described, sim, {"identifier": str(identifier)}, client_secret="wrong-secret-Vb55"),
        lookup(described, sim, {"identifier": str(identifier)}, verify=False))

    assert found["value"] == SECRET["client_secret"]
    assert_failed(refused, "Segura refused the token request", secrets=["wrong-secret-Vb55"])
    for outcome in (found, refused):
        # written with the PEM, readable by this user only, and removed, success or not
        assert outcome["ca_files_removed"] == [{"mode": 0o600, "text": pem}]
        assert outcome["left_in_temp_dir"] == []
    # with verification off the CA is not needed, so not written
    assert unverified["value"] == SECRET["client_secret"] and unverified["ca_files_removed"] == []


def test_tenant_and_token_path_reach_the_token_request(call, described, tmp_path):
    with SimulatorProcess(tmp_path / "tenant-sim", extra_args=["--tenant", "acme"]) as tenant_sim:
        identifier = Seeder(tenant_sim, tenant="acme").create(**SECRET)
        metadata = {"identifier": str(identifier)}

        found, no_tenant, wrong_path = call(
            lookup(described, tenant_sim, metadata, tenant="acme", token_path="/api/oauth2/token"),
            lookup(described, tenant_sim, metadata),
            lookup(described, tenant_sim, metadata, tenant="acme", token_path="/oauth/token"))

    assert found["value"] == SECRET["client_secret"]
    assert_failed(no_tenant, "Segura refused the token request", "Tenant of the Segura credential")
    assert_failed(wrong_path, "token endpoint %s/oauth/token was not found" % tenant_sim.url, "Token path")


# -- errors an AWX admin can act on ----------------------------------------------------------------


def case_wrong_host(sim, seeder):
    return ({"identifier": "1"}, {"url": "https://127.0.0.1:9"},
            ["Could not connect to https://127.0.0.1:9", "Check Segura URL of the Segura credential"])


def case_wrong_path(sim, seeder):
    return ({"identifier": "1"}, {"url": sim.url + "/segura"},
            ["token endpoint %s/segura/iso/oauth2/token was not found" % sim.url, "Check Segura URL"])


def case_not_an_http_url(sim, seeder):
    # AWX's url format lets it through (scheme and host); the user info is masked in the message
    return ({"identifier": "1"}, {"url": "ftp://admin:pw-Hq71@segura.example.com"},
            ["Segura URL 'ftp://********@segura.example.com' is not an http(s) URL.", "base URL"])


def case_bad_credentials(sim, seeder):
    return ({"identifier": "1"}, {"client_secret": "not-the-secret-Pp31"},
            ["Segura refused the token request", "client id 'alice-client-id'", "Check Segura URL, Client ID, "
             "Client Secret"])


def case_no_ca(sim, seeder):
    return ({"identifier": "1"}, {"cacert": None},
            ["TLS verification of %s failed" % sim.url, "Paste the PEM of the CA"])


def case_not_found(sim, seeder):
    return ({"identifier": "999"}, {},
            ["API secret with identifier 999", "1005", "Check the metadata of the input source"])


def case_not_found_by_name(sim, seeder):
    seeder.create(user="bob", name="Bob only")  # exists, but alice does not see it
    return ({"name": "Bob only"}, {},
            ["No API secret visible to the API user of Client ID 'alice-client-id' has name 'Bob only'.",
             "shared with the API user"])


def case_not_shared(sim, seeder):
    identifier = seeder.create(user="bob", **SECRET)
    return ({"identifier": str(identifier)}, {},
            ["1006", "The secret's owner must share it with the API user of the Segura credential's Client ID"])


def case_inactive(sim, seeder):
    identifier = seeder.create(**SECRET)
    seeder.disable(identifier)
    return {"identifier": str(identifier)}, {}, ["1009", "Enable the secret in MySafe"]


def case_several_by_name(sim, seeder):
    first = seeder.create(**SECRET)
    second = seeder.create(user="bob", users_allowed=[{"username": "alice"}], **SECRET)
    return ({"name": SECRET["name"]}, {},
            ["2 API secrets visible to the API user of Client ID 'alice-client-id' have name 'GCP payments' "
             "(identifiers %d, %d)" % (first, second), "Set identifier in the input source's metadata"])


def case_several_by_identifier_code(sim, seeder):
    first = seeder.create(**SECRET)
    second = seeder.create(user="bob", users_allowed=[{"username": "alice"}], **SECRET)
    return ({"identifier_code": SECRET["identifier_code"]}, {},
            ["have identifier_code 'payments-gcp' (identifiers %d, %d)" % (first, second)])


def case_no_selection(sim, seeder):
    return {"field": "url"}, {}, ["The metadata names no secret.", "Set identifier, or identifier_code and/or name"]


def case_identifier_and_name(sim, seeder):
    return ({"identifier": "4", "name": "x"}, {},
            ["The metadata sets identifier together with name.", "Give identifier alone"])


def case_identifier_not_a_number(sim, seeder):
    return {"identifier": "payments"}, {}, ["Identifier 'payments' is not a positive integer."]


@pytest.mark.parametrize("case", [case_wrong_host, case_wrong_path, case_not_an_http_url, case_bad_credentials, case_no_ca, case_not_found,
                                  case_not_found_by_name, case_not_shared, case_inactive, case_several_by_name,
                                  case_several_by_identifier_code, case_no_selection, case_identifier_and_name,
                                  case_identifier_not_a_number], ids=lambda case: case.__name__[5:])
def test_errors_say_what_to_change_and_hold_no_secret(call, described, sim, seeder, case):
    metadata, overrides, fragments = case(sim, seeder)

    [outcome] = call(lookup(described, sim, metadata, **overrides))

    inputs = source(sim, **overrides)
    secrets = [inputs["client_secret"], urlsplit(inputs["url"]).password or inputs["client_secret"],
               SECRET["client_secret"], "svc-secret-Lw02", sim.users["bob"]["client_secret"]]
    assert_failed(outcome, *fragments, secrets=secrets)
    assert outcome["left_in_temp_dir"] == []
