"""SeguraClient over a fake network under requests: envelopes, error mapping, retries, tokens, TLS, proxies.

Everything above ``requests.Session.send`` is the real client and the real requests (see
tests/unit/conftest.py for the fakes).
"""

import base64
import email.utils
import ssl
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
import re
from pathlib import Path

import pytest
import requests
import urllib3
import yaml
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.segura.pam.plugins.module_utils import _version as version, client as client_module, errors
from ansible_collections.segura.pam.plugins.module_utils.client import retry_after_seconds
from ansible_collections.segura.pam.plugins.module_utils._api import MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, envelope, error_envelope

LIST_PATH = "/api/mysafe/secretapi"
NO_ROUTE = {"message": "No route matched with those values."}
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}
COLLECTION_ROOT = Path(version.__file__).resolve().parents[2]


def assert_no_credentials(error, *tokens):
    """A message, hint or cause must never carry the client secret or a token."""
    texts = [str(error), repr(vars(error))]
    cause = getattr(error, "cause", None)
    if cause is not None:
        texts.append(str(cause))
    for text in texts:
        for secret in (CLIENT_SECRET,) + tokens:
            assert secret not in text


def fail_with(client, error_class, method="GET", path=LIST_PATH, body=None):
    with pytest.raises(error_class) as caught:
        client.request(method, path, body=body)
    assert_no_credentials(caught.value, "token-1", "token-2")
    return caught.value


# -- envelope parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize("with_code", [True, False], ids=["code", "no-code"])
def test_success_envelope_is_returned_with_or_without_top_level_code(make_client, fake_http, with_code):
    answer = envelope(code=with_code, api_secret_on_list=[{"identifier": "3", "name": "GCP1"}])
    fake_http.reply(200, answer)

    assert make_client().request("GET", LIST_PATH) == answer


@pytest.mark.parametrize("message_key", ["message", "mensagem", "Message"])
def test_error_text_is_read_from_any_message_key(make_client, fake_http, message_key):
    # Only one spelling present and no exception block: the text must still reach the user.
    fake_http.reply(400, {"response": {"status": 400, "error": True, message_key: "1005: Api secret not found"}})

    error = fail_with(make_client(), errors.NotFoundError)
    assert error.code == 1005
    assert "Api secret not found" in error.message


@pytest.mark.parametrize("status, message", [(200, "Api secret updated successfully"),
                                             (201, "Api secret successfully registered")],
                         ids=["legacy-200", "current-201"])
def test_update_accepts_both_success_statuses(make_client, fake_http, status, message):
    sharing_failed = ["User 'zed' not found"]
    fake_http.reply(status, envelope(status, message, api_entity={"identifier": "7", "shared_error": sharing_failed}))

    assert MySafeApi(make_client(), API_SECRET).update(7, {"notes": "n"}) == sharing_failed
    assert fake_http.api_requests[0].json == {"notes": "n"}


def test_error_flag_wins_over_a_200_status(make_client, fake_http):
    # The docs: judge by the HTTP status AND response.error, never by the top-level code.
    fake_http.reply(200, error_envelope(1009, "Inactive Api secret", status=200))

    assert fail_with(make_client(), errors.InactiveSecretError).code == 1009


# -- error mapping ------------------------------------------------------------------------------

