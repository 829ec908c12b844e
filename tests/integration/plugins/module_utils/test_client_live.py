"""SeguraClient and MySafeApi against the real simulator over verified HTTPS.

Every endpoint and every documented error, tokens (expiry, token path, tenant), the legacy
update answer, and the gateway failures the client must survive; the simulator's counters
prove how many requests, token requests and writes really happened.
"""

import contextlib
import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[4]


def _make_collection_importable():
    """pytest-ansible links the collection when pytest starts in the repo root; elsewhere, link it here."""
    try:
        import ansible_collections.segura.pam.plugins.module_utils.client  # noqa: F401
    except ImportError:
        root = Path(tempfile.gettempdir()) / ("segura-pam-live-%d" % os.getuid())
        link = root / "ansible_collections" / "segura" / "pam"
        link.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # made by an earlier run or another xdist worker
            link.symlink_to(REPO_ROOT, target_is_directory=True)
        sys.path.insert(0, str(root))


_make_collection_importable()

from ansible_collections.segura.pam.plugins.module_utils import errors  # noqa: E402
from ansible_collections.segura.pam.plugins.module_utils.client import SeguraClient  # noqa: E402
from ansible_collections.segura.pam.plugins.module_utils._api import MySafeApi  # noqa: E402
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET  # noqa: E402
from simulator.certs import make_pki  # noqa: E402 - tests/ is on sys.path (integration conftest)
from simulator.control import SimulatorProcess  # noqa: E402

SECRET = {"name": "GCP", "url": "https://gcp.example.com", "client_id": "gcp-app",
          "client_secret": "gcp-secret-value-1", "method": "post", "notes": "first",
          "tags": ["prod", "gcp"], "identifier_code": "gcp-1"}


def make_client(server, user="alice", **settings):
    credentials = server.users[user]
    options = dict(url=server.url, client_id=credentials["client_id"], client_secret=credentials["client_secret"],
                   ca_path=str(server.ca_path), token_cache=False, backoff=0.01, timeout=5)
    options.update(settings)
    return SeguraClient(**options)


@pytest.fixture
def clients(sim):
    """``clients(user="alice", server=sim, **settings)`` -> SeguraClient; all closed at the end."""
    made = []

    def build(user="alice", server=None, **settings):
        made.append(make_client(server or sim, user, **settings))
        return made[-1]

    yield build
    for client in made:
        client.close()


@pytest.fixture
def api(clients):
    """``api(user)`` -> MySafeApi of that simulator user."""
    return lambda user="alice", **settings: MySafeApi(clients(user, **settings), API_SECRET)


@pytest.fixture(scope="module")
def special_servers(simulator, tmp_path_factory):
    """``special_servers(*args)``: a second simulator started with extra command-line args, once per module."""
    started = {}

    def get(*args):
        if args not in started:
            started[args] = SimulatorProcess(tmp_path_factory.mktemp("segura-sim-special"), ca=simulator.pki,
                                             extra_args=args).start()
        return started[args]

    yield get
    for process in started.values():
        process.stop()


def counters(sim):
    return sim.control.counters()


def endpoint_counts(sim):
    return counters(sim)["endpoints"]


def stored(sim):
    return dict((s["identifier"], s) for s in sim.control.secrets())


# -- every endpoint ---------------------------------------------------------------------------


def test_create_then_read_normalises_the_vendor_quirks(api, sim):
    alice = api("alice")
    identifier, shared_error = alice.create(dict(SECRET, users_allowed=[{"username": "bob", "can_edit": True},
                                                                        {"username": "zed"}],
                                                 groups_allowed=[{"name": "auditors"}]))

    assert identifier == 1 and shared_error == ["User 'zed' not found"]
    secret = alice.get(identifier)
    assert secret == dict(SECRET, identifier=1, active=True,
                          users_allowed=[{"username": "bob", "can_edit": True}],
                          groups_allowed=[{"name": "auditors", "can_edit": False}])
    assert stored(sim)[1]["owner"] == "alice"


