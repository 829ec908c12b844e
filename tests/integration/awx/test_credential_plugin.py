"""The AWX credential plugin of extensions/awx/credential_plugin, built, installed and called as AWX does.

The wheel is built with pip from the sources (it packs the collection's client, kind table and
engine), installed into a fresh venv that has no Ansible, found through importlib.metadata entry
points like AWX finds plugins, checked against AWX's rules for credential inputs, and its backend is
called with the source credential's inputs plus the input source's metadata against the HTTPS
simulator, with the simulator's CA given as text (the ``cacert`` input), never through the
environment. Each driver run is one process; a test batches its calls into as few runs as it can.
"""

import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from simulator.control import SimulatorProcess
from credential_plugin_support import input_problems
from awx_items import ALL_KINDS, CLOCK, KINDS, PLUGIN_NAME, SECRET, assert_failed, item_secrets, lookup, seed, source
from totp import RFC_SEED, totp


def test_the_independent_totp_matches_rfc_6238():
    # RFC 6238 appendix B (8 digits); the plugin's token has 6, the same code's last digits
    assert totp(RFC_SEED, 59, digits=8) == "94287082" and totp(RFC_SEED, 59) == "287082"
    assert totp(RFC_SEED, CLOCK, digits=8) == "07081804" and totp(RFC_SEED, CLOCK) == "081804"


# -- the package ---------------------------------------------------------------------------------


def test_the_wheel_carries_the_collection_engine_with_relative_imports(plugin_env):
    with zipfile.ZipFile(plugin_env["wheel"]) as wheel:
        names = set(wheel.namelist())
        vendored = {Path(name).stem: wheel.read(name).decode() for name in names
                    if name.startswith("segura_awx_credential_plugin/_collection/")}
        entry_points = wheel.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()

    # the client, the kind table and the engine, what they import, and nothing that needs Ansible
    assert set(vendored) == {"__init__", "client", "errors", "_answers", "_api", "_engine", "_kinds", "_pam", "_terms",
                             "_token_cache", "_transport", "_version"}
    for name, text in vendored.items():
        assert "ansible_collections" not in text, name
        if name != "__init__":
            # the same code as plugins/module_utils (as copied for the build), only the collection imports made relative
            original = (Path(plugin_env["checkout"]) / "plugins" / "module_utils" / (name + ".py")).read_text()
            rewritten = re.sub(r"from ansible_collections\.segura\.pam\.plugins\.module_utils\.?", "from .", original)
            assert text == rewritten, name
    assert "from . import errors" in vendored["client"] and "from ._api import (" in vendored["_engine"]
    # entry points of both AWX generations, and a version that follows the collection's
    assert "[awx_plugins.credentials]\nsegura_mysafe = segura_awx_credential_plugin.plugin:segura_mysafe_plugin" \
        in entry_points
    assert "[awx.credential_plugins]\nsegura_mysafe = segura_awx_credential_plugin.plugin:segura_mysafe_plugin" \
        in entry_points
    version = re.search(r'COLLECTION_VERSION = "(.+)"', vendored["_version"]).group(1)
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
    assert list(metadata) == ["kind", "identifier", "identifier_code", "name", "username", "field"]
    assert inputs["required"] == ["url", "client_id", "client_secret"]
    # only the client secret is stored encrypted and hidden; the CA is multi-line PEM text
    assert [name for name, item in fields.items() if item.get("secret")] == ["client_secret"]
    assert not any(item.get("secret") for item in inputs["metadata"])
    assert fields["cacert"]["multiline"] and fields["url"]["format"] == "url"
    assert fields["verify"] == dict(fields["verify"], type="boolean", default=True)
    assert fields["token_path"]["default"] == "/iso/oauth2/token"
    # every kind the collection manages (PAM Core's prefixed), API secrets by default
    assert metadata["kind"]["choices"] == sorted(list(KINDS) + ["pam_credential", "pam_ssh_key"])
    assert metadata["kind"]["default"] == "api_secret"
    # the field's help names each kind's fields, its default first among equals
    for kind in KINDS.values():
        offered = ", ".join(field + (" (default)" if field == kind.default else "") for field in kind.fields)
        assert "%ss: %s" % (kind.label, offered) in metadata["field"]["help_text"]
    assert metadata["identifier_code"]["help_text"].startswith("API secrets only")
    assert metadata["username"]["help_text"].startswith("Passwords only")
    # the package needs neither Ansible nor AWX
    assert not {"ansible", "ansible_collections", "awx", "awx_plugins", "django"} & set(described["imported"])