ERROR_CASES = [
    # id, status, json, raw body, headers, error class, vendor code, words of the message, words of the hint
    # (None: the kind-aware API layer gives it, see test_api.py)
    ("1001-missing-field", 400, error_envelope(1001, "Parameter 'name' was not informed!"), None, None,
     errors.ValidationError, 1001, "Parameter 'name' was not informed!", "Correct the value"),
    ("1001-duplicate-code", 400, error_envelope(1001, "Identifier already found in another API key of this user"),
     None, None, errors.DuplicateIdentifierCodeError, 1001, "Identifier already found", "identifier_code"),
    ("1005", 400, error_envelope(1005, "Api secret not found"), None, None,
     errors.NotFoundError, 1005, "Api secret not found", None),
    ("1006", 400, error_envelope(1006, "User does not have access"), None, None,
     errors.AccessDeniedError, 1006, "User does not have access", None),
    ("1009", 400, error_envelope(1009, "Inactive Api secret"), None, None,
     errors.InactiveSecretError, 1009, "Inactive Api secret", None),
    ("1010", 400, error_envelope(1010, "Unexpected identifier type"), None, None,
     errors.ValidationError, 1010, "Unexpected identifier type", "Correct the value"),
    ("code-only-in-text", 400, error_envelope(1005, "Api secret not found", exception=False), None, None,
     errors.NotFoundError, 1005, "Api secret not found", None),
    ("unknown-code", 400, error_envelope(1234, "Something new"), None, None,
     errors.ServerError, 1234, "1234: Something new", "not documented"),
    ("500-unexpected-error", 500, envelope(500, "Unexpected error.", error=True), None, None,
     errors.ServerError, None, "Unexpected error", "try again later"),
    ("404-no-route", 404, NO_ROUTE, None, None,
     errors.AuthenticationError, None, "No route matched", "segura_url"),
    ("html-200", 200, None, "<html><body>Login</body></html>", HTML,
     errors.UnexpectedResponseError, None, "not JSON (text/html", "segura_url"),
    ("html-500", 500, None, "<html><body>Internal Server Error</body></html>", HTML,
     errors.ServerError, None, "HTTP 500", "try again later"),
    ("plain-text", 200, None, "OK", {"Content-Type": "text/plain"},
     errors.UnexpectedResponseError, None, "not JSON (text/plain", "segura_url"),
    ("truncated-json", 200, None, '{"code": 200, "response": {"status": 2', {"Content-Type": "application/json"},
     errors.UnexpectedResponseError, None, "not JSON (application/json", "segura_url"),
    ("empty-body", 200, None, "", None,
     errors.UnexpectedResponseError, None, "0 bytes", "segura_url"),
    ("json-without-response", 200, {"data": []}, None, None,
     errors.UnexpectedResponseError, None, "JSON that is not a MySafe answer", "segura_url"),
    ("redirect-to-login", 302, None, "", {"Location": "https://sso.example.com/login"},
     errors.UnexpectedResponseError, None, "HTTP 302", "login page"),
]


@pytest.mark.parametrize("status, json_body, raw_body, headers, error_class, code, said, hint",
                         [case[1:] for case in ERROR_CASES], ids=[case[0] for case in ERROR_CASES])
def test_answers_map_to_typed_errors_that_say_what_to_do(make_client, fake_http, status, json_body, raw_body,
                                                         headers, error_class, code, said, hint):
    fake_http.reply(status, json_body, raw_body, headers)

    error = fail_with(make_client(), error_class)
    assert error.__class__ is error_class  # exactly this class, not a parent
    assert error.code == code
    assert error.status == status
    assert said in error.message
    assert error.hint is None if hint is None else hint in error.hint
    assert error.to_result() == {"error_type": error_class.__name__, "error_code": code, "http_status": status}
    assert len(fake_http.api_requests) == 1  # none of these is worth repeating


def test_vendor_message_ending_with_a_period_is_not_doubled(make_client, fake_http):
    fake_http.reply(500, envelope(500, "Unexpected error.", error=True))

    assert ".." not in fail_with(make_client(), errors.ServerError).message


def test_gateway_401_twice_is_an_authentication_error(make_client, fake_http):
    fake_http.reply(401, NO_ROUTE, times=2)

    error = fail_with(make_client(), errors.AuthenticationError)
    assert error.status == 401
    assert "No route matched" in error.message
    assert "segura_client_id" in error.hint


# -- retries ------------------------------------------------------------------------------------


def queue_failure(fake_http, failure, times=1):
    """``failure``: an HTTP status to answer, or the name of a FakeSession transport failure."""
    if isinstance(failure, int):
        return fake_http.reply(failure, {"message": "gateway says no"}, times=times)
    return getattr(fake_http, failure)(times)


