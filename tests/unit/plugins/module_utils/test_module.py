"""What the modules of every kind do, called as functions: argument specs built from the kind
table, the info module's choice between one item and a list, with exact filtering, and
mysafe_items (every kind in one task)."""

import json

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MASK, MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET, KINDS, NOTE, PASSWORD
from ansible_collections.segura.pam.plugins.module_utils._module import (
    apply_items, collect_info, info_argument_spec, item_argument_spec,
    items_argument_spec, listed_matches, single_selectors)


class FakeModule(object):
    """The part of SeguraModule that collect_info uses."""

    def __init__(self, client, kind, **params):
        self.params = {name: spec.get("default") for name, spec in info_argument_spec(kind).items()}
        self.params.update(params)
        self._client = client

    def api(self, kind):
        return MySafeApi(self._client, kind)


MYSAFE_KINDS = list(KINDS.values())


def apply_lists(module):
    return apply_items(module, MYSAFE_KINDS)


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_item_spec_takes_every_field_and_hides_the_secret_ones(kind):
    spec = item_argument_spec(kind)

    assert set(kind.fields) <= set(spec)
    assert {name for name, option in spec.items() if option.get("no_log")} == set(kind.secret_fields) & set(spec)
    assert spec[kind.rewrite_option[0]]["choices"] == ["always", "on_create"]
    assert spec["state"]["default"] == "present"


def test_info_options_and_what_selects_one_item():
    assert set(info_argument_spec(PASSWORD)) == {"identifier", "tag", "name", "username", "url", "details",
                                                 "reveal_secret"}
    assert single_selectors(API_SECRET) == ("identifier", "identifier_code")
    assert single_selectors(PASSWORD) == ("identifier", "name")
    assert single_selectors(NOTE) == ("identifier", "name")


@pytest.mark.parametrize("filters, matches", [
    ({"tag": "prod"}, True), ({"tag": "Prod"}, False), ({"name": "db"}, True), ({"name": "DB"}, False),
    ({"username": "svc"}, True), ({"username": "svc2"}, False), ({"url": "db.example.com"}, True),
])
def test_list_filters_match_exactly(filters, matches):
    summary = {"identifier": 1, "name": "db", "username": "svc", "url": "db.example.com", "tags": ["prod", "eu"]}

    assert listed_matches(summary, filters) is matches


def test_a_filter_the_list_does_not_carry_is_left_to_the_server():
    assert listed_matches({"identifier": 1, "name": "GCP"}, {"tag": "anything"}) is True


def test_an_api_secret_name_filters_the_list_but_a_code_alone_selects_one(make_client, mysafe_server):
    first = mysafe_server.add(name="GCP", url="https://a.example.com", client_id="a", client_secret="s-1",
                              identifier_code="gcp")
    mysafe_server.add(name="GCP", url="https://b.example.com", client_id="b", client_secret="s-2")
    client = make_client()

    listed = collect_info(FakeModule(client, API_SECRET, name="GCP"), API_SECRET)
    one = collect_info(FakeModule(client, API_SECRET, identifier_code="gcp"), API_SECRET)

    assert [s["identifier"] for s in listed["api_secrets"]] == [1, 2]
    assert all(s["client_secret"] == MASK for s in listed["api_secrets"])
    assert one["api_secret"]["identifier"] == first and one["api_secret"]["client_secret"] == MASK


def test_revealing_returns_the_values(make_client, mysafe_server):
    mysafe_server.add(name="GCP", url="https://a.example.com", client_id="a", client_secret="s-1",
                      identifier_code="gcp")

    one = collect_info(FakeModule(make_client(), API_SECRET, identifier=1, reveal_secret=True), API_SECRET)

    assert one["api_secret"]["client_secret"] == "s-1"


def test_a_code_shared_by_several_owners_names_them(make_client, mysafe_server):
    for letter in "ab":
        mysafe_server.add(name=letter, url="https://x.example.com", client_id=letter, identifier_code="dup")

    with pytest.raises(errors.AmbiguousSelectionError) as raised:
        collect_info(FakeModule(make_client(), API_SECRET, identifier_code="dup"), API_SECRET)

    assert "(identifiers 1, 2)" in str(raised.value)


# -- the bulk path: mysafe_items ----------------------

SEED = "JBSWY3DPEHPK3PXP"
CANARY = "canary-items-Rk52"


class Failed(Exception):
    """What fail_json was called with."""

    def __init__(self, result):
        super(Failed, self).__init__(result["msg"])
        self.result = result


