"""ItemSync decisions and Differences, against the simulator's MySafe in-process behind the fake session.

The server (``mysafe_server`` in tests/unit/conftest.py) keeps state and records writes, so
each test checks both the result and what was (not) written.
"""

import json

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MASK, MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._engine import Differences, ItemSync
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from segura_fakes import make_response

STORED = dict(name="GCP", url="https://gcp.example.com", client_id="app", client_secret="old-secret-value",
              method="post", tags="prod,gcp", notes="n",
              users_allowed=[{"username": "bob", "can_edit": True}, {"username": "carol", "can_edit": False}],
              groups_allowed=[{"name": "devops", "can_edit": False}])
WANTED = dict(name="GCP", url="https://gcp.example.com", client_id="app", client_secret="old-secret-value")


@pytest.fixture
def sync(make_client, mysafe_server):
    """``sync(**options)`` runs an ItemSync against the in-process simulator and returns its result."""
    api = MySafeApi(make_client(), API_SECRET)

    def run(wanted=None, **options):
        syncer = ItemSync(api, wanted=dict(WANTED if wanted is None else wanted), **options)
        result = syncer.run()
        result["warnings"] = syncer.warnings
        return result

    return run


# -- Differences ------------------------------------------------------------------------------


@pytest.mark.parametrize("field, current, wanted", [
    ("tags", ["prod", "gcp"], ["gcp", "prod"]),
    ("tags", "prod, gcp", ["gcp", "prod", "gcp"]),
    ("users_allowed", [{"username": "bob", "can_edit": True}, {"username": "carol", "can_edit": False}],
     [{"username": "carol"}, {"username": "bob", "can_edit": True}]),
    ("groups_allowed", [{"name": "devops", "can_edit": False}, {"name": "auditors", "can_edit": True}],
     [{"name": "auditors", "can_edit": True}, {"name": "devops"}]),
    ("method", "post", "POST"),
    ("notes", None, ""),
], ids=["tags-order", "tags-string-and-duplicates", "users-order-and-default", "groups-order", "method-case",
        "none-is-empty"])
def test_equivalent_values_are_no_change(field, current, wanted):
    assert Differences(API_SECRET, {field: current}, {field: wanted}).changes == {}


@pytest.mark.parametrize("field, current, wanted", [
    ("tags", ["prod"], ["prod", "gcp"]),
    ("users_allowed", [{"username": "bob", "can_edit": False}], [{"username": "bob", "can_edit": True}]),
    ("groups_allowed", [{"name": "devops"}], []),
    ("method", "post", "get"),
    ("url", "https://a.example.com", "https://b.example.com")])
def test_real_differences_are_changes(field, current, wanted):
    assert list(Differences(API_SECRET, {field: current}, {field: wanted}).changes) == [field]


def test_client_secret_is_masked_in_the_diff_and_marked_when_changed():
    differences = Differences(API_SECRET, {"client_secret": "old-secret-value", "name": "a"},
                              {"client_secret": "new-secret-value", "name": "a"})

    assert differences.before == {"client_secret": MASK, "name": "a"}
    assert differences.after == {"client_secret": MASK + " (changed)", "name": "a"}
    assert differences.changes == {"client_secret": "new-secret-value"}  # sent, never shown
    assert "secret-value" not in repr((differences.before, differences.after))


def test_unchanged_client_secret_is_masked_without_mark():
    differences = Differences(API_SECRET, {"client_secret": "same-secret"}, {"client_secret": "same-secret"})

    assert (differences.before, differences.after, differences.changes) == ({"client_secret": MASK},
                                                                            {"client_secret": MASK}, {})


def test_diff_of_a_new_secret_has_no_before_and_masks_the_secret():
    differences = Differences(API_SECRET, None, {"client_secret": "new-secret-value", "name": "a"})

    assert differences.before == {"client_secret": None, "name": None}
    assert differences.after == {"client_secret": MASK, "name": "a"}


# -- ItemSync: present --------------------------------------------------------------------------


def test_missing_secret_is_created(sync, mysafe_server):
    result = sync(dict(WANTED, tags=["b", "a"]))

    assert result["changed"] is True
    assert result["identifier"] == 1
    assert result["api_secret"]["client_secret"] == MASK
    assert result["api_secret"]["tags"] == ["b", "a"]
    assert mysafe_server.writes == [("create", None, dict(WANTED, tags="b,a"))]


def test_unchanged_secret_is_not_written(sync, mysafe_server):
    mysafe_server.add(**STORED)

    result = sync(dict(WANTED, tags=["gcp", "prod"], method="POST",
                       users_allowed=[{"username": "carol"}, {"username": "bob", "can_edit": True}]))
    assert result["changed"] is False
    assert mysafe_server.writes == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_update_sends_only_the_changed_fields(sync, mysafe_server):
    identifier = mysafe_server.add(**STORED)

    result = sync(dict(WANTED, url="https://new.example.com", tags=["prod"], notes="n"))
    assert result["changed"] is True
    assert mysafe_server.writes == [("update", identifier, {"url": "https://new.example.com", "tags": "prod"})]
    assert result["api_secret"]["url"] == "https://new.example.com"  # read back after the write
    assert (result["diff"]["before"]["url"], result["diff"]["after"]["url"]) == (
        "https://gcp.example.com", "https://new.example.com")


