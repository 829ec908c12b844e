"""MySafe entity normalisation (every documented quirk), masking, request bodies, endpoints."""

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import (MASK, MySafeApi, masked, normalise_entity,
                                                                      normalise_summary, split_tags, to_identifier,
                                                                      to_request)
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET, KINDS
from segura_fakes import envelope, error_envelope

SECRETS_PATH = "/api/mysafe/secretapi"
READ_ANSWER = {  # as the read page shows it: id as a string, users named "name"
    "identifier": "3", "name": "GCP1", "url": "https://gcp.example.com", "client_id": "app",
    "client_secret": "s3cr3t", "identifier_code": "gcp-1", "method": "POST", "tags": "prod, gcp,,",
    "notes": None,
    "users_allowed": [{"name": "bob", "can_edit": "1"}, {"name": "alice"}],
    "groups_allowed": [{"name": "devops", "can_edit": "true"}, {"name": "auditors", "can_edit": False}],
}
NORMALISED = {
    "identifier": 3, "name": "GCP1", "url": "https://gcp.example.com", "client_id": "app",
    "client_secret": "s3cr3t", "identifier_code": "gcp-1", "method": "post", "tags": ["prod", "gcp"],
    "notes": "",
    "users_allowed": [{"username": "alice", "can_edit": False}, {"username": "bob", "can_edit": True}],
    "groups_allowed": [{"name": "auditors", "can_edit": False}, {"name": "devops", "can_edit": True}],
    "active": True,
}


def test_read_answer_is_normalised():
    assert normalise_entity(API_SECRET, READ_ANSWER) == NORMALISED


def test_create_and_update_answers_normalise_the_same():
    # api_entity names share users "username" and may carry tags as a list
    raw = dict(READ_ANSWER, identifier=3, tags=["prod", "gcp"],
               users_allowed=[{"username": "bob", "can_edit": True}, {"username": "alice", "can_edit": 0}])
    assert normalise_entity(API_SECRET, raw) == NORMALISED


@pytest.mark.parametrize("can_edit, expected", [
    (None, False), ("1", True), ("0", False), ("true", True), ("TRUE", True), ("false", False), ("", False),
    (1, True), (0, False), (True, True), (False, False)])
def test_can_edit(can_edit, expected):
    user = {"name": "bob"} if can_edit is None else {"name": "bob", "can_edit": can_edit}
    assert normalise_entity(API_SECRET, dict(READ_ANSWER, users_allowed=[user]))["users_allowed"] == [
        {"username": "bob", "can_edit": expected}]


@pytest.mark.parametrize("value, expected", [("3", 3), (3, 3), (" 12 ", 12)])
def test_identifier_becomes_an_int(value, expected):
    assert to_identifier(value) == expected


@pytest.mark.parametrize("value", ["abc", "0", "-2", None, "", True, "3.5"])
def test_identifier_that_is_not_a_positive_int_is_an_unexpected_response(value):
    with pytest.raises(errors.UnexpectedResponseError):
        to_identifier(value)


@pytest.mark.parametrize("tags, expected", [
    (None, []), ("", []), ("a", ["a"]), ("a, b ,c", ["a", "b", "c"]), ("a,,b,", ["a", "b"]),
    (["a", " b "], ["a", "b"]), (("x",), ["x"])])
def test_tags_string_becomes_a_list(tags, expected):
    assert split_tags(tags) == expected


def test_summary_from_the_list():
    summary = {"identifier": "3", "name": "GCP1", "need_justify": "0", "need_approval": "1", "can_view": True,
               "can_write": "false"}
    assert normalise_summary(API_SECRET, summary) == {"identifier": 3, "name": "GCP1", "can_view": True,
                                                      "can_write": False, "need_justify": False,
                                                      "need_approval": True}


def test_masked_hides_only_the_client_secret_and_copies():
    safe = masked(API_SECRET, NORMALISED)

    assert safe["client_secret"] == MASK
    assert dict(safe, client_secret="s3cr3t") == NORMALISED
    assert NORMALISED["client_secret"] == "s3cr3t"  # the original is untouched


def test_masked_leaves_an_empty_secret_empty():
    assert masked(API_SECRET, dict(NORMALISED, client_secret=""))["client_secret"] == ""


def test_to_request_uses_the_wire_forms():
    body = to_request({"tags": ["prod", "gcp"], "users_allowed": [{"username": "bob", "can_edit": 1}],
                       "groups_allowed": [{"name": "devops"}], "name": "GCP1"})

    assert body == {"tags": "prod,gcp", "users_allowed": [{"username": "bob", "can_edit": True}],
                    "groups_allowed": [{"name": "devops", "can_edit": False}], "name": "GCP1"}


def test_to_request_sends_only_the_given_fields():
    assert to_request({"notes": "n"}) == {"notes": "n"}


# -- the endpoints, over the fake session ---------------------------------------------------


@pytest.fixture
def api(make_client):
    return MySafeApi(make_client(), API_SECRET)


