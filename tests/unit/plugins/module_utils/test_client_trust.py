"""What the client never does with credentials: leak them into a message, send a request twice
when it may have arrived, trust ~/.netrc, or send a token that cannot be a header.

The HTTP below the client is faked (tests/unit/conftest.py); ``reached_wire`` says whether the
fake failure happened after the request's bytes had started to leave.
"""

import json
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import requests
import urllib3

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._transport import url_credentials, without_userinfo
from ansible_collections.segura.pam.plugins.module_utils.client import SeguraClient, valid_token
from ansible_collections.segura.pam.plugins.module_utils._options import client_from_options
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET

LIST_PATH = "/api/mysafe/secretapi"
PROXY = "http://squid-user:pr0xy-pa55@proxy.example.com:3128"


def messages_of(error):
    texts = [str(error), repr(error.args)]
    if getattr(error, "cause", None) is not None:
        texts += [str(error.cause), repr(error.cause.args)]
    return "\n".join(texts)


# -- every credential the client holds is masked in the messages it raises ---------------------


@pytest.mark.parametrize("status, body", [
    (404, {"message": "no route for Authorization: Bearer token-1"}),  # a gateway echoing the request
    (500, {"message": "upstream said: Bearer token-1"}),
    (400, {"response": {"status": 400, "error": True, "message": "1001: invalid value token-1"}}),
])
def test_server_text_echoing_the_bearer_token_is_masked(make_client, fake_http, status, body):
    fake_http.reply(status, body, times=4)

    with pytest.raises(errors.SeguraError) as raised:
        make_client(retries=0).request("GET", LIST_PATH)

    text = messages_of(raised.value)
    assert "token-1" not in text
    assert "********" in text


ODD_SECRET = 'p@ss/w rd+"x\\y'


@pytest.mark.parametrize("echo", [ODD_SECRET, "client_secret=" + quote_plus(ODD_SECRET),
                                  "client_secret=" + quote(ODD_SECRET, safe=""), json.dumps({"client_secret": ODD_SECRET})])
def test_token_endpoint_echoing_the_client_secret_is_masked(make_client, fake_http, echo):
    fake_http.issue_tokens = False
    fake_http.reply(400, {"error": "invalid_request", "error_description": "bad form: " + echo})

    with pytest.raises(errors.AuthenticationError) as raised:
        make_client(client_secret=ODD_SECRET).access_token()

    text = messages_of(raised.value)
    for spelling in (ODD_SECRET, quote_plus(ODD_SECRET), quote(ODD_SECRET, safe=""), json.dumps(ODD_SECRET)[1:-1]):
        assert spelling not in text
    assert "client id '%s'" % CLIENT_ID in text  # the id is not a secret: it helps the admin


def test_proxy_user_info_is_masked_in_transport_errors(make_client, fake_http):
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to connect to %s" % PROXY)
    fake_http.fail(requests.exceptions.ProxyError(urllib3.exceptions.ProxyError("Unable to connect to proxy", reason)),
                   times=4, reached_wire=False)

    with pytest.raises(errors.ConnectionFailedError) as raised:
        make_client(proxy=PROXY).request("GET", LIST_PATH)

    text = messages_of(raised.value)
    assert "pr0xy-pa55" not in text and "squid-user" not in text
    assert "through the proxy" in text


BAD_PROXIES = [
    ("bad-port", "http://squid-user:pr0xy-pa55@proxy.example.com:99999", "port is not a number"),
    ("hash-in-password", "http://squid-user:pr0xy#pa55@proxy.example.com:3128", "percent-encoded"),
    ("socks", "socks5://squid-user:pr0xy-pa55@proxy.example.com:1080", "only http:// and https://"),
    ("not-latin-1", "http://squid-user:pr0xy-\u043f\u0430\u0440\u043e\u043b\u044c@proxy.example.com:3128",
     "Proxy-Authorization header cannot carry"),
    ("trailing-newline", "http://squid-user:pr0xy-pa55@proxy.example.com:3128\n", "line breaks"),
]


