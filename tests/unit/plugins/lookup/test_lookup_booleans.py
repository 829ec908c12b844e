"""The lookup's boolean connection options: read strictly from every source, and compared by meaning.

Ansible's own reading of a ``type: bool`` option takes anything it does not know (``ture``,
``enabled``, an empty value) for false; these tests run the real option machinery through
:func:`set_connection_options`. ansible.cfg is covered by tests/integration/trust/test_strict_booleans.py.
"""

import pytest
from ansible import constants as C
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.segura.pam.plugins.lookup import mysafe_api_secret as plugin
from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.plugin_utils.lookup_connection import set_connection_options
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET
from test_lookup_terms import NAME, option_definitions

BOOLEANS = ("segura_validate_certs", "segura_token_cache")
ENVIRONMENT = {"segura_validate_certs": "SEGURA_VALIDATE_CERTS", "segura_token_cache": "SEGURA_TOKEN_CACHE"}
UNPARSABLE = ["ture", "enabled", "strict", "yes please", "2", "falsch"]


@pytest.fixture
def options(monkeypatch):
    """``options(variables=None, **keywords)``: the lookup's options once set from those sources and
    the environment (the connection in SEGURA_*, no boolean set), as a dict."""
    for name in ("URL", "CLIENT_ID", "CLIENT_SECRET", "TOKEN", "CA_PATH", "TOKEN_CACHE", "VALIDATE_CERTS"):
        monkeypatch.delenv("SEGURA_" + name, raising=False)
        monkeypatch.delenv("SENHASEGURA_" + name, raising=False)
    monkeypatch.setenv("SEGURA_URL", BASE_URL)
    monkeypatch.setenv("SEGURA_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SEGURA_CLIENT_SECRET", CLIENT_SECRET)
    C.config.initialize_plugin_configuration_definitions("lookup", NAME, option_definitions())

    def set_from(variables=None, **keywords):
        lookup = plugin.LookupModule(templar=Templar(loader=DataLoader()))
        lookup._load_name = lookup.ansible_name = NAME
        set_connection_options(lookup, variables, keywords)
        return {name: lookup.get_option(name) for name in BOOLEANS}

    return set_from


def refusal(set_from, *args, **kwargs):
    with pytest.raises(errors.ConfigurationError) as caught:
        set_from(*args, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("option", BOOLEANS)
@pytest.mark.parametrize("value", UNPARSABLE)
def test_an_unparsable_variable_fails_naming_the_variable(options, option, value):
    message = refusal(options, {option: value, "segura_client_id": CLIENT_ID, "segura_client_secret": CLIENT_SECRET})

    assert "%s, set by the variable %s, is %r, which is not a boolean." % (option, option, value) in message
    assert "Give true or false" in message


@pytest.mark.parametrize("option", BOOLEANS)
@pytest.mark.parametrize("value", UNPARSABLE)
def test_an_unparsable_environment_variable_fails_naming_it(options, monkeypatch, option, value):
    monkeypatch.setenv(ENVIRONMENT[option], value)

    message = refusal(options)

    assert "%s, set by the environment variable %s, is %r" % (option, ENVIRONMENT[option], value) in message


# (a list or a mapping fails earlier on ansible-core 2.16, in Ansible's own reading of the option)
@pytest.mark.parametrize("value", ["ture", "yes please", 2, 0.5])
def test_an_unparsable_keyword_fails_naming_the_keyword(options, value):
    message = refusal(options, segura_validate_certs=value)

    assert "segura_validate_certs, set by a lookup keyword, is %r" % (value,) in message


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("TRUE", True), (" Yes ", True), ("on", True), ("1", True), ("y", True), ("t", True), (1, True),
    (True, True), ("false", False), ("No", False), ("OFF", False), ("0", False), ("n", False), ("F", False),
    (0, False), (False, False)])
@pytest.mark.parametrize("source", ["variable", "environment", "keyword"])
def test_the_booleans_the_modules_accept_are_read_from_every_source(options, monkeypatch, source, value, expected):
    if source == "environment":
        if not isinstance(value, str):
            pytest.skip("the environment holds text only")
        monkeypatch.setenv("SEGURA_TOKEN_CACHE", value)
        found = options()
    elif source == "variable":
        found = options({"segura_token_cache": value})
    else:
        found = options(segura_token_cache=value)

    assert found["segura_token_cache"] is expected


@pytest.mark.parametrize("source", ["variable", "environment", "keyword"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_value_means_the_default(options, monkeypatch, source, value):
    for variable in ENVIRONMENT.values():
        monkeypatch.setenv(variable, value if source == "environment" else "false")
    given = {name: value for name in BOOLEANS}
    if source == "keyword":
        found = options(None, **given)
    elif source == "variable":  # with credentials of its own: the origin rule has nothing to guard
        found = options(dict(given, segura_client_id=CLIENT_ID, segura_client_secret=CLIENT_SECRET))
    else:
        found = options()

    assert found == {"segura_validate_certs": True, "segura_token_cache": True}


# -- the origin rule compares what each source means ------------------------------------------------


def test_with_an_empty_environment_variable_a_variable_cannot_turn_verification_off(options, monkeypatch):
    monkeypatch.setenv("SEGURA_VALIDATE_CERTS", "")

    message = refusal(options, {"segura_validate_certs": False})

    assert "segura_validate_certs is set by the variable segura_validate_certs" in message
    assert "comes from the environment variable SEGURA_CLIENT_ID" in message


@pytest.mark.parametrize("environment", [None, "", "yes", "TRUE"])
@pytest.mark.parametrize("variable", [True, "true", "on", "1"])
def test_a_variable_that_means_what_the_environment_means_is_accepted(options, monkeypatch, environment, variable):
    if environment is not None:
        monkeypatch.setenv("SEGURA_VALIDATE_CERTS", environment)

    assert options({"segura_validate_certs": variable})["segura_validate_certs"] is True


@pytest.mark.parametrize("environment, variable", [
    ("yes", "false"), ("TRUE", "off"), ("on", "0"), ("1", False), ("no", ""), ("false", "true")])
def test_a_variable_meaning_otherwise_than_the_environment_is_refused(options, monkeypatch, environment, variable):
    monkeypatch.setenv("SEGURA_VALIDATE_CERTS", environment)

    message = refusal(options, {"segura_validate_certs": variable})

    assert "segura_validate_certs is set by the variable segura_validate_certs" in message