def test_list_with_filters(api, sim):
    alice = api("alice")
    gcp, _unused = alice.create(SECRET)
    aws, _unused = alice.create(dict(SECRET, name="AWS", identifier_code="aws-1", tags=["aws"]))

    assert [s["identifier"] for s in alice.list()] == [gcp, aws]
    assert [s["identifier"] for s in alice.list(tag="gcp")] == [gcp]
    assert [s["identifier"] for s in alice.list(identifier_code="aws-1")] == [aws]
    assert alice.list(tag="gcp", identifier_code="aws-1") == []
    assert alice.list()[0] == {"identifier": gcp, "name": "GCP", "can_view": True, "can_write": True,
                               "need_justify": False, "need_approval": False}
    assert api("dave").list() == []  # only what the user may see


def test_update_changes_only_the_given_fields(api, sim):
    alice = api("alice")
    identifier, _unused = alice.create(SECRET)

    assert alice.update(identifier, {"notes": "second", "tags": ["gcp"]}) == []
    assert alice.get(identifier) == dict(SECRET, identifier=identifier, notes="second", tags=["gcp"], active=True,
                                         users_allowed=[], groups_allowed=[])
    assert endpoint_counts(sim)["update"] == 1


def test_disable_and_enable_including_the_already_answers(api, sim):
    alice = api("alice")
    identifier, _unused = alice.create(SECRET)

    assert [alice.set_active(identifier, False), alice.set_active(identifier, False)] == [True, False]
    with pytest.raises(errors.InactiveSecretError):
        alice.get(identifier)
    assert [alice.set_active(identifier, True), alice.set_active(identifier, True)] == [True, False]
    assert alice.get(identifier)["active"] is True
    assert (endpoint_counts(sim)["inactive"], endpoint_counts(sim)["active"]) == (2, 2)


# -- every documented error -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "url", "client_id"])
def test_1001_for_each_required_field_on_create(api, sim, field):
    body = dict((k, v) for k, v in SECRET.items() if k != field)

    with pytest.raises(errors.ValidationError) as caught:
        api("alice").create(body)
    assert caught.value.code == 1001
    assert "Parameter '%s' was not informed!" % field in caught.value.message
    assert stored(sim) == {}


def test_1001_for_an_emptied_required_field_on_update(api, sim):
    alice = api("alice")
    identifier, _unused = alice.create(SECRET)

    with pytest.raises(errors.ValidationError) as caught:
        alice.update(identifier, {"url": "", "notes": "lost"})
    assert caught.value.code == 1001
    assert stored(sim)[identifier]["notes"] == "first"  # a refused update changes nothing


def test_1001_duplicate_identifier_code_is_per_owner(api, sim):
    api("alice").create(SECRET)

    with pytest.raises(errors.DuplicateIdentifierCodeError) as caught:
        api("alice").create(dict(SECRET, name="Other"))
    assert "identifier_code" in caught.value.hint
    assert api("bob").create(SECRET)[0] == 2  # another owner may use the same code


def test_1005_not_found(api):
    with pytest.raises(errors.NotFoundError) as caught:
        api("alice").get(999)
    assert caught.value.code == 1005


def test_1006_no_access(api):
    identifier, _unused = api("alice").create(SECRET)

    with pytest.raises(errors.AccessDeniedError) as caught:
        api("dave").get(identifier)
    assert caught.value.code == 1006
    assert "User does not have access" in caught.value.message


@pytest.mark.parametrize("share", [{"users_allowed": [{"username": "carol"}]},
                                   {"groups_allowed": [{"name": "auditors", "can_edit": False}]}],
                         ids=["user", "group"])
def test_1006_view_only_user_cannot_edit_disable_or_enable(api, sim, share):
    identifier, _unused = api("alice").create(dict(SECRET, **share))
    carol = api("carol")

    assert carol.get(identifier)["name"] == "GCP"  # view access works
    for write in (lambda: carol.update(identifier, {"notes": "x"}), lambda: carol.set_active(identifier, False)):
        with pytest.raises(errors.AccessDeniedError) as caught:
            write()
        assert "permission to edit" in caught.value.message
        assert "can_edit: true" in caught.value.hint
    assert stored(sim)[identifier]["notes"] == "first" and stored(sim)[identifier]["active"] is True


