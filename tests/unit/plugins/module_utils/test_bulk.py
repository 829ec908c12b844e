"""The bulk engine: checks before any request, few requests to resolve, every element attempted.

Against the simulator's MySafe in-process (``mysafe_server``, tests/unit/conftest.py); requests are counted on the fake session.
"""

import pytest
from simulator import segura_sim

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MASK, MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._bulk import BulkSync, prepare_lists
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.module_utils._module import item_argument_spec

SECRET_VALUE = "bulk-secret-value-Xw3"


def element(**options):
    """An element as Ansible hands it over: every suboption present, defaults applied."""
    params = {name: spec.get("default") for name, spec in item_argument_spec(API_SECRET).items()}
    params.update(options)
    return params


def stored(index, **fields):
    values = dict(name="svc-%02d" % index, url="https://svc.example.com", client_id="id-%02d" % index,
                  client_secret=SECRET_VALUE, identifier_code="code-%02d" % index)
    values.update(fields)
    return values


def as_element(index, **fields):
    return element(**stored(index, **fields))


@pytest.fixture
def bulk(make_client, mysafe_server):
    """``bulk(items, **options)``: a BulkSync run; returns its outcome. ``bulk.engines``: every BulkSync run."""
    client = make_client()

    def run(items, **options):
        [elements] = prepare_lists([(API_SECRET, items)])
        engine = BulkSync(MySafeApi(client, API_SECRET), elements, **options)
        run.engines.append(engine)
        return engine.run()

    run.engines = []
    return run


def api_calls(fake_http):
    return [(r.method, r.path.rstrip("0123456789/"), tuple(sorted((r.params or {}).items())))
            for r in fake_http.api_requests]


# -- checked before anything is sent -------------------------------------------------------------


def test_every_problem_is_named_by_index_and_selector_and_nothing_is_sent(fake_http):
    items = [
        as_element(0),
        element(url="https://x.example.com"),                        # selects nothing
        as_element(2, name=""),                                      # empty name
        as_element(0, identifier_code="code-00"),                    # same code as api_secrets[0]
        element(identifier=7, method="FETCH", client_secret="never-shown-Q9"),
        element(identifier=7),                                       # same identifier as api_secrets[4]
    ]

    with pytest.raises(errors.ConfigurationError) as raised:
        prepare_lists([(API_SECRET, items)])

    message = str(raised.value)
    assert "5 of the 6 items cannot be applied, so nothing was sent" in message
    assert "api_secrets[1] selects nothing" in message
    assert "api_secrets[2] (identifier_code 'code-02'): Option name is empty" in message
    assert "api_secrets[3] (identifier_code 'code-00') names the same API secret as api_secrets[0]" in message
    assert "api_secrets[4] (identifier 7): Option method 'FETCH' is not an HTTP method" in message
    assert "api_secrets[5] (identifier 7) names the same API secret as api_secrets[4]" in message
    assert "never-shown-Q9" not in message
    assert fake_http.requests == []


# -- resolving with few requests ----------------------------------------------------------------


def test_unchanged_items_by_code_cost_one_list_and_one_read_each(bulk, mysafe_server, fake_http):
    for index in range(10):
        mysafe_server.add(**stored(index))

    outcome = bulk([as_element(index) for index in range(10)])

    assert outcome["summary"] == {"created": 0, "updated": 0, "enabled": 0, "disabled": 0, "unchanged": 10,
                                  "failed": 0}
    calls = api_calls(fake_http)
    assert calls.count(("GET", "/api/mysafe/secretapi", ())) == 11  # 1 list + 10 reads
    assert len(fake_http.token_requests) == 1 and mysafe_server.writes == []


def test_when_many_more_items_are_visible_codes_are_listed_one_by_one(bulk, mysafe_server, fake_http):
    for index in range(40):
        mysafe_server.add(**stored(index))

    outcome = bulk([as_element(3), as_element(7)])

    assert [r["operation"] for r in outcome["results"]] == ["unchanged", "unchanged"]
    calls = api_calls(fake_http)
    assert ("GET", "/api/mysafe/secretapi", (("identifier_code", "code-03"),)) in calls
    assert len(calls) == 1 + 2 + 2  # the list, a filtered list per code, a read per element


def test_new_changed_and_named_items_are_applied_in_input_order(bulk, mysafe_server):
    kept = mysafe_server.add(**stored(1))
    mysafe_server.add(**stored(2, identifier_code=""))
    retired = mysafe_server.add(**stored(3))

    outcome = bulk([
        as_element(9),                                                             # new
        as_element(1, notes="rotated"),                                            # one field changed
        element(name="svc-02", url="https://svc.example.com", client_id="id-02"),  # by name, unchanged
        element(identifier=retired, state="absent"),
    ], max_parallel=1)

    assert [(r.get("identifier_code") or r.get("name") or r.get("identifier"), r["operation"])
            for r in outcome["results"]] == [("code-09", "created"), ("code-01", "updated"), ("svc-02", "unchanged"),
                                             (retired, "disabled")]
    assert outcome["results"][1]["identifier"] == kept and outcome["changed"] is True
    assert [w[0] for w in mysafe_server.writes] == ["create", "update", "inactive"]
    assert mysafe_server.writes[1][2] == {"notes": "rotated"}  # only the changed field