def test_the_plugin_loads_beside_awx_plugins_core(call, described, sim):
    identifier = seed(sim, KINDS["api_secret"])

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


@ALL_KINDS
def test_every_field_of_every_kind(call, described, sim, kind):
    identifier = seed(sim, kind)
    # the server's name filter matches parts of names: the plugin must still pick the exact one
    seed(sim, kind, name=kind.item["name"] + " (old)")
    if kind.name == "password":  # same name, another account: username tells them apart
        seed(sim, kind, name="twin", username="svc_other", password="other-password-Nc20")
        seed(sim, kind, name="twin", username="svc_app", password="app-password-Hm61")
    expected = dict(kind.item, identifier=str(identifier), token=totp(RFC_SEED, CLOCK))
    sim.control.clock(CLOCK)
    by_identifier = {"identifier": str(identifier)}
    selections = [dict((key, kind.item[key]) for key in keys) for keys in kind.selections]
    # API secrets are the default kind: their metadata may leave kind out
    plain = {} if kind.name == "api_secret" else {"kind": kind.name}

    outcomes = call(*([lookup(described, sim, kind.metadata(field=field, **by_identifier)) for field in kind.fields]
                      + [lookup(described, sim, dict(plain, **by_identifier))]
                      + [lookup(described, sim, kind.metadata(**selection)) for selection in selections]
                      + ([lookup(described, sim, kind.metadata(name="twin", username="svc_app"))]
                         if kind.name == "password" else [])))

    values = [outcome.get("value", outcome.get("error")) for outcome in outcomes]
    assert values == ([expected[field] for field in kind.fields] + [expected[kind.default]] * (1 + len(selections))
                      + (["app-password-Hm61"] if kind.name == "password" else []))
    assert all(outcome["value_type"] == "str" for outcome in outcomes)
    # one token per lookup (no cache), one read each, a list for each selection without identifier;
    # the requests are marked as the plugin's
    counters, of_kind = sim.control.counters(), sim.control.counters(kind.plural)
    assert counters["endpoints"]["token"] == len(outcomes)
    assert of_kind["endpoints"]["read"] == len(outcomes)
    assert of_kind["endpoints"]["list"] == len(outcomes) - len(kind.fields) - 1
    assert of_kind["writes"] == 0 and counters["total"] == of_kind["total"] + len(outcomes)
    agents = set(request["user_agent"] for request in sim.control.requests())
    assert len(agents) == 1 and agents.pop().endswith("(segura-awx-credential-plugin)")


def test_a_password_token_is_the_totp_code_at_the_time_of_the_lookup(call, described, sim):
    kind = KINDS["password"]
    identifier = seed(sim, kind, secret_key="gezd gnbv gy3t qojq gezd gnbv gy3t qojq")  # as a user may type it
    metadata = kind.metadata(identifier=str(identifier), field="token")
    codes = []

    for epoch in (59, 59 + 30):  # (test_every_field_of_every_kind reads it at CLOCK)
        sim.control.clock(epoch)
        [outcome] = call(lookup(described, sim, metadata))
        codes.append(outcome["value"])

    assert codes == [totp(RFC_SEED, 59), totp(RFC_SEED, 89)]
    assert codes[0] == "287082" and codes[1] != codes[0]


def test_a_transient_gateway_fault_is_retried(call, described, sim):
    identifier = seed(sim, KINDS["api_secret"])
    sim.control.fault("502", endpoint="read")

    [outcome] = call(lookup(described, sim, {"identifier": str(identifier)}))

    assert outcome["value"] == SECRET["client_secret"]
    counters = sim.control.counters()
    assert counters["faults_injected"] == 1 and counters["endpoints"]["read"] == 2