READ_FAILURES = [502, 503, 504, 429, "drop_connection", "refuse_connection", "read_timeout", "connect_timeout"]


@pytest.mark.parametrize("failure", READ_FAILURES)
def test_get_is_retried_on_transient_failures(make_client, fake_http, clock, failure):
    client = make_client(backoff=0.5)
    queue_failure(fake_http, failure, times=2).reply(200, envelope(api_secret_on_list=[]))

    assert client.request("GET", LIST_PATH)["api_secret_on_list"] == []
    assert len(fake_http.api_requests) == 3
    assert client.stats["retries"] == 2
    # exponential backoff with jitter: attempt n waits between backoff*2^n/2 and backoff*2^n
    assert [0.25 <= clock.sleeps[0] <= 0.5, 0.5 <= clock.sleeps[1] <= 1.0] == [True, True]


@pytest.mark.parametrize("failure, error_class", [
    (502, errors.GatewayError), (504, errors.GatewayError), (429, errors.GatewayError),
    ("drop_connection", errors.ConnectionFailedError), ("read_timeout", errors.RequestTimeoutError),
    ("refuse_connection", errors.ConnectionFailedError)])
def test_get_gives_up_after_the_configured_retries(make_client, fake_http, clock, failure, error_class):
    queue_failure(fake_http, failure, times=3)

    error = fail_with(make_client(retries=2), error_class)
    assert error.transient
    assert "run the task again" in error.hint or "try again later" in error.hint or "segura_url" in error.hint
    assert len(fake_http.api_requests) == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("failure", [502, 503, 504, "drop_connection", "read_timeout"])
def test_write_is_not_repeated_when_it_may_have_arrived(make_client, fake_http, clock, method, failure):
    queue_failure(fake_http, failure)

    error = fail_with(make_client(), errors.AmbiguousWriteError, method, LIST_PATH, body={"name": "n"})
    assert len(fake_http.api_requests) == 1
    assert clock.sleeps == []
    assert "unknown whether Segura applied the %s" % method in error.message
    assert "Read the secret back" in error.hint
    assert error.cause.transient


@pytest.mark.parametrize("failure", [429, "refuse_connection", "connect_timeout"])
def test_write_is_repeated_when_it_surely_was_not_processed(make_client, fake_http, clock, failure):
    queue_failure(fake_http, failure).reply(201, envelope(201, "Api secret successfully registered",
                                                          api_entity={"identifier": "1"}))

    answer = make_client().request("POST", LIST_PATH, body={"name": "n"})
    assert answer["api_entity"] == {"identifier": "1"}
    assert [r.json for r in fake_http.api_requests] == [{"name": "n"}, {"name": "n"}]


def test_write_that_never_connects_fails_as_a_connection_error_not_an_ambiguous_one(make_client, fake_http, clock):
    fake_http.refuse_connection(times=4)

    error = fail_with(make_client(), errors.ConnectionFailedError, "POST", LIST_PATH, body={})
    assert "Could not connect" in error.message
    assert len(fake_http.api_requests) == 4


def test_retry_after_seconds_are_honoured(make_client, fake_http, clock):
    fake_http.reply(429, {"message": "API rate limit exceeded"}, headers={"Retry-After": "2"})
    fake_http.reply(200, envelope())

    make_client().request("GET", LIST_PATH)
    assert clock.sleeps == [2.0]


def test_retry_after_http_date_is_honoured(make_client, fake_http, clock):
    when = email.utils.formatdate(clock.now + 3, usegmt=True)  # whole seconds: waits 2 to 3 s
    fake_http.reply(503, {"message": "busy"}, headers={"Retry-After": when}).reply(200, envelope())

    make_client().request("GET", LIST_PATH)
    assert len(clock.sleeps) == 1 and 2.0 < clock.sleeps[0] <= 3.0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_retry_after_beyond_the_timeout_fails_fast(make_client, fake_http, clock, method):
    fake_http.reply(429, {"message": "API rate limit exceeded"}, headers={"Retry-After": "60"})

    error = fail_with(make_client(timeout=5), errors.GatewayError, method, LIST_PATH)
    assert "wait 60 seconds, beyond segura_timeout" in error.message
    assert clock.sleeps == []
    assert len(fake_http.api_requests) == 1