@pytest.mark.parametrize("source, named", [("segura_proxy", "segura_proxy"), ("HTTPS_PROXY", "HTTPS_PROXY")])
@pytest.mark.parametrize("proxy, problem", [case[1:] for case in BAD_PROXIES], ids=[case[0] for case in BAD_PROXIES])
def test_a_proxy_requests_cannot_use_is_refused_before_sending_with_its_user_info_masked(
        fake_http, monkeypatch, source, named, proxy, problem):
    registered = []
    settings = dict(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_cache=False, on_secret=registered.append)
    if source == "HTTPS_PROXY":
        monkeypatch.setenv("HTTPS_PROXY", proxy)
    else:
        settings["proxy"] = proxy
    client = SeguraClient(BASE_URL, **settings)

    with pytest.raises(errors.ConfigurationError) as raised:
        client.request("GET", LIST_PATH)

    text = messages_of(raised.value)
    assert problem in text and named in text
    assert "pr0xy" not in text and "squid-user" not in text
    assert "squid-user" in registered  # a module masks it in its results too
    assert fake_http.requests == []


def test_the_user_info_of_an_environment_proxy_is_masked_and_registered(fake_http, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://env-user:env-pa55@proxy.example.com:3128")
    registered = []
    client = SeguraClient(BASE_URL, CLIENT_ID, CLIENT_SECRET, token_cache=False, retries=0,
                          on_secret=registered.append)
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to connect to http://env-user:env-pa55@proxy")
    fake_http.fail(requests.exceptions.ProxyError(urllib3.exceptions.ProxyError("Unable to connect to proxy", reason)),
                   reached_wire=False)

    with pytest.raises(errors.ConnectionFailedError) as raised:
        client.request("GET", LIST_PATH)

    text = messages_of(raised.value)
    assert "env-pa55" not in text and "env-user" not in text and "through the proxy" in text
    assert {"env-user", "env-pa55"} <= set(registered)


@pytest.mark.parametrize("failure", [
    requests.exceptions.InvalidProxyURL("Please check proxy URL. It is malformed and could be missing the host."),
    requests.exceptions.InvalidURL(urllib3.exceptions.ProxySchemeUnknown("ftp")),
    requests.exceptions.InvalidURL(urllib3.exceptions.LocationParseError("segura.example.com:x")),
], ids=["invalid-proxy-url", "proxy-scheme", "location"])
def test_failures_to_build_the_connection_are_configuration_errors(make_client, fake_http, clock, failure):
    fake_http.issue_tokens = False
    fake_http.fail(failure, reached_wire=False)

    with pytest.raises(errors.ConfigurationError):
        make_client(proxy=PROXY).request("GET", LIST_PATH)
    assert len(fake_http.requests) == 1 and clock.sleeps == []


def test_errors_from_the_http_library_carry_no_request_text_and_no_chained_exception(make_client, fake_http):
    fake_http.fail(ValueError("Invalid header value b'Bearer token-1\\r\\n'"))

    with pytest.raises(errors.TransportError) as raised:
        make_client().request("GET", LIST_PATH)

    assert "token-1" not in messages_of(raised.value)
    assert "(ValueError)" in str(raised.value)
    assert raised.value.__context__ is None and raised.value.__cause__ is None


def test_fetched_tokens_are_handed_to_on_secret(make_client, fake_http):
    registered = []
    client = make_client(on_secret=registered.append)
    fake_http.reply(200, {"response": {"status": 200}})

    client.request("GET", LIST_PATH)

    assert "token-1" in registered and CLIENT_SECRET in registered


# -- tokens that cannot travel in a header ------------------------------------------------------


def test_a_given_token_with_a_trailing_newline_is_stripped(make_client, fake_http):
    fake_http.reply(200, {"response": {"status": 200}})

    make_client(client_id=None, client_secret=None, token="given-token-7\n").request("GET", LIST_PATH)

    assert fake_http.requests[-1].headers["Authorization"] == "Bearer given-token-7"


@pytest.mark.parametrize("token", ["two\nlines", "with space", "tab\there", "   "])
def test_a_given_token_with_inner_whitespace_is_refused_without_echo(token):
    with pytest.raises(errors.ConfigurationError) as raised:
        valid_token(token, "segura_token")

    assert "segura_token is not a usable access token" in str(raised.value)
    assert token.strip() not in str(raised.value) or not token.strip()


def test_a_given_token_is_checked_before_anything_is_sent(fake_http):
    options = {"segura_url": BASE_URL, "segura_token": "abc\ndef-SECRET"}

    with pytest.raises(errors.ConfigurationError) as raised:
        client_from_options(options.get)

    assert "SECRET" not in str(raised.value)
    assert fake_http.requests == []


def test_a_fetched_token_that_cannot_be_a_header_is_an_unexpected_answer(make_client, fake_http):
    fake_http.issue_tokens = False
    fake_http.reply(200, {"access_token": "fetched\r\nX-Evil: 1", "expires_in": 3600})

    with pytest.raises(errors.UnexpectedResponseError) as raised:
        make_client().request("GET", LIST_PATH)

    assert "fetched" not in messages_of(raised.value)
    assert len(fake_http.requests) == 1  # the token request only


# -- a write is repeated only when it surely never reached the wire -----------------------------


def proxy_drop():
    """What requests raises for a connection dropped through a proxy, before or after sending."""
    return requests.exceptions.ProxyError(urllib3.exceptions.ProxyError("Unable to connect to proxy",
                                                                        OSError("Remote end closed")))


def test_a_write_dropped_through_a_proxy_after_sending_is_ambiguous_not_repeated(make_client, fake_http):
    fake_http.fail(proxy_drop(), reached_wire=True)

    with pytest.raises(errors.AmbiguousWriteError) as raised:
        make_client(proxy=PROXY).request("POST", LIST_PATH, body={"name": "x"})

    assert [r.method for r in fake_http.requests if not r.is_token] == ["POST"]
    assert "dropped" in str(raised.value) and "unknown whether Segura applied" in str(raised.value)


def test_a_write_whose_proxy_tunnel_never_opened_is_sent_again(make_client, fake_http):
    fake_http.fail(proxy_drop(), reached_wire=False).reply(200, {"response": {"status": 200}})

    make_client(proxy=PROXY).request("POST", LIST_PATH, body={"name": "x"})

    assert [r.method for r in fake_http.requests if not r.is_token] == ["POST", "POST"]


# -- ~/.netrc is never consulted -----------------------------------------------------------------


def test_a_netrc_default_entry_adds_no_basic_auth(make_client, fake_http, tmp_path, monkeypatch):
    """A ~/.netrc with a default entry (which some HTTP libraries turn into Basic auth for any
    host) changes nothing: the token request carries no Authorization, API calls only the bearer."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("default login netrc-user password netrc-password-9\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    fake_http.reply(200, {"response": {"status": 200}})

    make_client().request("GET", LIST_PATH)

    token_request, call = fake_http.requests
    assert "Authorization" not in token_request.headers
    assert call.headers["Authorization"] == "Bearer token-1"
    assert "netrc" not in repr([vars(r) for r in fake_http.requests])


# -- URLs in messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("url, shown", [
    ("http://u:p#x@proxy:3128", "http://********@proxy:3128"),
    ("http://user:pa/ss@proxy:bad", "http://********@proxy:bad"),
    ("https://segura.example.com", "https://segura.example.com"),
    ("not a url", "not a url"),
])
def test_user_info_never_shows_in_a_url_fit_for_messages(url, shown):
    assert without_userinfo(url) == shown


def test_url_credentials_cover_raw_and_decoded_parts():
    assert url_credentials("http://us%40er:p%23w@proxy") >= {"us%40er:p%23w", "us@er", "p#w", "p%23w"}
    assert url_credentials("https://segura.example.com") == set()


# -- requests 2.32 or newer, everywhere ----------------------------------------------------------


def test_an_old_requests_is_refused_with_a_clear_error(monkeypatch):
    from ansible_collections.segura.pam.plugins.module_utils import _transport

    monkeypatch.setattr(_transport, "_requests", None)
    monkeypatch.setattr(requests, "__version__", "2.31.0")

    with pytest.raises(errors.MissingDependencyError) as raised:
        _transport.import_requests()

    assert "'requests' 2.31.0 is too old" in str(raised.value) and "requests>=2.32" in str(raised.value)


def test_a_missing_requests_is_a_clear_error(monkeypatch):
    from ansible_collections.segura.pam.plugins.module_utils import _transport

    monkeypatch.setattr(_transport, "_requests", None)
    monkeypatch.setitem(sys.modules, "requests", None)  # what an interpreter without requests imports

    with pytest.raises(errors.MissingDependencyError) as raised:
        _transport.import_requests()

    assert "'requests' is required by segura.pam but is not installed" in str(raised.value)
    assert "python3-requests" in raised.value.hint


def test_every_declaration_of_requests_asks_for_2_32():
    root = Path(__file__).resolve().parents[4]
    declared = [line.strip() for line in (root / "requirements.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert declared == ["requests>=2.32"]
    assert "python3-requests" in (root / "bindep.txt").read_text()
    assert "requests>=2.32" in (root / "README.md").read_text()
    assert '"requests>=2.32"' in (root / "extensions" / "awx" / "credential_plugin" / "pyproject.toml").read_text()
    # the execution environments take requirements.txt itself
    assert "python: requirements.txt" in (root / "meta" / "execution-environment.yml").read_text()


# -- the user info of segura_url shows in no message ------------------------------------------------

GATEWAY_URL = "https://gwuser:GwPassw0rd@segura.example.com"
GATEWAY_URL_SHOWN = "https://********@segura.example.com"


def assert_no_user_info(text):
    assert "gwuser" not in text and "GwPassw0rd" not in text, text


@pytest.mark.parametrize("url, validate_certs, warning", [
    (GATEWAY_URL, False, "segura_validate_certs is false: the certificate of %s is not verified" % GATEWAY_URL_SHOWN),
    ("http://gwuser:GwPassw0rd@segura.example.com", True,
     "segura_url http://********@segura.example.com is plain HTTP")])
def test_the_warnings_show_segura_url_without_its_user_info(make_client, fake_http, url, validate_certs, warning):
    shown = []
    fake_http.reply(200, {"response": {"status": 200}, "api_secrets": []})

    make_client(url=url, validate_certs=validate_certs, warn=shown.append).request("GET", LIST_PATH)

    assert len(shown) == 1 and shown[0].startswith(warning), shown
    assert_no_user_info(shown[0])


def test_every_warning_of_the_client_has_its_credentials_masked(make_client, tmp_path):
    """The token cache's warnings quote paths; a credential in one (a user name as a directory) is masked."""
    shown = []
    client = make_client(url=GATEWAY_URL, warn=shown.append)

    client.transport._warn("cache directory /home/gwuser/.ansible is unsafe for GwPassw0rd")

    assert shown == ["cache directory /home/********/.ansible is unsafe for ********"]


def _html_login_page(fake_http):
    fake_http.reply(200, body=b"<html>login</html>", headers={"Content-Type": "text/html"})


def _token_refused(fake_http):
    fake_http.issue_tokens = False
    fake_http.reply(401, {"error": "invalid_client"})


def _token_endpoint_missing(fake_http):
    fake_http.issue_tokens = False
    fake_http.reply(404, {"message": "no route"})


@pytest.mark.parametrize("make_failure, expected", [
    (lambda fake: fake.tls_failure(times=4), errors.TLSError),
    (lambda fake: fake.connect_timeout(times=4), errors.ConnectionFailedError),
    (lambda fake: fake.read_timeout(times=4), errors.RequestTimeoutError),
    (lambda fake: fake.refuse_connection(times=4), errors.ConnectionFailedError),
    (lambda fake: fake.fail(requests.exceptions.InvalidHeader("bad header"), reached_wire=False),
     errors.TransportError),
    (_html_login_page, errors.UnexpectedResponseError),
    (_token_refused, errors.AuthenticationError),
    (_token_endpoint_missing, errors.AuthenticationError),
], ids=["tls", "connect-timeout", "read-timeout", "refused", "library", "html", "token-refused", "token-404"])
def test_errors_show_segura_url_without_its_user_info(make_client, fake_http, make_failure, expected):
    make_failure(fake_http)

    with pytest.raises(expected) as raised:
        make_client(url=GATEWAY_URL).request("GET", LIST_PATH)

    text = messages_of(raised.value)
    assert_no_user_info(text)
    assert GATEWAY_URL_SHOWN in text