def test_1009_inactive_secret_cannot_be_read_or_updated(api):
    alice = api("alice")
    identifier, _unused = alice.create(SECRET)
    alice.set_active(identifier, False)

    for call in (lambda: alice.get(identifier), lambda: alice.update(identifier, {"notes": "x"})):
        with pytest.raises(errors.InactiveSecretError) as caught:
            call()
        assert caught.value.code == 1009


def test_1010_identifier_that_is_not_a_number(clients):
    with pytest.raises(errors.ValidationError) as caught:
        clients("alice").request("GET", "/api/mysafe/secretapi/abc")
    assert caught.value.code == 1010
    assert "Unexpected identifier type" in caught.value.message


def test_500_unexpected_error(clients, sim):
    sim.control.fault("500", endpoint="list")

    with pytest.raises(errors.ServerError) as caught:
        clients("alice").request("GET", "/api/mysafe/secretapi")
    assert caught.value.status == 500 and "Unexpected error" in caught.value.message
    assert endpoint_counts(sim)["list"] == 1  # not retried


def test_unknown_route_is_the_gateway_404(clients):
    with pytest.raises(errors.AuthenticationError) as caught:
        clients("alice").request("GET", "/api/mysafe/nothing/here")
    assert caught.value.status == 404 and "segura_url" in caught.value.hint


# -- tokens -----------------------------------------------------------------------------------


def test_wrong_credentials_are_refused_without_leaking_the_secret(clients, sim):
    client = clients("alice", client_secret="wrong-secret-zz9")

    with pytest.raises(errors.AuthenticationError) as caught:
        MySafeApi(client, API_SECRET).list()
    assert caught.value.status == 401 and "Client authentication failed" in caught.value.message
    assert "segura_client_secret" in caught.value.hint
    assert "wrong-secret-zz9" not in str(caught.value)
    assert counters(sim)["token"] == 1 and endpoint_counts(sim)["list"] == 0


def test_one_token_serves_many_requests(api, sim):
    alice = api("alice")
    identifier, _unused = alice.create(SECRET)
    alice.get(identifier)
    alice.list()

    assert counters(sim)["token"] == 1


def test_expired_tokens_are_renewed_with_exactly_one_token_request(api, sim):
    alice = api("alice")
    alice.list()
    sim.control.expire_tokens()

    assert alice.list() == []
    assert counters(sim)["token"] == 2
    assert endpoint_counts(sim)["list"] == 3  # the first, the refused one, the repeat


def test_given_token_that_expired_names_segura_token(api, clients, sim):
    token, _unused = clients("alice").access_token()
    sim.control.expire_tokens()
    holder = SeguraClient(url=sim.url, token=token, ca_path=str(sim.ca_path), token_cache=False)

    with pytest.raises(errors.AuthenticationError) as caught:
        MySafeApi(holder, API_SECRET).list()
    holder.close()
    assert "segura_token" in caught.value.message
    assert token not in str(caught.value)


@pytest.mark.parametrize("token_path, works", [("/api/oauth2/token", True), ("/iso/oauth2/token", True),
                                               ("/oauth/token", False)])
def test_token_path_is_honoured(api, sim, token_path, works):
    alice = api("alice", token_path=token_path)
    if works:
        assert alice.list() == []
    else:
        with pytest.raises(errors.AuthenticationError) as caught:
            alice.list()
        assert "segura_token_path" in caught.value.hint
    assert counters(sim)["token"] == (1 if works else 0)  # a wrong path is no token request


@pytest.mark.parametrize("tenant, refusal", [(None, "segura_tenant"), ("other", "segura_client_secret"),
                                             ("acme", None)], ids=["missing", "wrong", "right"])
