"""Connection options: every ConfigurationError path, env fallbacks, and what reaches the client."""

import os

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.segura.pam.plugins.module_utils import _options as options_module
from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._options import CONNECTION_ARGUMENT_SPEC, client_from_options
from ansible_collections.segura.pam.plugins.module_utils.client import BOOLEAN_FALSE, BOOLEAN_TRUE, parse_boolean
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET

ENV_NAMES = {
    "segura_url": ["SEGURA_URL", "SENHASEGURA_URL"],
    "segura_client_id": ["SEGURA_CLIENT_ID", "SENHASEGURA_CLIENT_ID"],
    "segura_client_secret": ["SEGURA_CLIENT_SECRET", "SENHASEGURA_CLIENT_SECRET"],
    "segura_token": ["SEGURA_TOKEN"],
    "segura_validate_certs": ["SEGURA_VALIDATE_CERTS"],
    "segura_ca_path": ["SEGURA_CA_PATH"],
    "segura_timeout": ["SEGURA_TIMEOUT"],
    "segura_token_cache": ["SEGURA_TOKEN_CACHE"],
    "segura_token_path": ["SEGURA_TOKEN_PATH"],
    "segura_tenant": ["SEGURA_TENANT"],
    "segura_proxy": ["SEGURA_PROXY"],
}


def build(**options):
    """client_from_options with a module-like getter: credentials set unless overridden."""
    values = {"segura_url": BASE_URL, "segura_client_id": CLIENT_ID, "segura_client_secret": CLIENT_SECRET}
    values.update(options)
    return client_from_options(values.get, token_cache_dir="/nonexistent/never-used")


def refused(**options):
    with pytest.raises(errors.ConfigurationError) as caught:
        build(**options)
    assert CLIENT_SECRET not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("url", [None, ""])
def test_url_is_required(url):
    error = refused(segura_url=url)
    assert "segura_url is required" in error.message
    assert "SEGURA_URL" in error.hint


@pytest.mark.parametrize("url", ["segura.example.com", "ftp://segura.example.com", "https://", "https://:443",
                                 "https://segura.example.com:99999", "https://segura.example.com:port"])
def test_url_must_be_http_with_a_host(url):
    error = refused(segura_url=url)
    assert error.message == "segura_url '%s' is not an http(s) URL." % url
    assert "https://segura.example.com" in error.hint


@pytest.mark.parametrize("client_id, client_secret, missing", [
    (None, None, "segura_client_id and segura_client_secret are not set"),
    (CLIENT_ID, None, "segura_client_secret is not set"),
    (None, CLIENT_SECRET, "segura_client_id is not set"),
    ("", "", "segura_client_id and segura_client_secret are not set")])
def test_credentials_are_required(client_id, client_secret, missing):
    error = refused(segura_client_id=client_id, segura_client_secret=client_secret)
    assert missing in error.message
    assert "segura_token" in error.hint


def test_a_token_alone_is_enough():
    client = build(segura_client_id=None, segura_client_secret=None, segura_token="given-token")
    assert client._cache is None  # nothing to renew it with, nothing to cache


@pytest.mark.parametrize("timeout", [0, -1, "abc", "0"])
def test_timeout_must_be_positive(timeout):
    error = refused(segura_timeout=timeout)
    assert "segura_timeout must be a positive number" in error.message


@pytest.mark.parametrize("timeout, expected", [(None, 30.0), (5, 5.0), ("2.5", 2.5)])
def test_timeout_reaches_the_client(timeout, expected):
    assert build(segura_timeout=timeout).timeout == expected


def test_ca_path_must_be_an_existing_file(tmp_path):
    for path in (str(tmp_path / "missing.pem"), str(tmp_path)):
        error = refused(segura_ca_path=path)
        assert "segura_ca_path '%s' is not a readable file" % path in error.message
        assert "PEM" in error.hint