@pytest.mark.parametrize("value, expected", [("7", 7.0), ("", None), (None, None), ("soon", None),
                                             ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_parsing(value, expected):
    assert retry_after_seconds(value) == expected


def test_token_request_is_retried_like_a_read(make_client, fake_http, clock):
    fake_http.issue_tokens = False
    fake_http.reply(504, body=HTML_502, headers=HTML).drop_connection()
    fake_http.reply(200, {"access_token": "token-1", "expires_in": 3600}).reply(200, envelope())

    make_client().request("GET", LIST_PATH)
    assert len(fake_http.token_requests) == 3
    assert fake_http.api_requests[0].bearer == "token-1"


# -- tokens -------------------------------------------------------------------------------------


def test_token_is_fetched_lazily_once_and_reused(make_client, fake_http):
    client = make_client()
    assert fake_http.requests == []  # building a client sends nothing
    fake_http.reply(200, envelope(), times=3)

    for _unused in range(3):
        client.request("GET", LIST_PATH)
    assert len(fake_http.token_requests) == 1
    assert [r.bearer for r in fake_http.api_requests] == ["token-1"] * 3
    assert client.stats == {"token": 1, "api": 3, "retries": 0}


@pytest.mark.parametrize("settings, path, extra_form", [
    ({}, "/iso/oauth2/token", {}),
    ({"token_path": "api/oauth2/token"}, "/api/oauth2/token", {}),
    ({"tenant": "acme"}, "/iso/oauth2/token", {"tenant": "acme"})], ids=["default", "token-path", "tenant"])
def test_token_request_is_a_client_credentials_form(make_client, fake_http, settings, path, extra_form):
    fake_http.reply(200, envelope())
    make_client(**settings).request("GET", LIST_PATH)

    token_request = fake_http.token_requests[0]
    assert (token_request.method, token_request.url) == ("POST", BASE_URL + path)
    assert token_request.data == dict({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                       "client_secret": CLIENT_SECRET}, **extra_form)
    assert token_request.json is None
    assert "Authorization" not in token_request.headers


def test_a_401_renews_the_token_once_and_repeats_the_request(make_client, fake_http):
    fake_http.reply(401, NO_ROUTE).reply(200, envelope(api_secret_on_list=[]))

    assert make_client().request("GET", LIST_PATH)["api_secret_on_list"] == []
    assert [r.bearer for r in fake_http.api_requests] == ["token-1", "token-2"]
    assert len(fake_http.token_requests) == 2


def test_a_second_401_is_an_authentication_error(make_client, fake_http):
    fake_http.reply(401, NO_ROUTE, times=2)

    error = fail_with(make_client(), errors.AuthenticationError, "PUT", LIST_PATH + "/update/3", body={})
    assert "rejected the access token for PUT" in error.message
    assert len(fake_http.token_requests) == 2
    assert len(fake_http.api_requests) == 2


@pytest.mark.parametrize("lifetime, still_valid_at, renewed_at", [(120, 100, 109), (3600, 3530, 3541)],
                         ids=["short-lifetime-tenth-margin", "hour-lifetime-60s-margin"])
def test_token_is_renewed_before_it_expires(make_client, fake_http, clock, lifetime, still_valid_at, renewed_at):
    fake_http.token_lifetime = lifetime
    fake_http.reply(200, envelope(), times=3)
    client = make_client()
    start = clock.now

    client.request("GET", LIST_PATH)
    clock.now = start + still_valid_at
    client.request("GET", LIST_PATH)
    clock.now = start + renewed_at  # still before the server's expiry, but within the margin
    client.request("GET", LIST_PATH)
    assert [r.bearer for r in fake_http.api_requests] == ["token-1", "token-1", "token-2"]


def test_access_token_reports_the_usable_lifetime(make_client, fake_http, clock):
    fake_http.token_lifetime = 3600

    assert make_client().access_token() == ("token-1", 3540)


def test_given_token_is_used_without_a_token_request(make_client, fake_http):
    fake_http.reply(200, envelope())

    make_client(client_id=None, client_secret=None, token="given-token-abc").request("GET", LIST_PATH)
    assert fake_http.token_requests == []
    assert fake_http.api_requests[0].bearer == "given-token-abc"


def test_rejected_given_token_without_credentials_names_segura_token(make_client, fake_http):
    fake_http.reply(401, NO_ROUTE)

    with pytest.raises(errors.AuthenticationError) as caught:
        make_client(client_id=None, client_secret=None, token="given-token-abc").request("GET", LIST_PATH)
    assert "segura_token" in caught.value.message
    assert "given-token-abc" not in str(caught.value)
    assert len(fake_http.api_requests) == 1 and fake_http.token_requests == []


def test_rejected_given_token_falls_back_to_client_credentials(make_client, fake_http):
    fake_http.reply(401, NO_ROUTE).reply(200, envelope())

    make_client(token="given-token-abc").request("GET", LIST_PATH)
    assert [r.bearer for r in fake_http.api_requests] == ["given-token-abc", "token-1"]


def test_no_credentials_and_no_token_is_a_configuration_error_before_sending(make_client, fake_http):
    with pytest.raises(errors.ConfigurationError) as caught:
        make_client(client_id=None, client_secret=None).request("GET", LIST_PATH)
    assert "segura_client_secret" in caught.value.hint and "segura_token" in caught.value.hint
    assert fake_http.requests == []


TOKEN_ERRORS = [
    ("401-invalid-client", 401, {"error": "invalid_client", "error_description": "Client authentication failed"},
     None, errors.AuthenticationError, "Client authentication failed", "segura_client_secret"),
    ("404-wrong-base-url", 404, NO_ROUTE, None, errors.AuthenticationError, "was not found", "segura_token_path"),
    ("400-tenant-required", 400, {"error": "invalid_request",
                                  "error_description": "Parameter 'tenant' is required for this server"},
     None, errors.AuthenticationError, "Parameter 'tenant' is required", "segura_tenant"),
    ("200-without-token", 200, {"token_type": "Bearer"}, None, errors.UnexpectedResponseError,
     "JSON that is not a MySafe answer", "segura_url"),
    ("html-login-page", 200, None, "<html>Login</html>", errors.UnexpectedResponseError, "not JSON", "segura_url"),
]


@pytest.mark.parametrize("status, json_body, raw_body, error_class, said, hint",
                         [case[1:] for case in TOKEN_ERRORS], ids=[case[0] for case in TOKEN_ERRORS])
def test_token_endpoint_errors(make_client, fake_http, status, json_body, raw_body, error_class, said, hint):
    fake_http.issue_tokens = False
    fake_http.reply(status, json_body, raw_body)

    error = fail_with(make_client(), error_class)
    assert said in error.message
    assert error.hint is None if hint is None else hint in error.hint
    assert fake_http.api_requests == []
    assert len(fake_http.token_requests) == 1  # a refused token request is not repeated


def test_token_refusal_names_the_client_id_and_token_url(make_client, fake_http):
    fake_http.issue_tokens = False
    fake_http.reply(401, {"error": "invalid_client"})

    error = fail_with(make_client(), errors.AuthenticationError)
    assert CLIENT_ID in error.message
    assert BASE_URL + "/iso/oauth2/token" in error.message


# -- headers, TLS and proxies -------------------------------------------------------------------


def test_user_agent_names_collection_and_ansible_versions(make_client, fake_http):
    fake_http.reply(200, envelope())
    make_client().request("GET", LIST_PATH)

    expected = "segura.pam/%s (ansible-core/%s)" % (version.COLLECTION_VERSION, ANSIBLE_VERSION)
    for sent in fake_http.requests:
        assert sent.headers["User-Agent"] == expected
        assert sent.headers["Accept"] == "application/json"
    assert re.match(r"^segura\.pam/\d+\.\d+\.\d+\S* \(ansible-core/\d+\.\d+\S*\)$", expected)


def test_collection_version_matches_galaxy_yml():
    galaxy = yaml.safe_load((COLLECTION_ROOT / "galaxy.yml").read_text())
    assert version.COLLECTION_VERSION == galaxy["version"]


@pytest.mark.parametrize("settings, verify", [
    ({}, True),
    ({"ca_path": "/etc/segura/ca.pem"}, "/etc/segura/ca.pem"),
    ({"validate_certs": False}, False),
    ({"validate_certs": False, "ca_path": "/etc/segura/ca.pem"}, False)],
    ids=["default", "ca_path", "no-validation", "no-validation-wins"])
def test_trust_timeouts_and_no_redirects_on_every_request(make_client, fake_http, settings, verify):
    fake_http.reply(200, envelope())
    make_client(**settings).request("GET", LIST_PATH)

    assert [(r.verify, r.timeout, r.allow_redirects) for r in fake_http.requests] == [(verify, 5.0, False)] * 2
    assert fake_http.settings["cert_reqs"] == ("CERT_NONE" if verify is False else "CERT_REQUIRED")


@pytest.mark.parametrize("environment, settings, verify", [
    ({"REQUESTS_CA_BUNDLE": "/etc/pki/bundle.pem"}, {}, "/etc/pki/bundle.pem"),
    ({"CURL_CA_BUNDLE": "/etc/pki/curl.pem"}, {}, "/etc/pki/curl.pem"),
    ({"REQUESTS_CA_BUNDLE": "/etc/pki/bundle.pem", "CURL_CA_BUNDLE": "/etc/pki/curl.pem"}, {}, "/etc/pki/bundle.pem"),
    ({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}, {}, True),
    ({"REQUESTS_CA_BUNDLE": "/etc/pki/bundle.pem"}, {"ca_path": "/etc/segura/ca.pem"}, "/etc/segura/ca.pem"),
    ({"REQUESTS_CA_BUNDLE": "/etc/pki/bundle.pem"}, {"validate_certs": False}, False)],
    ids=["requests-bundle", "curl-bundle", "requests-bundle-first", "empty-means-verify", "ca_path-wins",
         "no-validation-wins"])
def test_environment_ca_bundles_apply_only_when_segura_ca_path_is_unset(
        make_client, fake_http, monkeypatch, environment, settings, verify):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    fake_http.reply(200, envelope())
    make_client(**settings).request("GET", LIST_PATH)

    assert fake_http.requests[-1].verify == verify


def test_a_ca_directory_is_read_as_a_directory_of_certificates(make_client, fake_http, monkeypatch, tmp_path):
    fake_http.reply(200, envelope(), times=2)
    make_client(ca_path=str(tmp_path)).request("GET", LIST_PATH)
    assert (fake_http.settings["cert_reqs"], fake_http.settings["ca_cert_dir"]) == ("CERT_REQUIRED", str(tmp_path))

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path))
    make_client().request("GET", LIST_PATH)
    assert fake_http.settings["ca_cert_dir"] == str(tmp_path)