@pytest.mark.parametrize("update_secret, writes", [
    ("always", [("update", 1, {"client_secret": "new-secret-value"})]),
    ("on_create", [])])
def test_update_secret_policy(sync, mysafe_server, update_secret, writes):
    mysafe_server.add(**STORED)

    result = sync(dict(WANTED, client_secret="new-secret-value"), rewrite=update_secret)
    assert result["changed"] is bool(writes)
    assert mysafe_server.writes == writes
    assert "new-secret-value" not in repr(result)


def test_update_secret_on_create_still_sets_it_on_create(sync, mysafe_server):
    sync(dict(WANTED, client_secret="new-secret-value"), rewrite="on_create")

    assert mysafe_server.secrets[1]["client_secret"] == "new-secret-value"


def test_check_mode_update_is_truthful_and_writes_nothing(sync, mysafe_server):
    mysafe_server.add(**STORED)

    result = sync(dict(WANTED, notes="changed"), check_mode=True)
    assert result["changed"] is True
    assert result["api_secret"]["notes"] == "changed"
    assert result["diff"]["after"]["notes"] == "changed"
    assert mysafe_server.writes == []


def test_check_mode_create_is_truthful_and_writes_nothing(sync, mysafe_server):
    result = sync(check_mode=True)

    assert result["changed"] is True
    assert result["identifier"] is None
    assert result["api_secret"]["client_secret"] == MASK
    assert mysafe_server.writes == [] and mysafe_server.secrets == {}


def test_inactive_secret_is_activated_then_updated(sync, mysafe_server):
    identifier = mysafe_server.add(active=False, **STORED)

    result = sync(dict(WANTED, notes="new"))
    assert result["changed"] is True
    assert [w[:2] for w in mysafe_server.writes] == [("active", identifier), ("update", identifier)]
    assert (result["diff"]["before"]["active"], result["diff"]["after"]["active"]) == (False, True)
    assert mysafe_server.secrets[identifier]["active"] is True


def test_inactive_unchanged_secret_is_activated_and_reported_changed(sync, mysafe_server):
    mysafe_server.add(active=False, **STORED)

    assert sync()["changed"] is True
    assert [w[0] for w in mysafe_server.writes] == ["active"]


def test_check_mode_on_an_inactive_secret_reports_the_activation_without_writing(sync, mysafe_server):
    mysafe_server.add(active=False, **STORED)

    result = sync(check_mode=True)
    assert result["changed"] is True
    assert result["diff"]["after"] == {"active": True}
    assert mysafe_server.writes == []


def test_selection_by_identifier_code_uses_the_list_filter(sync, mysafe_server, fake_http):
    mysafe_server.add(**dict(STORED, identifier_code="other"))
    wanted_id = mysafe_server.add(**dict(STORED, identifier_code="gcp-1"))

    result = sync(dict(WANTED, notes="x"), code="gcp-1")
    assert result["identifier"] == wanted_id
    assert fake_http.api_requests[0].params == {"identifier_code": "gcp-1"}
    assert [w[:2] for w in mysafe_server.writes] == [("update", wanted_id)]


def test_selection_by_identifier_reads_it_directly(sync, mysafe_server, fake_http):
    mysafe_server.add(**STORED)
    second = mysafe_server.add(**STORED)

    assert sync(identifier=second)["identifier"] == second
    assert [(r.method, r.path) for r in fake_http.api_requests] == [("GET", "/api/mysafe/secretapi/%d" % second)]


def test_unknown_identifier_on_present_is_not_found(sync, mysafe_server):
    with pytest.raises(errors.NotFoundError):
        sync(identifier=42)
    assert mysafe_server.writes == []


def test_several_secrets_with_the_name_are_a_configuration_error(sync, mysafe_server):
    first, second = mysafe_server.add(**STORED), mysafe_server.add(**STORED)

    with pytest.raises(errors.ConfigurationError) as caught:
        sync(dict(WANTED, notes="x"))
    assert "2 API secrets visible to this API user have name 'GCP' (identifiers %d, %d)" % (first, second) \
        in caught.value.message
    assert "identifier" in caught.value.hint
    assert mysafe_server.writes == []


