"""Connection options: every ConfigurationError path, env fallbacks, and what reaches the client."""

import os

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._options import CONNECTION_ARGUMENT_SPEC, client_from_options
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