def test_tenant_mode(clients, special_servers, tenant, refusal):
    server = special_servers("--tenant", "acme")
    server.control.reset(data=True)
    api = MySafeApi(clients("alice", server=server, tenant=tenant), API_SECRET)

    if refusal is None:
        assert api.list() == []
    else:
        with pytest.raises(errors.AuthenticationError) as caught:
            api.list()
        assert refusal in caught.value.hint
    assert counters(server)["token"] == 1


def test_legacy_server_answers_update_with_200(clients, special_servers):
    server = special_servers("--legacy-update")
    server.control.reset(data=True)
    api = MySafeApi(clients("alice", server=server), API_SECRET)
    identifier, _unused = api.create(SECRET)

    assert api.update(identifier, {"notes": "second"}) == []
    assert api.get(identifier)["notes"] == "second"
    assert endpoint_counts(server)["update"] == 1


# -- gateway failures and TLS -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["502", "504"])
@pytest.mark.parametrize("page", ["html", "json"])
def test_gateway_errors_on_reads_are_retried(clients, sim, kind, page):
    sim.control.fault(kind, count=2, endpoint="list", format=page)

    assert MySafeApi(clients("alice"), API_SECRET).list() == []
    assert endpoint_counts(sim)["list"] == 3
    assert counters(sim)["faults_injected"] == 2


def test_reads_give_up_after_the_retries(clients, sim):
    sim.control.fault("502", count=10, endpoint="list")

    with pytest.raises(errors.GatewayError) as caught:
        MySafeApi(clients("alice", retries=2), API_SECRET).list()
    assert caught.value.status == 502
    assert endpoint_counts(sim)["list"] == 3


def test_dropped_read_is_retried(clients, sim):
    sim.control.fault("drop", endpoint="read")
    alice = MySafeApi(clients("alice"), API_SECRET)
    identifier, _unused = alice.create(SECRET)

    assert alice.get(identifier)["name"] == "GCP"
    assert endpoint_counts(sim)["read"] == 2


def test_create_answered_502_after_writing_is_ambiguous_and_not_repeated(clients, sim):
    sim.control.fault("502", endpoint="create", after_write=True)

    with pytest.raises(errors.AmbiguousWriteError) as caught:
        MySafeApi(clients("alice"), API_SECRET).create(SECRET)
    assert "Read the secret back" in caught.value.hint
    assert [s["name"] for s in sim.control.secrets()] == ["GCP"]  # it exists, once
    assert endpoint_counts(sim)["create"] == 1


def test_dropped_write_is_ambiguous_even_when_it_was_not_applied(clients, sim):
    sim.control.fault("drop", endpoint="update")
    alice = MySafeApi(clients("alice"), API_SECRET)
    identifier, _unused = alice.create(SECRET)

    with pytest.raises(errors.AmbiguousWriteError):
        alice.update(identifier, {"notes": "x"})
    assert endpoint_counts(sim)["update"] == 1
    assert stored(sim)[identifier]["notes"] == "first"


def test_rate_limited_read_waits_for_retry_after(clients, sim):
    sim.control.fault("429", endpoint="list", retry_after="1")
    client = clients("alice")

    assert MySafeApi(client, API_SECRET).list() == []
    assert endpoint_counts(sim)["list"] == 2
    assert client.stats["retries"] == 1


def test_rate_limited_write_is_repeated_once_and_applied_once(clients, sim):
    sim.control.fault("429", endpoint="create")

    assert MySafeApi(clients("alice"), API_SECRET).create(SECRET)[0] == 1
    assert endpoint_counts(sim)["create"] == 2
    assert len(sim.control.secrets()) == 1


def test_certificate_from_another_ca_is_a_tls_error(clients, sim, tmp_path):
    other_ca = make_pki(tmp_path / "other-pki")["ca"]

    with pytest.raises(errors.TLSError) as caught:
        MySafeApi(clients("alice", ca_path=other_ca), API_SECRET).list()
    assert "segura_ca_path" in caught.value.hint
    assert counters(sim)["total"] == 0  # the handshake failed: nothing reached the API