@pytest.mark.parametrize("proxy, proxies", [
    (None, None),
    ("http://proxy.example.com:3128", {"http": "http://proxy.example.com:3128",
                                       "https": "http://proxy.example.com:3128"}),
    ("proxy.example.com:3128", {"http": "http://proxy.example.com:3128", "https": "http://proxy.example.com:3128"})],
    ids=["none", "url", "without-scheme"])
def test_proxy_is_used_for_every_request(make_client, fake_http, proxy, proxies):
    fake_http.reply(200, envelope())
    make_client(proxy=proxy).request("GET", LIST_PATH)

    assert [r.proxies for r in fake_http.requests] == [proxies] * 2
    assert "proxy_headers" not in fake_http.settings


def test_proxy_credentials_travel_in_the_proxy_authorization_header(make_client, fake_http):
    fake_http.reply(200, envelope())
    make_client(proxy="http://squid%40corp:p%3Ass@proxy.example.com:3128").request("GET", LIST_PATH)

    expected = "Basic " + base64.b64encode(b"squid@corp:p:ss").decode()
    assert fake_http.settings["proxy_headers"] == {"proxy-authorization": expected}
    assert "Proxy-Authorization" not in fake_http.requests[-1].headers  # to the proxy only, not the server


def proxy_used(make_client, fake_http, monkeypatch, environment, url):
    """The proxy of the request a client of ``url`` sends under ``environment``, or None."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    fake_http.reply(200, envelope())
    make_client(url=url).request("GET", LIST_PATH)
    proxies = fake_http.requests[-1].proxies
    return proxies and proxies["https"]


# requests before 2.34 takes a NO_PROXY entry as a plain suffix of the host name ("ample.com"
# covers "segura.example.com"); 2.34 and later match whole labels (docs/connecting.md).
LABEL_MATCHING = tuple(int(part) for part in requests.__version__.split(".")[:2]) >= (2, 34)


@pytest.mark.parametrize("environment, proxy", [
    ({}, None),
    ({"HTTPS_PROXY": "http://env-proxy:3128"}, "http://env-proxy:3128"),
    ({"https_proxy": "http://lower:3128", "HTTPS_PROXY": "http://upper:3128"}, "http://lower:3128"),
    ({"HTTP_PROXY": "http://plain-only:3128"}, None),
    ({"ALL_PROXY": "http://all:3128"}, "http://all:3128"),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": "example.com"}, None),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": ".example.com"}, None),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": "other.com, segura.example.com"}, None),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "no_proxy": "*"}, None),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": "ample.com"},
     "http://env-proxy:3128" if LABEL_MATCHING else None),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": "segura.example.com:8443"}, "http://env-proxy:3128"),
    ({"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": "segura.example.com:443"}, None)],
    ids=["none", "https_proxy", "lower-case-first", "http-proxy-not-for-https", "all_proxy", "no_proxy-domain",
         "no_proxy-dot-domain", "no_proxy-list", "no_proxy-star", "no_proxy-is-no-substring-match",
         "no_proxy-other-port", "no_proxy-same-port"])
def test_environment_proxy_for_the_server(make_client, fake_http, monkeypatch, environment, proxy):
    assert proxy_used(make_client, fake_http, monkeypatch, environment, "https://segura.example.com:443") == proxy


# requests compares a NO_PROXY entry with an IP address without its port: "10.1.2.3:8443" does not
# cover https://10.1.2.3:8443 (docs/connecting.md).
@pytest.mark.parametrize("no_proxy, bypassed", [
    ("10.0.0.0/8", True), ("10.1.2.3", True), ("192.168.0.0/16", False), ("[::1]", False), ("10.1.2.3:8443", False)])
def test_no_proxy_takes_addresses_and_networks(make_client, fake_http, monkeypatch, no_proxy, bypassed):
    environment = {"HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": no_proxy}
    assert (proxy_used(make_client, fake_http, monkeypatch, environment, "https://10.1.2.3:8443") is None) is bypassed


def test_environment_proxy_is_used_unless_segura_proxy_is_set(make_client, fake_http, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy:3128")
    fake_http.reply(200, envelope(), times=2)
    make_client().request("GET", LIST_PATH)
    assert fake_http.requests[-1].proxies["https"] == "http://env-proxy:3128"

    make_client(proxy="http://given:3128").request("GET", LIST_PATH)
    assert fake_http.requests[-1].proxies["https"] == "http://given:3128"


def test_unverified_tls_warns_once_per_client(make_client, fake_http):
    warnings = []
    fake_http.reply(200, envelope(), times=4)
    for _unused in range(2):
        client = make_client(validate_certs=False, warn=warnings.append)
        client.request("GET", LIST_PATH)
        client.request("GET", LIST_PATH)

    assert len(warnings) == 2
    assert "segura_validate_certs is false" in warnings[0] and "segura_ca_path" in warnings[0]
    assert CLIENT_SECRET not in warnings[0]


def urllib3_warns_of_an_unverified_request_to(host):
    """As urllib3's HTTPS pool does for each request whose certificate it did not check."""
    warnings.warn_explicit("Unverified HTTPS request is being made to host '%s'. Adding certificate verification is "
                           "strongly advised." % host, urllib3.exceptions.InsecureRequestWarning,
                           "connectionpool.py", 1, module="urllib3.connectionpool")