def test_the_ca_is_a_private_file_removed_after_each_lookup(call, described, sim):
    identifier = seed(sim, KINDS["api_secret"])
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
        identifier = seed(tenant_sim, KINDS["api_secret"])
        metadata = {"identifier": str(identifier)}

        found, no_tenant, wrong_path = call(
            lookup(described, tenant_sim, metadata, tenant="acme", token_path="/api/oauth2/token"),
            lookup(described, tenant_sim, metadata),
            lookup(described, tenant_sim, metadata, tenant="acme", token_path="/oauth/token"))

    assert found["value"] == SECRET["client_secret"]
    assert_failed(no_tenant, "Segura refused the token request", "Tenant of the Segura credential")
    assert_failed(wrong_path, "token endpoint %s/oauth/token was not found" % tenant_sim.url, "Token path")


# -- errors an AWX admin can act on ----------------------------------------------------------------


@ALL_KINDS
def test_item_errors_of_every_kind_say_what_to_change(call, described, sim, kind):
    """Not found, not shared, inactive and several matches, by identifier and by name, for each kind."""
    bobs = seed(sim, kind, owner="bob", name="Bob only")
    disabled = seed(sim, kind, name="Disabled", active=False)
    twins = [seed(sim, kind, name="Twin"),
             seed(sim, kind, owner="bob", name="Twin", users_allowed=[{"username": "alice"}])]
    label, shared_with = kind.label, "Client ID 'alice-client-id' (the Segura credential's)"
    not_found_hint = "Check the metadata of the input source, and that the %s is shared with the API user of %s." % (
        label, shared_with)
    inactive_hint = "Enable the %s in MySafe (or with segura.pam.mysafe_%s state=present), or link another one." % (
        label, kind.name)
    cases = [
        (kind.metadata(identifier="999"),
         ["lookup of the %s with identifier 999: " % label, "1005: %s not found." % kind.vendor_name, not_found_hint]),
        (kind.metadata(name="Bob only"),  # exists, but alice does not see it
         ["No %s visible to this API user has name 'Bob only'." % label, not_found_hint]),
        (kind.metadata(identifier=str(bobs)),
         ["1006: User does not have access.", "The %s's owner must share it with the API user of %s." % (
             label, shared_with)]),
        (kind.metadata(identifier=str(disabled)),
         ["with identifier %d: " % disabled, "1009: Inactive ", inactive_hint]),
        (kind.metadata(name="Disabled"), ["with name 'Disabled': ", "1009", inactive_hint]),
        (kind.metadata(name="Twin"),
         ["2 %ss visible to this API user have name 'Twin' (identifiers %d, %d)." % (label, twins[0], twins[1]),
          "Set Identifier in the input source's metadata to the one to use."]),
        (kind.metadata(identifier=str(twins[0]), field="users_allowed"),
         ["Field 'users_allowed' is not a field of a MySafe %s." % label,
          "Set field to one of: %s (empty: %s)." % (", ".join(kind.fields), kind.default)]),
    ]
    foreign = [key for key in ("identifier_code", "username") if key not in sum(kind.selections, [])]
    a_label = ("an " if label[0] in "aeiouAEIOU" else "a ") + label
    cases += [(kind.metadata(name="Twin", **{key: "x"}),
               ["lookup of %s: A MySafe %s has no %s." % (a_label, label, key),
                "Leave %s empty in the input source's metadata" % key]) for key in foreign]
    if kind.name == "api_secret":
        code_twins = [seed(sim, kind, name="Code 1", identifier_code="shared-code"),
                      seed(sim, kind, owner="bob", name="Code 2", identifier_code="shared-code",
                           users_allowed=[{"username": "alice"}])]
        cases += [
            (kind.metadata(identifier_code="shared-code"),
             ["2 API secrets visible to this API user have identifier_code 'shared-code' (identifiers %d, %d)."
              % tuple(code_twins), "Set Identifier"]),
            (kind.metadata(identifier_code="shared-code", name="Code 1"),
             ["The metadata sets identifier_code together with name.",
              "Give identifier_code alone, or leave it empty and select the API secret by identifier or name."]),
            (kind.metadata(identifier=str(seed(sim, kind, name="No notes", notes="")), field="notes"),
             ["field 'notes' is empty in Segura.", "Set it in MySafe, or choose another field"]),
        ]
    if kind.name == "password":
        unseeded = seed(sim, kind, name="No TOTP", secret_key="")
        cases += [
            (kind.metadata(name="Twin", username="nobody"),
             ["No password visible to this API user has name 'Twin' and username 'nobody'.", not_found_hint]),
            (kind.metadata(username="svc_app"),
             ["The metadata sets username but no name.", "Set name too: username only narrows the passwords"]),
            (kind.metadata(identifier=str(unseeded), field="token"),
             ["lookup of the password with identifier %d: its field 'token' is empty in Segura." % unseeded,
              "only when its secret_key holds a base32 TOTP seed"]),
        ]

    outcomes = call(*[lookup(described, sim, metadata) for metadata, _fragments in cases])

    for (metadata, fragments), outcome in zip(cases, outcomes):
        assert_failed(outcome, *fragments, secrets=item_secrets(sim))
        assert outcome["left_in_temp_dir"] == []


