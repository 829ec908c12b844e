"""The connection options are declared for modules (argument spec), documented once (doc
fragment), given sources for the lookup (the fragment's PLUGINS part) and repeated in the role's
argument specs: these tests fail as soon as any of the four disagrees with the argument spec."""

from pathlib import Path

import pytest
import yaml

from ansible_collections.segura.pam.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.segura.pam.plugins.module_utils._options import CONNECTION_ARGUMENT_SPEC

ROOT = Path(__file__).resolve().parents[4]
DOCUMENTED = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
SOURCES = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
ROLE_SPECS = [yaml.safe_load(path.read_text())["argument_specs"]["main"]["options"]
              for path in sorted(ROOT.glob("roles/*/meta/argument_specs.yml"))]
SECRET_OPTIONS = {"segura_client_secret", "segura_token"}


def env_names(option):
    fallback = CONNECTION_ARGUMENT_SPEC[option].get("fallback")
    return list(fallback[1]) if fallback else []


def test_the_fragment_documents_exactly_the_argument_spec():
    assert list(DOCUMENTED) == list(CONNECTION_ARGUMENT_SPEC)


@pytest.mark.parametrize("option", list(CONNECTION_ARGUMENT_SPEC))
def test_type_default_and_required_agree(option):
    spec, doc = CONNECTION_ARGUMENT_SPEC[option], DOCUMENTED[option]
    assert doc.get("type", "str") == spec.get("type", "str")
    assert doc.get("default") == spec.get("default")
    assert bool(doc.get("required")) == bool(spec.get("required"))
    assert bool(spec.get("no_log")) == (option in SECRET_OPTIONS)


@pytest.mark.parametrize("option", list(CONNECTION_ARGUMENT_SPEC))
def test_the_lookup_reads_the_same_environment_variables_with_the_same_precedence(option):
    # Ansible takes the LAST variable of an env list that is set; the module the FIRST: reversed order.
    assert [entry["name"] for entry in SOURCES[option]["env"]] == list(reversed(env_names(option)))
    assert SOURCES[option]["vars"] == [{"name": option}]
    for entry in SOURCES[option].get("ini", []):
        assert entry == {"section": "segura", "key": option[len("segura_"):]}
    for name in env_names(option):
        assert "E(%s)" % name in " ".join(DOCUMENTED[option]["description"])


def test_every_role_takes_the_same_connection_options():
    assert ROLE_SPECS
    for options in ROLE_SPECS:
        connection = next(spec["options"] for name, spec in options.items() if name.endswith("_connection"))
        assert list(connection) == list(CONNECTION_ARGUMENT_SPEC)
        for option, spec in connection.items():
            assert spec.get("type", "str") == CONNECTION_ARGUMENT_SPEC[option].get("type", "str"), option
            assert bool(spec.get("no_log")) == (option in SECRET_OPTIONS), option