class BulkModule(object):
    """The part of SeguraModule the bulk paths use: params with the spec's defaults, one client,
    warnings kept, fail_json raising :class:`Failed`."""

    def __init__(self, client, spec, check_mode=False, **params):
        self.params = {name: option.get("default") for name, option in spec.items()}
        self.params.update(params)
        self.check_mode = check_mode
        self.client_settings = {}
        self.warnings = []
        self._client = client

    def api(self, kind):
        return MySafeApi(self._client, kind)

    def warn(self, warning):
        self.warnings.append(warning)

    def fail_json(self, **result):
        raise Failed(result)


def element(kind, **options):
    """An element as Ansible hands it over: every suboption present, defaults applied."""
    return dict({name: spec.get("default") for name, spec in item_argument_spec(kind).items()}, **options)


def secret_fields(index, **fields):
    return dict(dict(identifier_code="code-%d" % index, name="svc-%d" % index, url="https://svc.example.com",
                     client_id="id-%d" % index, client_secret="secret-%d" % index), **fields)


def api_secret(index, **fields):
    return element(API_SECRET, **secret_fields(index, **fields))


def password(name, **fields):
    return element(PASSWORD, **dict(dict(name=name, username="svc", password="%s-pw" % name), **fields))


@pytest.fixture
def items_module(make_client):
    """``items_module(check_mode=False, **params)``: a mysafe_items module on one client."""
    client = make_client()
    return lambda check_mode=False, **params: BulkModule(client, items_argument_spec(MYSAFE_KINDS), check_mode, **params)


def test_the_problems_of_every_list_fail_together_by_list_index_and_selector_before_any_request(
        items_module, fake_http):
    module = items_module(
        api_secrets=[api_secret(0), api_secret(1, method="FETCH")],
        passwords=[password("db", secret_key="not-base32-" + CANARY), password("ok")],
        notes=[element(NOTE, name="runbook", note="x"), element(NOTE, name="runbook", note=CANARY)])

    with pytest.raises(errors.ConfigurationError) as raised:
        apply_lists(module)

    message = str(raised.value)
    assert message.startswith("3 of the 6 items cannot be applied, so nothing was sent: ")
    assert "api_secrets[1] (identifier_code 'code-1'): Option method 'FETCH' is not an HTTP method" in message
    assert "; passwords[0] (name 'db', username 'svc'): Option secret_key is not a base32 TOTP seed" in message
    assert "; notes[1] (name 'runbook') names the same note as notes[0]" in message
    assert "items[" not in message and CANARY not in message
    assert fake_http.requests == []


def test_every_kind_is_applied_with_its_own_results_and_an_empty_list_sends_nothing(
        items_module, mysafe_server, fake_http):
    kept = mysafe_server.add(**secret_fields(0))
    mysafe_server.add("passwords", name="db", username="svc", password="db-pw")

    result = apply_lists(items_module(max_parallel=3, api_secrets=[api_secret(0), api_secret(1)],
                                      passwords=[password("db", notes="moved"), password("web", secret_key=SEED)]))

    assert result["changed"] is True
    assert [r["operation"] for r in result["api_secrets"]["results"]] == ["unchanged", "created"]
    assert result["api_secrets"]["results"][0]["identifier"] == kept
    assert [r["operation"] for r in result["passwords"]["results"]] == ["updated", "created"]
    assert result["notes"] == {"results": [], "excluded": [],
                               "summary": dict.fromkeys(("created", "updated", "enabled", "disabled", "unchanged",
                                                         "failed"), 0)}
    assert set(result) == {"changed", "diff", "api_secrets", "passwords", "notes"}
    assert result["api_secrets"]["summary"]["created"] == 1 and result["passwords"]["summary"]["updated"] == 1
    assert [d["before_header"] for d in result["diff"]] == [
        "api_secrets[1] (identifier_code 'code-1')", "passwords[0] (name 'db', username 'svc')",
        "passwords[1] (name 'web', username 'svc')"]
    assert not any(r.path.startswith("/api/mysafe/note") for r in fake_http.api_requests)
    assert len(fake_http.token_requests) == 1
    assert SEED not in json.dumps(result) and "web-pw" not in json.dumps(result)


def test_check_mode_writes_nothing_in_any_kind(items_module, mysafe_server):
    mysafe_server.add("passwords", name="db", username="svc", password="db-pw")

    result = apply_lists(items_module(check_mode=True, api_secrets=[api_secret(0)],
                                      passwords=[password("db", state="absent"), password("new")]))

    assert [r["operation"] for r in result["api_secrets"]["results"]] == ["created"]
    assert [r["operation"] for r in result["passwords"]["results"]] == ["disabled", "created"]
    assert mysafe_server.writes == []