def case_wrong_host(sim):
    return ({"identifier": "1"}, {"url": "https://127.0.0.1:9"},
            ["Could not connect to https://127.0.0.1:9", "Check Segura URL of the Segura credential"])


def case_wrong_path(sim):
    return ({"identifier": "1"}, {"url": sim.url + "/segura"},
            ["token endpoint %s/segura/iso/oauth2/token was not found" % sim.url, "Check Segura URL"])


def case_not_an_http_url(sim):
    # AWX's url format lets it through (scheme and host); the user info is masked in the message
    return ({"identifier": "1"}, {"url": "ftp://admin:pw-Hq71@segura.example.com"},
            ["Segura URL 'ftp://********@segura.example.com' is not an http(s) URL.", "base URL"])


def case_bad_credentials(sim):
    return ({"identifier": "1"}, {"client_secret": "not-the-secret-Pp31"},
            ["Segura refused the token request", "client id 'alice-client-id'", "Check Segura URL, Client ID, "
             "Client Secret"])


def case_no_ca(sim):
    return ({"identifier": "1"}, {"cacert": None},
            ["TLS verification of %s failed" % sim.url, "Paste the PEM of the CA"])


def case_no_selection(sim):
    return ({"field": "url"}, {},
            ["The metadata names no API secret.", "Set identifier, identifier_code or name in the input source"])


def case_no_selection_of_a_password(sim):
    return ({"kind": "password"}, {},
            ["The metadata names no password.", "Set identifier or name (with username to narrow it)"])


def case_identifier_and_name(sim):
    return ({"identifier": "4", "name": "x", "kind": "note"}, {},
            ["The metadata sets identifier together with name.", "Give identifier alone, or leave it empty and "
                                                                 "select the note by name."])


def case_identifier_not_a_number(sim):
    return {"identifier": "payments"}, {}, ["Identifier 'payments' is not a positive integer."]


CONNECTION_AND_METADATA_CASES = [
    case_wrong_host, case_wrong_path, case_not_an_http_url, case_bad_credentials, case_no_ca, case_no_selection,
    case_no_selection_of_a_password, case_identifier_and_name, case_identifier_not_a_number]


def test_connection_and_metadata_errors_say_what_to_change_and_hold_no_secret(call, described, sim):
    cases = [(case.__name__, case(sim)) for case in CONNECTION_AND_METADATA_CASES]

    outcomes = call(*[lookup(described, sim, metadata, **overrides) for _name, (metadata, overrides, _f) in cases])

    for (name, (metadata, overrides, fragments)), outcome in zip(cases, outcomes):
        inputs = source(sim, **overrides)
        secrets = item_secrets(sim) + [inputs["client_secret"]] + list(filter(None, [urlsplit(inputs["url"]).password]))
        try:
            assert_failed(outcome, *fragments, secrets=secrets)
        except AssertionError as failure:
            raise AssertionError("%s: %s" % (name, failure))
        assert outcome["left_in_temp_dir"] == []