def test_unverified_tls_quiets_urllib3_for_this_server_and_its_proxy_only(make_client):
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        make_client(validate_certs=False, proxy="http://proxy.example.com:3128")
        for host in ("segura.example.com", "proxy.example.com", "other.example.com", "segura.example.com.evil"):
            urllib3_warns_of_an_unverified_request_to(host)

    assert [str(warning.message).split("'")[1] for warning in shown] == ["other.example.com",
                                                                         "segura.example.com.evil"]


def test_verified_tls_does_not_warn(make_client, fake_http):
    warnings = []
    fake_http.reply(200, envelope())
    make_client(warn=warnings.append).request("GET", LIST_PATH)

    assert warnings == []


def test_certificate_failure_is_a_tls_error_without_retries(make_client, fake_http, clock):
    fake_http.issue_tokens = False
    fake_http.tls_failure()

    error = fail_with(make_client(), errors.TLSError)
    assert "CERTIFICATE_VERIFY_FAILED" in error.message
    assert "segura_ca_path" in error.hint
    assert len(fake_http.requests) == 1 and clock.sleeps == []


def test_an_unusable_ca_bundle_is_a_configuration_error_without_retries(make_client, fake_http, clock):
    """requests checks the bundle's path before connecting, and raises a bare OSError."""
    fake_http.issue_tokens = False
    fake_http.fail(OSError("Could not find a suitable TLS CA certificate bundle, invalid path: /gone/bundle.pem"),
                   reached_wire=False)

    error = fail_with(make_client(), errors.ConfigurationError)
    assert "/gone/bundle.pem" in error.message
    assert "REQUESTS_CA_BUNDLE" in error.hint
    assert len(fake_http.requests) == 1 and clock.sleeps == []