@pytest.mark.parametrize("filters, params", [
    ({}, None), ({"tag": "prod"}, {"tag": "prod"}), ({"identifier_code": "gcp-1"}, {"identifier_code": "gcp-1"}),
    ({"tag": "prod", "identifier_code": "gcp-1"}, {"tag": "prod", "identifier_code": "gcp-1"})])
def test_list_sends_filters_as_query_parameters(api, fake_http, filters, params):
    fake_http.reply(200, envelope(api_secret_on_list=[{"identifier": "3", "name": "GCP1"}]))

    assert [s["identifier"] for s in api.list(**filters)] == [3]
    assert (fake_http.api_requests[0].method, fake_http.api_requests[0].path) == ("GET", SECRETS_PATH)
    assert fake_http.api_requests[0].params == params


def test_list_without_items_is_empty(api, fake_http):
    fake_http.reply(200, envelope())
    assert api.list() == []


def test_list_that_is_not_a_list_is_an_unexpected_response(api, fake_http):
    fake_http.reply(200, envelope(api_secret_on_list={"identifier": "3"}))
    with pytest.raises(errors.UnexpectedResponseError):
        api.list()


@pytest.mark.parametrize("key", ["api_secret_entity", "api_entity"])
def test_get_reads_either_entity_key(api, fake_http, key):
    fake_http.reply(200, envelope(message_key="Message", **{key: READ_ANSWER}))

    assert api.get(3) == NORMALISED
    assert fake_http.api_requests[0].path == SECRETS_PATH + "/3"


def test_get_without_entity_is_an_unexpected_response(api, fake_http):
    fake_http.reply(200, envelope())
    with pytest.raises(errors.UnexpectedResponseError) as caught:
        api.get(3)
    assert "api_secret_entity" in caught.value.message


def test_create_posts_the_wire_body_and_returns_the_id_and_sharing_errors(api, fake_http):
    fake_http.reply(201, envelope(201, "Api secret successfully registered",
                                  api_entity=dict(READ_ANSWER, identifier="9", shared_error=["User 'zed' not found"])))

    assert api.create({"name": "GCP1", "tags": ["a", "b"]}) == (9, ["User 'zed' not found"])
    sent = fake_http.api_requests[0]
    assert (sent.method, sent.path, sent.json) == ("POST", SECRETS_PATH, {"name": "GCP1", "tags": "a,b"})


def test_update_puts_only_the_changed_fields(api, fake_http):
    fake_http.reply(201, envelope(201, "Api secret successfully registered", api_entity={"identifier": "9"}))

    assert api.update(9, {"url": "https://new.example.com"}) == []
    sent = fake_http.api_requests[0]
    assert (sent.method, sent.path) == ("PUT", SECRETS_PATH + "/update/9")
    assert sent.json == {"url": "https://new.example.com"}


@pytest.mark.parametrize("active, message, changed", [
    (True, "Api secret successfully activated", True),
    (True, "Api secret has already been activated", False),
    (False, "Api secret successfully deactivated", True),
    (False, "Api secret has already been deactivated", False)])
def test_set_active_tells_whether_the_state_changed(api, fake_http, active, message, changed):
    fake_http.reply(200, envelope(message=message, code=False))

    assert api.set_active(9, active) is changed
    sent = fake_http.api_requests[0]
    assert (sent.method, sent.path) == ("POST", SECRETS_PATH + ("/active/9" if active else "/inactive/9"))


# -- Segura's refusals, hinted for the kind at hand -------------------------------------------------

REFUSALS = {
    1005: (errors.NotFoundError, "Check the identifier; list the %(plural)s you can see with %(info_module)s."),
    1006: (errors.AccessDeniedError, "The API user of segura_client_id has no access, or only view access, to "
                                     "this %(label)s: the owner must share it with that user"),
    1009: (errors.InactiveSecretError, "The %(label)s is disabled: enable it with %(module)s state=present."),
}
# What a hint of another kind would say; "secret" is how the client's own hints named every kind.
WRONG_WORDS = {"api_secret": ("password", "note"), "password": ("secret", "note"), "note": ("secret", "password")}
CALLS = {"read": lambda api: api.get(3), "update": lambda api: api.update(3, {"name": "x"}),
         "disable": lambda api: api.set_active(3, False)}


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("code", list(REFUSALS))
@pytest.mark.parametrize("kind_name", list(KINDS))
def test_a_refusal_says_what_to_do_for_the_kind_at_hand_once(make_client, fake_http, kind_name, code, call):
    kind = KINDS[kind_name]
    error_class, wording = REFUSALS[code]
    fake_http.reply(400, error_envelope(code, "Refused"))

    with pytest.raises(error_class) as raised:
        CALLS[call](MySafeApi(make_client(), kind))

    error = raised.value
    expected = wording % {"plural": kind.plural, "label": kind.label, "module": kind.module,
                          "info_module": kind.info_module}
    assert error.hint.startswith(expected)
    assert str(error) == "Segura refused the request: %d: Refused. %s" % (code, error.hint)
    assert not [word for word in WRONG_WORDS[kind_name] if word in error.hint.lower()], error.hint