@pytest.mark.parametrize("left_out", [("name",), ("url",), ("client_id",), ("url", "client_id")])
def test_create_without_required_fields_is_a_configuration_error_before_any_write(sync, mysafe_server, left_out):
    wanted = dict((k, v) for k, v in WANTED.items() if k not in left_out)

    with pytest.raises(errors.ConfigurationError) as caught:
        sync(wanted, code="new-code")
    for field in left_out:
        assert field in caught.value.message and field in caught.value.hint
    assert mysafe_server.writes == []


def test_no_selector_at_all_is_a_configuration_error(sync, mysafe_server):
    with pytest.raises(errors.ConfigurationError) as caught:
        sync({"url": "https://x.example.com"})
    assert "identifier, identifier_code or name" in caught.value.message


# -- ItemSync: absent -----------------------------------------------------------------------------


def test_absent_disables_an_active_secret(sync, mysafe_server):
    identifier = mysafe_server.add(**STORED)

    result = sync(state="absent")
    assert result["changed"] is True
    assert mysafe_server.writes == [("inactive", identifier, None)]
    assert result["api_secret"]["active"] is False
    assert result["api_secret"]["client_secret"] == MASK


@pytest.mark.parametrize("stored", [{"active": False}, None], ids=["inactive", "missing"])
def test_absent_on_an_inactive_or_missing_secret_changes_nothing(sync, mysafe_server, stored):
    if stored is not None:
        mysafe_server.add(**dict(STORED, **stored))

    assert sync(state="absent")["changed"] is False
    assert mysafe_server.writes == []


def test_absent_with_an_unknown_identifier_changes_nothing(sync, mysafe_server):
    assert sync(identifier=42, state="absent")["changed"] is False


def test_absent_in_check_mode_writes_nothing(sync, mysafe_server):
    mysafe_server.add(**STORED)

    assert sync(state="absent", check_mode=True)["changed"] is True
    assert mysafe_server.writes == []


# -- ambiguous writes -----------------------------------------------------------------------------


def test_ambiguous_create_is_located_again_instead_of_duplicated(sync, mysafe_server):
    mysafe_server.fail_next("create", 502, after_write=True)  # applied, answered with a gateway error

    result = sync()
    assert [w[0] for w in mysafe_server.writes] == ["create"]
    assert len(mysafe_server.secrets) == 1
    assert result["identifier"] == 1
    assert "unknown whether Segura applied" in result["warnings"][0]


def test_ambiguous_create_that_was_applied_reports_changed(sync, mysafe_server):
    mysafe_server.fail_next("create", 502, after_write=True)

    assert sync()["changed"] is True


def test_ambiguous_create_by_identifier_code_that_was_not_applied_is_sent_again(sync, mysafe_server):
    mysafe_server.fail_next("create", 504)  # the gateway failed before the write

    result = sync(code="gcp")
    assert result["changed"] is True
    assert len(mysafe_server.secrets) == 1
    assert [w[0] for w in mysafe_server.writes] == ["create"]


def test_ambiguous_create_by_name_that_is_not_visible_is_never_sent_again(sync, mysafe_server, fake_http):
    """Selected by name, a create the server may still apply late is not repeated: the user checks."""
    mysafe_server.fail_next("create", 504)

    with pytest.raises(errors.UnconfirmedWriteError) as raised:
        sync()
    assert [r.method for r in fake_http.requests if not r.is_token] == ["GET", "POST", "GET"]
    message = str(raised.value)
    assert "named 'GCP' may have been applied" in message and "not created a second time" in message
    assert "mysafe_api_secret_info" in message and "identifier_code" in message


def test_ambiguous_update_is_re_read_and_not_repeated_once_applied(sync, mysafe_server):
    identifier = mysafe_server.add(**STORED)
    mysafe_server.fail_next("update", 502, after_write=True)

    sync(dict(WANTED, notes="new"))
    assert [w[:2] for w in mysafe_server.writes] == [("update", identifier)]
    assert mysafe_server.secrets[identifier]["notes"] == "new"


def test_ambiguous_writes_that_never_settle_fail(sync, mysafe_server, fake_http):
    for _unused in range(3):
        mysafe_server.fail_next("create", 502)

    with pytest.raises(errors.AmbiguousWriteError):
        sync(code="gcp")
    assert mysafe_server.secrets == {}
    assert [r.method for r in fake_http.requests].count("POST") - len(fake_http.token_requests) == 3


def test_sharing_errors_become_warnings(make_client, fake_http, mysafe_server):
    def unknown_user(sent):
        response = mysafe_server.handle(sent)
        if sent.method == "POST" and sent.path == "/api/mysafe/secretapi":
            body = json.loads(response.content)
            body["api_entity"]["shared_error"] = ["User 'zed' not found"]
            return make_response(response.status_code, body)
        return response

    fake_http.handler = unknown_user
    syncer = ItemSync(MySafeApi(make_client(), API_SECRET), wanted=dict(WANTED, users_allowed=[{"username": "zed"}]))

    assert syncer.run()["changed"] is True
    assert "User 'zed' not found" in syncer.warnings[0]