def test_close_closes_the_session_and_a_new_one_is_made_on_demand(make_client, fake_http):
    client = make_client()
    first = client.transport.session
    client.close()
    assert fake_http.closed == [first]
    assert client.transport.session is not first and fake_http.closed == [first]


def test_a_tls_error_names_the_certificate_problem(make_client, fake_http):
    """ssl errors carry a string ``reason``: the message shows the error, not a crash."""
    fake_http.issue_tokens = False
    failure = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                              "self-signed certificate in certificate chain")
    failure.reason = "CERTIFICATE_VERIFY_FAILED"
    fake_http.fail(requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(
        None, BASE_URL + "/", urllib3.exceptions.SSLError(failure))), reached_wire=False)

    error = fail_with(make_client(), errors.TLSError)
    assert "self-signed certificate in certificate chain" in error.message


def test_threads_starting_together_share_one_session(fake_http, monkeypatch):
    made, warnings = [], []
    session_class = requests.Session

    def counted():
        made.append(session_class())
        time.sleep(0.01)  # a window for other threads to find no session yet
        return made[-1]

    monkeypatch.setattr(requests, "Session", counted)
    client = client_module.SeguraClient(BASE_URL, token="given-token", validate_certs=False, warn=warnings.append)
    with ThreadPoolExecutor(max_workers=8) as threads:
        sessions = list(threads.map(lambda _unused: client.transport.session, range(8)))

    assert len(made) == 1 and all(session is made[0] for session in sessions)
    assert len(warnings) == 1