def test_ca_path_is_expanded_and_used_for_verification(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")

    assert build(segura_ca_path="~/ca.pem").verify == os.path.join(str(tmp_path), "ca.pem")


@pytest.mark.parametrize("proxy", ["proxy.example.com:3128", "socks5://proxy.example.com:1080", "http://"])
def test_proxy_must_be_an_http_url(proxy):
    error = refused(segura_proxy=proxy)
    assert error.message == "segura_proxy '%s' is not an http(s) URL." % proxy


def test_options_reach_the_client():
    client = build(segura_validate_certs=False, segura_tenant="acme", segura_token_path="api/oauth2/token",
                   segura_proxy="http://proxy.example.com:3128", segura_token_cache=False, segura_timeout=7)

    assert client.verify is False
    assert (client.tenant, client.token_path, client.timeout) == ("acme", "/api/oauth2/token", 7.0)
    assert client.transport.proxy == "http://proxy.example.com:3128"
    assert client._cache is None


def test_unset_options_take_the_defaults():
    client = build()

    assert client.verify is True
    assert client.token_path == "/iso/oauth2/token"
    assert client.transport.proxy is None and client.tenant is None
    assert client._cache is not None


def test_overrides_win_over_options():
    values = {"segura_url": BASE_URL, "segura_token": "t"}
    assert client_from_options(values.get, retries=0, timeout=3).retries == 0


# -- the argument spec ----------------------------------------------------------------------------


@pytest.mark.parametrize("option", sorted(ENV_NAMES))
def test_every_option_falls_back_to_its_environment_variables(option):
    assert CONNECTION_ARGUMENT_SPEC[option]["fallback"][1] == ENV_NAMES[option]


def test_credentials_are_no_log():
    assert [name for name, spec in sorted(CONNECTION_ARGUMENT_SPEC.items()) if spec.get("no_log")] == [
        "segura_client_secret", "segura_token"]


@pytest.mark.parametrize("environment, expected", [
    ({"SENHASEGURA_URL": "https://old.example.com"}, "https://old.example.com"),
    ({"SEGURA_URL": "https://new.example.com", "SENHASEGURA_URL": "https://old.example.com"},
     "https://new.example.com")], ids=["legacy-name", "new-name-wins"])
def test_legacy_senhasegura_variables_are_read(monkeypatch, environment, expected):
    for name in ENV_NAMES["segura_url"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    result = ArgumentSpecValidator(CONNECTION_ARGUMENT_SPEC).validate({})
    assert result.error_messages == []
    assert result.validated_parameters["segura_url"] == expected


# -- booleans are read strictly everywhere ---------------------------------------------------------


def test_the_collection_reads_the_booleans_the_modules_accept():
    from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

    assert BOOLEAN_TRUE == {value for value in BOOLEANS_TRUE if isinstance(value, str)}
    assert BOOLEAN_FALSE == {value for value in BOOLEANS_FALSE if isinstance(value, str)}


@pytest.mark.parametrize("value, expected", [
    ("TRUE", True), (" yes\n", True), ("On", True), ("1", True), (1, True), (1.0, True), (True, True),
    ("False", False), ("no", False), ("OFF", False), ("0", False), (0, False), (False, False),
    ("", None), ("  ", None), (None, None)])
def test_parse_boolean_reads_any_case_and_empty_means_the_default(value, expected):
    assert parse_boolean(value, "segura_validate_certs") is expected


@pytest.mark.parametrize("value", ["ture", "enabled", "strict", "yes please", "2", 2, 0.5, ["true"], {"a": 1}])
def test_parse_boolean_refuses_anything_else_naming_where_it_came_from(value):
    with pytest.raises(errors.ConfigurationError) as caught:
        parse_boolean(value, "segura_validate_certs, set by the variable segura_validate_certs,")

    assert caught.value.message == ("segura_validate_certs, set by the variable segura_validate_certs, is %r, which is "
                                    "not a boolean." % (value,))
    assert "true or false" in caught.value.hint


def test_a_long_unparsable_value_is_shortened():
    with pytest.raises(errors.ConfigurationError) as caught:
        parse_boolean("x" * 200, "segura_token_cache")

    assert "x" * 38 not in caught.value.message and "..." in caught.value.message


@pytest.mark.parametrize("option", ["segura_validate_certs", "segura_token_cache"])
@pytest.mark.parametrize("value", ["ture", "enabled", ["true"]])
def test_client_from_options_refuses_an_unparsable_boolean(option, value):
    error = refused(**{option: value})

    assert error.message.startswith("%s is %r, which is not a boolean" % (option, value))


@pytest.mark.parametrize("option, variable", [("segura_validate_certs", "SEGURA_VALIDATE_CERTS"),
                                              ("segura_token_cache", "SEGURA_TOKEN_CACHE")])
@pytest.mark.parametrize("value, expected", [("", True), (" ", True), ("OFF", False), ("No", False), ("1", True)])
def test_modules_read_boolean_environment_variables_strictly_and_empty_is_the_default(monkeypatch, option, variable,
                                                                                      value, expected):
    monkeypatch.setenv(variable, value)

    result = ArgumentSpecValidator(CONNECTION_ARGUMENT_SPEC).validate({"segura_url": BASE_URL})

    assert result.error_messages == []
    assert result.validated_parameters[option] is expected


@pytest.mark.parametrize("option, variable", [("segura_validate_certs", "SEGURA_VALIDATE_CERTS"),
                                              ("segura_token_cache", "SEGURA_TOKEN_CACHE")])
@pytest.mark.parametrize("value", ["ture", "enabled", "yes please"])
def test_modules_fail_on_an_unparsable_boolean_environment_variable_and_name_it(monkeypatch, option, variable,
                                                                                value):
    shown = []
    monkeypatch.setattr(options_module, "module_warning", shown.append)  # the module's warnings, shown with its failure
    monkeypatch.setenv(variable, value)

    result = ArgumentSpecValidator(CONNECTION_ARGUMENT_SPEC).validate({"segura_url": BASE_URL})

    [message] = result.error_messages
    assert message.startswith("argument '%s' is of type " % option)
    assert "unable to convert to bool: The value '%s' is not a valid boolean." % value in message
    assert shown == ["%s comes from the environment variable %s, which is %r: give true or false, or unset it."
                     % (option, variable, value)]