def test_a_failing_element_does_not_stop_the_others(bulk, mysafe_server):
    mysafe_server.add(**stored(1, identifier_code=""))
    mysafe_server.add(**stored(2, identifier_code="", name="svc-01"))  # two secrets named svc-01

    outcome = bulk([element(name="svc-01", url="https://u.example.com", client_id="c"), as_element(5)])

    first, second = outcome["results"]
    assert first["failed"]
    assert first["msg"].startswith("2 API secrets visible to this API user have name 'svc-01' (identifiers 1, 2). "
                                   "Select one with identifier")
    assert (second["failed"], second["operation"]) == (False, "created")
    assert outcome["summary"]["failed"] == 1 and outcome["summary"]["created"] == 1


def test_a_missing_identifier_fails_its_element_only_after_one_read(bulk, mysafe_server, fake_http):
    outcome = bulk([element(identifier=99, notes="x"), as_element(1), element(identifier=98, state="absent")])

    missing, created, absent = outcome["results"]
    assert missing["failed"] and "1005" in missing["msg"] and missing["identifier"] == 99
    assert created["operation"] == "created"
    assert (absent["failed"], absent["operation"]) == (False, "unchanged")  # nothing to disable
    assert [r.path for r in fake_http.api_requests].count("/api/mysafe/secretapi/99") == 1


def test_new_codes_need_no_list_per_code_when_every_visible_item_was_read(bulk, mysafe_server, fake_http):
    mysafe_server.add(**stored(1))

    outcome = bulk([as_element(index) for index in range(1, 6)])

    assert [r["operation"] for r in outcome["results"]] == ["unchanged"] + ["created"] * 4
    assert [r.params for r in fake_http.api_requests if r.method == "GET" and r.path.endswith("secretapi")] == [None]


def test_exclusive_tag_is_not_applied_when_an_element_could_not_be_matched(bulk, mysafe_server):
    for twin in range(2):
        mysafe_server.add(**stored(twin, name="twin", identifier_code="", tags="owned"))

    outcome = bulk([element(name="twin", notes="x")], owned_tag="owned")

    assert outcome["results"][0]["failed"] and outcome["excluded"] == []
    assert all(secret["active"] for secret in mysafe_server.secrets.values())


# -- check mode, diff, exclusive tag ------------------------------------------------------------


def test_check_mode_writes_nothing_and_tells_the_truth(bulk, mysafe_server):
    mysafe_server.add(**stored(1))

    outcome = bulk([as_element(1, notes="new"), as_element(2)], check_mode=True)

    assert [r["operation"] for r in outcome["results"]] == ["updated", "created"]
    assert mysafe_server.writes == []


def test_one_masked_diff_per_changed_element_headed_with_its_selector(bulk, mysafe_server):
    mysafe_server.add(**stored(1))
    mysafe_server.add(**stored(2))

    outcome = bulk([as_element(1, client_secret="rotated-Vq1"), as_element(2)])

    [diff] = outcome["diff"]
    assert diff["before_header"] == diff["after_header"] == "api_secrets[0] (identifier_code 'code-01')"
    assert diff["before"]["client_secret"] == MASK and diff["after"]["client_secret"] == MASK + " (changed)"
    assert "rotated-Vq1" not in repr(outcome) and SECRET_VALUE not in repr(outcome)


def test_exclusive_tag_disables_the_tagged_secrets_no_element_names(bulk, mysafe_server):
    mysafe_server.add(**stored(1, tags="owned"))
    stray = mysafe_server.add(**stored(2, tags="owned,extra"))
    other = mysafe_server.add(**stored(3, tags="someone-else"))

    preview = bulk([as_element(1, tags=["owned"])], owned_tag="owned", check_mode=True)
    assert [(e["identifier"], e["operation"]) for e in preview["excluded"]] == [(stray, "disabled")]
    assert mysafe_server.writes == []

    applied = bulk([as_element(1, tags=["owned"])], owned_tag="owned")
    assert applied["summary"]["disabled"] == 1
    assert mysafe_server.secrets[stray]["active"] is False and mysafe_server.secrets[other]["active"] is True


def shared_with_the_api_user(mysafe_server, owner, can_edit, **fields):
    """An API secret of ``owner`` shared with the API user (``can_edit`` or view only); its identifier."""
    status, answer = mysafe_server.sim.seed(segura_sim.KINDS_BY_PLURAL["secrets"], dict(
        stored(0, identifier_code="", **fields), owner=owner,
        users_allowed=[{"username": mysafe_server.USER, "can_edit": can_edit}]))
    assert status == 200, answer
    return answer["identifier"]


def exclusive_run(bulk, **options):
    """The same exclusive run previewed, then applied: (preview, applied) outcomes."""
    return (bulk([], owned_tag="owned", check_mode=True, **options), bulk([], owned_tag="owned", **options))