def test_a_failing_element_of_one_kind_fails_the_task_at_the_end_after_every_kind_was_applied(
        items_module, mysafe_server):
    with pytest.raises(Failed) as raised:
        apply_lists(items_module(api_secrets=[element(API_SECRET, identifier=99, notes="x"), api_secret(1)],
                                 passwords=[password("db")],
                                 notes=[]))

    result, message = raised.value.result, str(raised.value)
    assert message.startswith("1 of the API secrets failed: api_secrets[0] (identifier 99): ")
    assert "1005" in message
    done = json.loads(message.split(" Done all the same: ", 1)[1].rstrip("."))
    assert done == {"api_secrets": {"created": 1, "updated": 0, "enabled": 0, "disabled": 0, "unchanged": 0},
                    "passwords": {"created": 1, "updated": 0, "enabled": 0, "disabled": 0, "unchanged": 0},
                    "notes": {"created": 0, "updated": 0, "enabled": 0, "disabled": 0, "unchanged": 0}}
    assert result["changed"] is True
    assert result["api_secrets"]["summary"]["failed"] == 1 and result["passwords"]["summary"]["created"] == 1
    assert [write.endpoint for write in mysafe_server.writes_of["secrets"]] == ["create"]
    assert [write.endpoint for write in mysafe_server.writes_of["passwords"]] == ["create"]


def test_failures_of_several_kinds_are_listed_kind_by_kind(items_module, mysafe_server):
    with pytest.raises(Failed) as raised:
        apply_lists(items_module(api_secrets=[element(API_SECRET, identifier=99, notes="x")],
                                 passwords=[element(PASSWORD, identifier=77, notes="y"), password("db")]))

    message = str(raised.value)
    api_part, password_part = message.split(" Done all the same: ", maxsplit=1)[0].split(" 1 of the passwords failed: ")
    assert api_part.startswith("1 of the API secrets failed: api_secrets[0] (identifier 99): ")
    assert password_part.startswith("passwords[0] (identifier 77): ")
    assert raised.value.result["passwords"]["summary"]["created"] == 1


def test_exclusive_tags_apply_to_their_own_kind_and_name_their_option(items_module, mysafe_server):
    mysafe_server.add(**secret_fields(0, tags="owned"))
    stray = mysafe_server.add(name="stray", url="https://s.example.com", client_id="s", tags="owned")
    untouched = mysafe_server.add("passwords", name="also-owned", username="svc", password="p", tags="owned")

    result = apply_lists(items_module(api_secrets=[api_secret(0, tags=["owned"])], passwords=[],
                                      exclusive_tags={"api_secrets": "owned", "passwords": None, "notes": None}))

    assert [(e["identifier"], e["operation"]) for e in result["api_secrets"]["excluded"]] == [(stray, "disabled")]
    assert [d["before_header"] for d in result["diff"]] == [
        "identifier %d (exclusive_tags.api_secrets 'owned')" % stray]
    assert mysafe_server.secrets[stray]["active"] is False
    assert mysafe_server.stored("passwords")[untouched]["active"] is True
    assert result["passwords"]["excluded"] == [] and mysafe_server.writes_of["passwords"] == []


def test_an_exclusive_tag_alone_is_work_for_its_kind(items_module, mysafe_server, fake_http):
    stray = mysafe_server.add("passwords", name="stray", username="svc", password="p", tags="owned")

    result = apply_lists(items_module(exclusive_tags={"api_secrets": None, "passwords": "owned", "notes": None}))

    assert [(e["identifier"], e["operation"]) for e in result["passwords"]["excluded"]] == [(stray, "disabled")]
    assert {r.path for r in fake_http.api_requests} == {"/api/mysafe/password", "/api/mysafe/password/%d" % stray,
                                                        "/api/mysafe/password/inactive/%d" % stray}


def test_a_blank_exclusive_tag_is_refused_naming_its_option_before_any_request(items_module, fake_http):
    with pytest.raises(errors.ConfigurationError) as raised:
        apply_lists(items_module(api_secrets=[api_secret(0)],
                                 exclusive_tags={"api_secrets": None, "passwords": " ", "notes": None}))

    assert str(raised.value).startswith("Option exclusive_tags.passwords is empty.")
    assert fake_http.requests == []


def test_max_parallel_sizes_the_connection_pool_and_below_one_is_refused(items_module, mysafe_server):
    module = items_module(max_parallel=2, api_secrets=[api_secret(0)])
    apply_lists(module)
    assert module.client_settings == {"pool_size": 2}

    with pytest.raises(errors.ConfigurationError) as raised:
        apply_lists(items_module(max_parallel=0, api_secrets=[api_secret(1)]))
    assert str(raised.value).startswith("Option max_parallel must be at least 1, got 0.")