def test_exclusive_tag_leaves_items_shared_by_others_alone_and_names_them(bulk, mysafe_server, fake_http):
    own = mysafe_server.add(**stored(1, name="mine", tags="owned"))
    editable = shared_with_the_api_user(mysafe_server, "colleague-1", True, name="theirs to edit", tags="owned")
    viewed = shared_with_the_api_user(mysafe_server, "colleague-2", False, name="theirs to view", tags="owned")
    untagged = shared_with_the_api_user(mysafe_server, "colleague-3", True, name="untagged", tags="other")

    preview, applied = exclusive_run(bulk)

    for outcome in (preview, applied):
        assert [(e["identifier"], e["operation"], e["failed"]) for e in outcome["excluded"]] == [
            (own, "disabled", False)]
        assert outcome["summary"]["failed"] == 0  # a view-only item is no failure
    assert {i: record["active"] for i, record in mysafe_server.secrets.items()} == {
        own: False, editable: True, viewed: True, untagged: True}
    assert [write[:2] for write in mysafe_server.writes] == [("inactive", own)]


def test_exclusive_tag_warns_about_what_it_leaves_alone_the_same_in_check_mode(bulk, mysafe_server):
    mysafe_server.add(**stored(1, name="mine", tags="owned"))
    editable = shared_with_the_api_user(mysafe_server, "colleague-1", True, name="theirs to edit", tags="owned")
    viewed = shared_with_the_api_user(mysafe_server, "colleague-2", False, name="theirs to view", tags="owned")

    exclusive_run(bulk)

    preview, applied = (engine.warnings for engine in bulk.engines)
    assert preview == applied == [
        "exclusive_tags.api_secrets 'owned' left alone 1 tagged API secret that no element names, shared with the "
        "API user to view only (ask their owners to remove the tag): identifier %d (name 'theirs to view')." % viewed,
        "exclusive_tags.api_secrets 'owned' left alone 1 tagged API secret that no element names, which a share "
        "lets edit, so each may be someone else's shared with the API user as well as its own shared with editors "
        "(the API does not tell; exclusive_tags_include_shared: true disables them too): identifier %d (name "
        "'theirs to edit')." % editable]


def test_include_shared_disables_the_shared_items_it_may_edit_but_never_a_view_only_one(bulk, mysafe_server):
    own = mysafe_server.add(**stored(1, tags="owned"))
    editable = shared_with_the_api_user(mysafe_server, "colleague-1", True, name="theirs to edit", tags="owned")
    viewed = shared_with_the_api_user(mysafe_server, "colleague-2", False, name="theirs to view", tags="owned")
    # its own, shared with an editor: the API cannot tell it from one shared with it to edit
    own_with_editor = mysafe_server.add(**stored(3, tags="owned", users_allowed=[
        {"username": "colleague-3", "can_edit": True}]))

    preview, applied = exclusive_run(bulk, include_shared=True)

    for outcome in (preview, applied):
        assert [e["identifier"] for e in outcome["excluded"]] == [own, editable, own_with_editor]
        assert outcome["summary"] == dict(outcome["summary"], disabled=3, failed=0)
    assert mysafe_server.secrets[viewed]["active"] is True


def test_exclusive_tag_finds_tagged_secrets_with_one_filtered_list_and_reads_only_those(bulk, mysafe_server, fake_http):
    for index in range(20):
        mysafe_server.add(**stored(index, tags="fleet"))
    tagged = [mysafe_server.add(**stored(index, tags="owned")) for index in range(20, 23)]
    kept = mysafe_server.add(**stored(23, tags="owned"))

    outcome = bulk([element(identifier=kept, tags=["owned"])], owned_tag="owned")

    assert [e["identifier"] for e in outcome["excluded"]] == tagged[:3]
    assert sorted(api_calls(fake_http)) == sorted(
        [("GET", "/api/mysafe/secretapi", (("tag", "owned"),))]
        + [("GET", "/api/mysafe/secretapi", ())] * 4          # the element's read and the three tagged secrets
        + [("POST", "/api/mysafe/secretapi/inactive", ())] * 3)


def test_a_tagged_item_that_cannot_be_read_is_a_failure_not_skipped(bulk, mysafe_server):
    unreadable = mysafe_server.add(**stored(1, tags="owned"))
    for _attempt in range(8):  # more than the read and its retries
        mysafe_server.fail_next("read", 502)

    outcome = bulk([], owned_tag="owned")

    [excluded] = outcome["excluded"]
    assert (excluded["identifier"], excluded["failed"]) == (unreadable, True)
    assert "502" in excluded["msg"] and outcome["summary"]["failed"] == 1
    assert mysafe_server.writes == []


def test_a_failed_list_of_tagged_items_fails_the_kind_saying_the_tag_was_not_applied(bulk, mysafe_server):
    mysafe_server.add(**stored(1, tags="owned"))
    for _attempt in range(8):
        mysafe_server.fail_next("list", 502)

    outcome = bulk([], owned_tag="owned")

    [failure] = bulk.engines[-1].failures
    assert failure.startswith("exclusive_tags.api_secrets 'owned' was not applied: ") and "502" in failure
    assert outcome["excluded"] == [] and mysafe_server.writes == []
