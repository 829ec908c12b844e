"""segura.pam.mysafe_items (API secrets, passwords and notes in one task) in real ansible-playbook
runs against the simulator: every kind together, then what is particular to the list of each kind.

What a run costs the server is read from the simulator's counters after every task (a loopback
``url`` lookup of ``/_sim/counters``, uncounted), so one playbook run proves several steps.
"""

import json
import os
import tempfile
from pathlib import Path

import pytest

from item_support import assert_not_shown, seed, stored as stored_items
from kinds import ROWS

MASK = "********"
OPERATIONS = ("created", "updated", "enabled", "disabled", "unchanged")
LISTS = ("api_secrets", "passwords", "notes")
# Options of mysafe_items besides its lists, and task keywords a step may set.
TASK_OPTIONS = ("max_parallel", "exclusive_tags", "exclusive_tags_include_shared")
TASK_KEYWORDS = ("check_mode", "diff")
COST_KEYS = ("total", "token", "list", "read", "create", "update", "inactive", "active", "writes")
NO_CACHE = {"SEGURA_TOKEN_CACHE": "false"}  # so that the token counter shows every client
# Base32 seeds that are also canaries: unique strings to search the output for.
SEED = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
NEW_SEED = "ONSWG4TFOQWXGZLFMQWW4ZLXGIZDGNBV"


# -- helpers ------------------------------------------------------------------------------------

def summary(**counts):
    return dict(dict.fromkeys(OPERATIONS + ("failed",), 0), **counts)


def done_counts(**counts):
    """A summary without its failures, as the failure message ends with."""
    return {key: value for key, value in summary(**counts).items() if key != "failed"}


def cost(counters):
    """The simulator's counters, flat: total, token, list, read, create, update, inactive, active, writes."""
    flat = dict(counters, **counters["endpoints"])
    return {key: flat[key] for key in COST_KEYS}


def spent(before, after):
    return {key: after[key] - before[key] for key in COST_KEYS}


def items_play(steps):
    """One ``segura.pam.mysafe_items`` task per step; after each, its result and the server's counters
    are kept. The lists a step has are templated from the vars file."""
    tasks = []
    for index, step in enumerate(steps):
        options = {name: "{{ steps[%d]['%s'] }}" % (index, name) for name in LISTS if name in step}
        options.update((option, step[option]) for option in TASK_OPTIONS if option in step)
        task = {"name": step.get("name", "Step %d" % index), "segura.pam.mysafe_items": options,
                "register": "applied", "ignore_errors": True}
        task.update((keyword, step[keyword]) for keyword in TASK_KEYWORDS if keyword in step)
        tasks += [task, {
            "name": "Keep step %d's result and what the server counted" % index,
            "ansible.builtin.set_fact": {"outcomes": "{{ outcomes + [{'result': applied, 'counters': lookup("
                                                     "'ansible.builtin.url', counters_url, ca_path=ca_path, "
                                                     "split_lines=false) | from_json}] }}"}}]
    tasks.append({"name": "Hand the outcomes to the test", "check_mode": False, "ansible.builtin.copy": {
        "content": "{{ outcomes | to_json }}", "dest": "{{ outcomes_file }}", "mode": "0600"}})
    return json.dumps([{"hosts": "localhost", "gather_facts": False, "vars_files": ["{{ steps_file }}"],
                        "vars": {"outcomes": []}, "tasks": tasks}], indent=1)


def run_items(playbook, sim, steps, **options):
    """Run ``steps`` (dicts with lists, options and task keywords) in one ansible-playbook run.

    The items go in a vars file, as secrets would come from a vault (-vvvv prints ``-e`` values).
    Returns (one {result, cost} per step, the PlaybookResult).
    """
    handle, steps_file = tempfile.mkstemp(prefix="steps-", suffix=".json", dir=str(playbook.workdir))
    os.close(handle)
    outcomes_file = steps_file.replace("steps-", "outcomes-")
    Path(steps_file).write_text(json.dumps({
        "steps": steps, "outcomes_file": outcomes_file, "counters_url": sim.url + "/_sim/counters",
        "ca_path": str(sim.ca_path)}))
    before = cost(sim.control.counters())
    run = playbook.run(items_play(steps), extra_vars={"steps_file": steps_file}, **options)
    assert run.rc == 0, run
    assert "Traceback" not in run.output, run
    outcomes = json.loads(Path(outcomes_file).read_text())
    assert len(outcomes) == len(steps), run
    for outcome in outcomes:
        after = cost(outcome.pop("counters"))
        outcome["cost"], before = spent(before, after), after
    return outcomes, run


def previewed_applied_again(step, *then):
    """``step`` in check mode, applied, applied again; then the steps ``then``."""
    return [dict(step, name="Preview", check_mode=True), dict(step, name="Apply"),
            dict(step, name="Apply again")] + list(then)


def of_list(result, name):
    """What a task result says of one list (results, excluded, summary; none when the task was refused
    before any request), with what the task says of itself (changed, failed, msg, diff, warnings)."""
    task = {key: result[key] for key in ("changed", "failed", "msg", "diff", "warnings") if key in result}
    return dict(result.get(name, {}), **task)


def summaries(result):
    return {name: result[name]["summary"] for name in LISTS}


def operations(result):
    return [item["operation"] for item in result["results"]]


def diff_headers(result):
    return [diff["before_header"] for diff in result["diff"]]


def stored(sim):
    """identifier -> item, per list."""
    return {row.results_key: stored_items(sim, row) for row in ROWS.values()}


def secret(index, prefix="svc", **fields):
    """An API secret selected by identifier code, with its own client secret."""
    return dict({"identifier_code": "%s-%03d" % (prefix, index), "name": "%s %03d" % (prefix, index),
                 "url": "https://%s-%03d.example.com" % (prefix, index), "client_id": "app-%03d" % index,
                 "client_secret": "%s-secret-%03d-Kq7" % (prefix, index), "tags": ["fleet"]}, **fields)


def password(name, username="svc", **fields):
    return dict({"name": name, "username": username, "password": "%s-password-Lr58" % name,
                 "url": "db.example.com", "tags": ["fleet"]}, **fields)


def note(name, **fields):
    return dict({"name": name, "note": "%s note text Yv26" % name, "tags": ["fleet"]}, **fields)


def seeded(sim, sim_name, values, owner, active):
    row = next(row for row in ROWS.values() if row.sim_name == sim_name)
    return seed(sim, row, owner=owner, active=active, sample=False, **dict(values, tags=",".join(values["tags"])))


def seed_secret(sim, index, prefix="svc", owner="alice", active=True, **fields):
    return seeded(sim, "secrets", secret(index, prefix, **fields), owner, active)


def seed_password(sim, name, owner="alice", active=True, **fields):
    return seeded(sim, "passwords", password(name, **fields), owner, active)


def seed_note(sim, name, owner="alice", active=True, **fields):
    return seeded(sim, "notes", note(name, **fields), owner, active)


# -- every kind in one task ---------------------------------------------------------------------

def test_three_kinds_created_in_one_task_with_one_token_then_rerun_without_a_write(playbook, sim):
    lists = {"api_secrets": [secret(n) for n in range(3)],
             "passwords": [password("db"), password("web", secret_key="JBSWY3DPEHPK3PXP")],
             "notes": [note("runbook"), note("recovery")]}

    outcomes, run = run_items(playbook, sim, [
        dict(lists, name="Create every kind"),
        dict(lists, name="The same again"),
    ], env=NO_CACHE)

    created, again = outcomes
    assert created["result"]["changed"] is True
    assert summaries(created["result"]) == {"api_secrets": summary(created=3), "passwords": summary(created=2),
                                            "notes": summary(created=2)}
    assert [operations(created["result"][name]) for name in LISTS] == [["created"] * 3, ["created"] * 2,
                                                                       ["created"] * 2]
    # one client for the whole task: one token although the token cache is off
    assert (created["cost"]["token"], created["cost"]["create"], created["cost"]["writes"]) == (1, 7, 7)
    records = stored(sim)
    assert sorted(r["identifier_code"] for r in records["api_secrets"].values()) == ["svc-000", "svc-001", "svc-002"]
    assert {(r["name"], r["password"]) for r in records["passwords"].values()} == {
        ("db", "db-password-Lr58"), ("web", "web-password-Lr58")}
    assert {r["name"]: r["note"] for r in records["notes"].values()} == {
        "runbook": "runbook note text Yv26", "recovery": "recovery note text Yv26"}

    assert again["result"]["changed"] is False
    assert summaries(again["result"]) == {"api_secrets": summary(unchanged=3), "passwords": summary(unchanged=2),
                                          "notes": summary(unchanged=2)}
    assert (again["cost"]["token"], again["cost"]["writes"]) == (1, 0)
    assert all(again["result"][name]["excluded"] == [] for name in LISTS)
    secrets = [element.get("client_secret") or element.get("password") or element.get("note")
               for elements in lists.values() for element in elements]
    assert_not_shown(run.output, secrets + ["JBSWY3DPEHPK3PXP"])


def test_a_kind_with_nothing_to_do_sends_no_request(playbook, sim):
    outcomes, _run = run_items(playbook, sim, [{"name": "Notes only", "notes": [note("alone")]}])

    result = outcomes[0]["result"]
    assert summaries(result) == {"api_secrets": summary(), "passwords": summary(), "notes": summary(created=1)}
    assert result["api_secrets"] == {"results": [], "excluded": [], "summary": summary()}
    assert sim.control.counters("secrets")["total"] == sim.control.counters("passwords")["total"] == 0
    assert sim.control.counters("notes")["endpoints"]["create"] == 1


def test_check_mode_writes_nothing_and_diff_mode_heads_each_element_with_its_list_and_masks_it(playbook, sim):
    seed_secret(sim, 1)
    web = seed_password(sim, "web")
    retired = seed_note(sim, "retired")
    lists = {
        "api_secrets": [secret(1, client_secret="canary-rotated-Ub38"), secret(2, client_secret="canary-new-Ub38")],
        "passwords": [password("web", password="canary-password-Ub38")],
        "notes": [{"identifier": retired, "state": "absent"}, note("fresh", note="canary-note-Ub38")],
    }
    headers = ["api_secrets[0] (identifier_code 'svc-001')", "api_secrets[1] (identifier_code 'svc-002')",
               "passwords[0] (name 'web', username 'svc')", "notes[0] (identifier %d)" % retired,
               "notes[1] (name 'fresh')"]

    outcomes, run = run_items(playbook, sim, [
        dict(lists, name="Preview", check_mode=True),
        dict(lists, name="Apply"),
        dict(lists, name="Apply again"),
    ], diff=True, verbosity=4)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
    expected = {"api_secrets": summary(updated=1, created=1), "passwords": summary(updated=1),
                "notes": summary(disabled=1, created=1)}
    assert summaries(preview) == summaries(applied) == expected
    assert outcomes[0]["cost"]["writes"] == 0
    assert preview["passwords"]["results"][0]["identifier"] == web
    assert diff_headers(preview) == diff_headers(applied) == headers
    assert (preview["diff"][0]["before"]["client_secret"], preview["diff"][0]["after"]["client_secret"]) == (
        MASK, MASK + " (changed)")
    assert preview["diff"][2]["after"]["password"] == MASK + " (changed)"
    assert preview["diff"][4]["after"]["note"] == MASK
    for header in headers:  # the diff callback prints each with its element
        assert "--- before: %s\n+++ after: %s" % (header, header) in run.stdout
    assert outcomes[1]["cost"]["writes"] == 5
    assert stored(sim)["notes"][retired]["active"] is False
    assert summaries(again) == {"api_secrets": summary(unchanged=2), "passwords": summary(unchanged=1),
                                "notes": summary(unchanged=2)}
    assert again["diff"] == [] and outcomes[2]["cost"]["writes"] == 0
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout  # -vvvv printed the (masked) arguments
    assert_not_shown(run.output, [
        "canary-rotated-Ub38", "canary-new-Ub38", "canary-password-Ub38", "canary-note-Ub38",
        "svc-secret-001-Kq7", "web-password-Lr58"])


def test_invalid_elements_of_every_list_fail_together_before_any_request(playbook, sim):
    canary = "canary-invalid-Jw50"
    outcomes, run = run_items(playbook, sim, [
        {"name": "Mistakes in every list",
         "api_secrets": [secret(0), {"url": "https://nameless.example.com", "client_secret": canary}],
         "passwords": [password("db", secret_key="not base32 " + canary), password("ok")],
         "notes": [note("twin", note=canary), note("twin"), note("long", note="x" * 901)]},
        {"name": "A blank exclusive tag", "notes": [note("a")], "exclusive_tags": {"notes": " "}},
        {"name": "max_parallel below one", "notes": [note("a")], "max_parallel": 0},
    ], verbosity=3)

    messages = [outcome["result"]["msg"] for outcome in outcomes]
    assert all(outcome["result"]["failed"] for outcome in outcomes)
    for fragment in ("4 of the 7 items cannot be applied, so nothing was sent: ",
                     "api_secrets[1] selects nothing: set identifier, identifier_code or name",
                     "; passwords[0] (name 'db', username 'svc'): Option secret_key is not a base32 TOTP seed",
                     "; notes[1] (name 'twin') names the same note as notes[0]",
                     "; notes[2] (name 'long'): Option note is 901 characters long"):
        assert fragment in messages[0], (fragment, messages[0])
    assert "items[" not in messages[0] and "passwords[1]" not in messages[0]
    assert messages[1].startswith("Option exclusive_tags.notes is empty.")
    assert "Option max_parallel must be at least 1, got 0" in messages[2]
    assert [outcome["cost"]["total"] for outcome in outcomes] == [0, 0, 0]  # not even a token
    assert_not_shown(run.output, [canary])


def test_a_failing_element_of_one_kind_fails_the_task_after_every_other_element_was_applied(playbook, sim):
    hidden = seed_secret(sim, 9, owner="dave")  # not shared with alice
    outcomes, run = run_items(playbook, sim, [{
        "api_secrets": [secret(0), {"identifier": hidden, "notes": "not mine", "client_secret": "canary-lost-Pm15"}],
        "passwords": [password("db")],
        "notes": [note("runbook")],
    }], verbosity=3)

    result = outcomes[0]["result"]
    assert result["failed"] is True and result["changed"] is True
    assert summaries(result) == {"api_secrets": summary(created=1, failed=1), "passwords": summary(created=1),
                                 "notes": summary(created=1)}
    assert [r["failed"] for r in result["api_secrets"]["results"]] == [False, True]
    assert result["msg"].startswith("1 of the API secrets failed: api_secrets[1] (identifier %d): " % hidden)
    assert "1006" in result["msg"]
    head, done = result["msg"].split(" Done all the same: ")
    assert "passwords" not in head and "notes" not in head
    # the counts done all the same, without the failures
    assert json.loads(done.rstrip(".")) == {name: done_counts(created=1) for name in LISTS}
    records = stored(sim)
    assert [r["name"] for r in records["passwords"].values()] == ["db"]
    assert [r["name"] for r in records["notes"].values()] == ["runbook"]
    assert records["api_secrets"][hidden]["notes"] == ""
    assert_not_shown(run.output, ["canary-lost-Pm15", "db-password-Lr58", "runbook note text Yv26"])


def test_exclusive_tags_disable_the_unlisted_tagged_items_of_their_own_kind_only(playbook, sim):
    kept = seed_secret(sim, 0, tags=["platform"])
    stray_secret = seed_secret(sim, 1, tags=["platform"])
    stray_password = seed_password(sim, "stray", tags=["platform"])
    other_password = seed_password(sim, "other", tags=["other"])
    untagged_kind = seed_note(sim, "stray note", tags=["platform"])  # notes get no exclusive tag
    lists = {"api_secrets": [secret(0, tags=["platform"])], "passwords": [],
             "exclusive_tags": {"api_secrets": "platform", "passwords": "platform"}}

    outcomes, run = run_items(playbook, sim, previewed_applied_again(lists), diff=True)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
    for result in (preview, applied):
        assert [(e["identifier"], e["operation"]) for e in result["api_secrets"]["excluded"]] == [
            (stray_secret, "disabled")]
        assert [(e["identifier"], e["name"], e["operation"]) for e in result["passwords"]["excluded"]] == [
            (stray_password, "stray", "disabled")]
        assert result["notes"]["excluded"] == []
        assert diff_headers(result) == ["identifier %d (exclusive_tags.api_secrets 'platform')" % stray_secret,
                                        "identifier %d (exclusive_tags.passwords 'platform')" % stray_password]
    assert outcomes[0]["cost"]["writes"] == 0 and outcomes[1]["cost"]["inactive"] == 2
    assert summaries(again) == {"api_secrets": summary(unchanged=1), "passwords": summary(), "notes": summary()}
    assert outcomes[2]["cost"]["writes"] == 0
    records = stored(sim)
    assert {identifier: record["active"] for identifier, record in records["api_secrets"].items()} == {
        kept: True, stray_secret: False}
    assert {identifier: record["active"] for identifier, record in records["passwords"].items()} == {
        stray_password: False, other_password: True}
    assert records["notes"][untagged_kind]["active"] is True
    assert "identifier %d (exclusive_tags.passwords 'platform')" % stray_password in run.stdout


def test_exclusive_tags_disable_only_the_api_users_own_items_and_name_the_shared_ones(playbook, sim):
    """alice is the API user. Of the tagged items no element names, only her own that no share lets edit
    are hers beyond doubt; the others are left alone and named, the view-only ones even on purpose."""
    to_edit, to_view = [{"username": "alice", "can_edit": True}], [{"username": "alice", "can_edit": False}]
    team_edits = {"groups_allowed": [{"name": "devops", "can_edit": True}]}  # alice is in devops
    secrets = {
        "kept": seed_secret(sim, 0, tags=["platform"]),
        "own": seed_secret(sim, 1, tags=["platform"]),
        "bob's, to edit": seed_secret(sim, 2, owner="bob", tags=["platform"], users_allowed=to_edit),
        "carol's, to view": seed_secret(sim, 3, owner="carol", tags=["platform"], users_allowed=to_view),
        "bob's, to devops": seed_secret(sim, 4, owner="bob", tags=["platform"], **team_edits),
        "own, to devops": seed_secret(sim, 5, tags=["platform"], **team_edits),
        "dave's, unshared": seed_secret(sim, 6, owner="dave", tags=["platform"]),
        "bob's, untagged": seed_secret(sim, 7, owner="bob", tags=["other"], users_allowed=to_edit),
    }
    passwords = {
        "own": seed_password(sim, "own", tags=["platform"]),
        "carol's, to view": seed_password(sim, "viewed", owner="carol", tags=["platform"], users_allowed=to_view),
        "bob's, to edit": seed_password(sim, "edited", owner="bob", tags=["platform"], users_allowed=to_edit),
        "own, untagged": seed_password(sim, "untagged", tags=["other"]),
    }
    lists = {"api_secrets": [{"identifier": secrets["kept"], "tags": ["platform"]}], "passwords": [],
             "exclusive_tags": {"api_secrets": "platform", "passwords": "platform"}}

    outcomes, run = run_items(playbook, sim, previewed_applied_again(
        lists, dict(lists, name="Include the shared ones", exclusive_tags_include_shared=True)), diff=True)

    preview, applied, again, included = (outcome["result"] for outcome in outcomes)
    assert not any(result.get("failed") for result in (preview, applied, again, included)), run
    for result in (preview, applied):
        assert [e["identifier"] for e in result["api_secrets"]["excluded"]] == [secrets["own"]]
        assert [e["identifier"] for e in result["passwords"]["excluded"]] == [passwords["own"]]
        assert summaries(result)["api_secrets"] == summary(unchanged=1, disabled=1)
    assert preview["warnings"] == applied["warnings"] == [
        "exclusive_tags.api_secrets 'platform' left alone 1 tagged API secret that no element names, shared with "
        "the API user to view only (ask their owners to remove the tag): identifier %d (name 'svc 003')."
        % secrets["carol's, to view"],
        "exclusive_tags.api_secrets 'platform' left alone 3 tagged API secrets that no element names, which a share "
        "lets edit, so each may be someone else's shared with the API user as well as its own shared with editors "
        "(the API does not tell; exclusive_tags_include_shared: true disables them too): identifier %d (name "
        "'svc 002'), identifier %d (name 'svc 004'), identifier %d (name 'svc 005')." % (
            secrets["bob's, to edit"], secrets["bob's, to devops"], secrets["own, to devops"]),
        "exclusive_tags.passwords 'platform' left alone 1 tagged password that no element names, shared with the "
        "API user to view only (ask their owners to remove the tag): identifier %d (name 'viewed')."
        % passwords["carol's, to view"],
        "exclusive_tags.passwords 'platform' left alone 1 tagged password that no element names, which a share "
        "lets edit, so each may be someone else's shared with the API user as well as its own shared with editors "
        "(the API does not tell; exclusive_tags_include_shared: true disables them too): identifier %d (name "
        "'edited')." % passwords["bob's, to edit"]]
    # API secrets: no unfiltered list (the element has its identifier), one list filtered by the tag, the
    # element's read and one read per tagged secret it does not name (five visible to alice); passwords: the
    # list, which carries the tags, and one read per tagged one (three).
    assert (outcomes[0]["cost"]["list"], outcomes[0]["cost"]["read"], outcomes[0]["cost"]["writes"]) == (2, 6 + 3, 0)
    assert outcomes[1]["cost"]["inactive"] == 2 and outcomes[1]["cost"]["writes"] == 2
    assert again["api_secrets"]["excluded"] == again["passwords"]["excluded"] == []
    assert outcomes[2]["cost"]["writes"] == 0 and len(again["warnings"]) == 4

    assert [e["identifier"] for e in included["api_secrets"]["excluded"]] == [
        secrets["bob's, to edit"], secrets["bob's, to devops"], secrets["own, to devops"]]
    assert [e["identifier"] for e in included["passwords"]["excluded"]] == [passwords["bob's, to edit"]]
    assert included["warnings"] == [preview["warnings"][0], preview["warnings"][2]]  # view-only: never
    records = stored(sim)
    assert {name: records["api_secrets"][identifier]["active"] for name, identifier in secrets.items()} == {
        "kept": True, "own": False, "bob's, to edit": False, "carol's, to view": True, "bob's, to devops": False,
        "own, to devops": False, "dave's, unshared": True, "bob's, untagged": True}
    assert {name: records["passwords"][identifier]["active"] for name, identifier in passwords.items()} == {
        "own": False, "carol's, to view": True, "bob's, to edit": False, "own, untagged": True}


def test_an_exclusive_tag_whose_tagged_items_cannot_be_listed_fails_the_task(playbook, sim):
    stray = seed_secret(sim, 1, tags=["platform"])
    sim.control.fault("502", count=20, endpoint="list", item_kind="secrets")

    outcomes, _run = run_items(playbook, sim, [{"name": "Apply", "api_secrets": [],
                                                "exclusive_tags": {"api_secrets": "platform"}}])

    result = outcomes[0]["result"]
    assert result["failed"] is True
    assert result["msg"].startswith("1 of the API secrets failed: exclusive_tags.api_secrets 'platform' was not "
                                    "applied: Segura's gateway answered 502")
    assert stored(sim)["api_secrets"][stray]["active"] is True


@pytest.mark.parametrize("removed, list_name", [("mysafe_api_secrets", "api_secrets"),
                                                ("mysafe_passwords", "passwords"), ("mysafe_notes", "notes")])
def test_a_task_naming_a_removed_bulk_module_fails_naming_mysafe_items_and_its_options(
        playbook, sim, removed, list_name):
    run = playbook.run("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: The bulk module of one kind, as 0.1 had it
              segura.pam.%s:
                items: []
    """ % removed)

    assert run.rc != 0
    said = " ".join(run.output.split())  # the message may be wrapped
    assert "segura.pam.%s" % removed in said and "has been removed" in said
    assert ("Use segura.pam.mysafe_items with option %s (the former items) and exclusive_tags.%s (the former "
            "exclusive_tag)." % (list_name, list_name)) in said
    assert sim.control.counters()["total"] == 0


# Per list: how to seed an item of its kind (given a number), its label and its item module.
REFUSED = {
    "api_secrets": (seed_secret, "API secret", "mysafe_api_secret"),
    "passwords": (lambda sim, number, **how: seed_password(sim, "pw-%d" % number, **how), "password",
                  "mysafe_password"),
    "notes": (lambda sim, number, **how: seed_note(sim, "note-%d" % number, **how), "note", "mysafe_note"),
}
# What the hints of another kind would say: "secret" is how the client wrote every kind before.
WRONG_WORDS = {"api_secrets": ("password", "note"), "passwords": ("secret", "note"), "notes": ("secret", "password")}


@pytest.mark.parametrize("list_name", list(REFUSED))
def test_the_refusals_1005_1006_1009_say_what_to_do_for_the_kind_at_hand(playbook, sim, list_name):
    seed, label, module = REFUSED[list_name]
    hidden = seed(sim, 1, owner="dave")                 # not shared with alice: 1006
    disabled = seed(sim, 2, owner="alice", active=False)  # a disabled item cannot be read: 1009
    run = playbook.run(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Refused items", "register": "refused", "ignore_errors": True,
         "segura.pam.mysafe_items": {list_name: [{"identifier": 99999, "tags": ["x"]},
                                                 {"identifier": hidden, "tags": ["x"]}]}},
        {"name": "A disabled item, read", "register": "inactive", "ignore_errors": True,
         "ansible.builtin.debug": {"msg": "{{ lookup('segura.pam.%s', %d) }}" % (module, disabled)}},
        {"name": "Hand the messages to the test", "ansible.builtin.copy": {
            "content": "{{ {'1005': refused.%s.results[0].msg, '1006': refused.%s.results[1].msg, "
                       "'1009': inactive.msg} | to_json }}" % (list_name, list_name),
            "dest": "refusals.json", "mode": "0600"}},
    ]}]))

    assert run.rc == 0, run
    said = json.loads((playbook.workdir / "refusals.json").read_text())
    for code, message in said.items():
        assert "Segura refused the request: %s: " % code in message, message
        assert not [word for word in WRONG_WORDS[list_name] if word in message.lower()], message
    assert said["1005"].endswith("Check the identifier; list the %ss you can see with segura.pam.%s_info."
                                 % (label, module))
    assert ("has no access, or only view access, to this %s: the owner must share it with that user" % label
            in said["1006"])
    assert said["1009"].endswith("The %s is disabled: enable it with segura.pam.%s state=present." % (label, module))

# -- the list of API secrets ----------------------------------------------------------------------


def test_api_secrets_a_hundred_secrets_created_then_rerun_by_code_and_by_name_with_one_list_and_a_read_each(playbook, sim):
    fleet = [secret(n) for n in range(100)]
    by_name = [{key: value for key, value in element.items() if key != "identifier_code"} for element in fleet]
    outcomes, run = run_items(playbook, sim, [
        {"name": "Create a hundred", "api_secrets": fleet},
        {"name": "The same hundred again, by code", "api_secrets": fleet},
        {"name": "The same hundred, by name", "api_secrets": by_name},
        # The API user now sees 100 secrets for 3 elements: one filtered list per code, not 100 reads.
        {"name": "Three of them by code", "api_secrets": [fleet[5], fleet[50], dict(fleet[99], notes="moved")]},
    ])

    created, unchanged, named, few = outcomes
    assert created["result"]["api_secrets"]["summary"] == summary(created=100)
    assert created["result"]["changed"] is True
    # Every visible secret was read (there were none), so no code needs a list of its own.
    assert created["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=202, token=1, list=1, read=100, create=100,
                                   writes=100)  # a read after each create: the result is what was stored
    assert [r["identifier_code"] for r in created["result"]["api_secrets"]["results"]] == [e["identifier_code"] for e in fleet]
    assert all(r["operation"] == "created" and not r["failed"] and r["msg"] == "" for r in created["result"]["api_secrets"]["results"])
    records = stored(sim)["api_secrets"]
    assert sorted(r["identifier"] for r in created["result"]["api_secrets"]["results"]) == sorted(records)
    assert {records[r["identifier"]]["client_secret"] for r in created["result"]["api_secrets"]["results"]} == {
        e["client_secret"] for e in fleet}

    assert unchanged["result"]["api_secrets"]["summary"] == summary(unchanged=100)
    assert unchanged["result"]["changed"] is False
    assert unchanged["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=101, list=1, read=100)
    assert [r["identifier"] for r in unchanged["result"]["api_secrets"]["results"]] == [
        r["identifier"] for r in created["result"]["api_secrets"]["results"]]

    assert named["result"]["api_secrets"]["summary"] == summary(unchanged=100)
    assert [r["name"] for r in named["result"]["api_secrets"]["results"]] == [e["name"] for e in fleet]
    assert "identifier_code" not in named["result"]["api_secrets"]["results"][0]  # the selector as given
    assert named["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=101, list=1, read=100)

    assert few["result"]["api_secrets"]["summary"] == summary(unchanged=2, updated=1)
    assert operations(few["result"]["api_secrets"]) == ["unchanged", "unchanged", "updated"]
    # 1 list to count what is visible + 1 filtered list per code; 3 reads + 1 after the update
    assert few["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=9, list=4, read=4, update=1, writes=1)
    assert stored(sim)["api_secrets"][few["result"]["api_secrets"]["results"][2]["identifier"]]["notes"] == "moved"
    assert_not_shown(run.output, [e["client_secret"] for e in fleet])


def test_api_secrets_check_mode_then_diff_mode_tell_the_truth_and_never_show_a_secret(playbook, sim):
    steady = seed_secret(sim, 0)
    moved = seed_secret(sim, 1)
    dormant = seed_secret(sim, 2, active=False)
    retired = seed_secret(sim, 3)
    items = [
        secret(0),
        secret(1, url="https://moved.example.com", client_secret="canary-rotated-Jm40ax"),
        secret(2),
        {"identifier": retired, "state": "absent"},
        secret(4, client_secret="canary-created-Wd83pe"),
    ]
    headers = ["api_secrets[1] (identifier_code 'svc-001')", "api_secrets[2] (identifier_code 'svc-002')",
               "api_secrets[3] (identifier %d)" % retired, "api_secrets[4] (identifier_code 'svc-004')"]
    expected = summary(created=1, updated=1, enabled=1, disabled=1, unchanged=1)

    outcomes, run = run_items(playbook, sim, [
        {"name": "Preview", "api_secrets": items, "check_mode": True},
        {"name": "Apply", "api_secrets": items},
        {"name": "Apply again", "api_secrets": items},
    ], diff=True, verbosity=4)

    preview, applied, again = (of_list(outcome["result"], "api_secrets") for outcome in outcomes)
    assert operations(preview) == ["unchanged", "updated", "enabled", "disabled", "created"]
    assert preview["summary"] == expected and preview["changed"] is True
    assert [r["identifier"] for r in preview["results"]] == [steady, moved, dormant, retired, None]
    assert outcomes[0]["cost"]["writes"] == 0
    # The disabled secret cannot be read, so its code (and the new one) is listed: 1 list + 2 filtered lists.
    assert (outcomes[0]["cost"]["list"], outcomes[0]["cost"]["read"]) == (3, 4)

    assert diff_headers(preview) == headers
    assert all(diff["before_header"] == diff["after_header"] for diff in preview["diff"])
    rotated = preview["diff"][0]
    assert rotated["before"] == {"client_id": "app-001", "client_secret": MASK, "identifier_code": "svc-001",
                                 "name": "svc 001", "tags": ["fleet"], "url": "https://svc-001.example.com"}
    assert rotated["after"] == dict(rotated["before"], client_secret=MASK + " (changed)",
                                    url="https://moved.example.com")
    assert [(diff["before"], diff["after"]) for diff in preview["diff"][1:3]] == [
        ({"active": False}, {"active": True}), ({"active": True}, {"active": False})]
    assert preview["diff"][3]["after"]["client_secret"] == MASK
    for header in headers:  # the diff callback prints each with its element
        assert "--- before: %s\n+++ after: %s" % (header, header) in run.stdout

    assert operations(applied) == operations(preview) and applied["summary"] == expected
    assert [applied["diff"][n] for n in (0, 2)] == [preview["diff"][n] for n in (0, 2)]
    # Enabled, then read: the real run's diff also shows the fields it compared (none differ).
    enabled = applied["diff"][1]
    assert (enabled["before"].pop("active"), enabled["after"].pop("active")) == (False, True)
    assert enabled["before"] == enabled["after"] == dict(rotated["before"], identifier_code="svc-002",
                                                         name="svc 002", url="https://svc-002.example.com",
                                                         client_id="app-002")
    assert [r["identifier"] for r in applied["results"]][:4] == [steady, moved, dormant, retired]
    assert {key: outcomes[1]["cost"][key] for key in ("create", "update", "active", "inactive")} == {
        "create": 1, "update": 1, "active": 1, "inactive": 1}
    records = stored(sim)["api_secrets"]
    assert records[moved]["client_secret"] == "canary-rotated-Jm40ax"
    assert records[moved]["url"] == "https://moved.example.com"
    assert (records[dormant]["active"], records[retired]["active"]) == (True, False)
    assert records[applied["results"][4]["identifier"]]["client_secret"] == "canary-created-Wd83pe"

    assert again["summary"] == summary(unchanged=5) and again["changed"] is False and again["diff"] == []
    assert outcomes[2]["cost"]["writes"] == 0

    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout  # -vvvv printed the (masked) arguments
    assert_not_shown(run.output, [element["client_secret"] for element in items if "client_secret" in element])


def test_api_secrets_invalid_elements_fail_the_task_by_index_and_selector_before_any_request(playbook, sim):
    canary = "canary-invalid-Pz61wq"
    outcomes, run = run_items(playbook, sim, [
        {"name": "Every kind of mistake at once", "api_secrets": [
            secret(0),
            {"url": "https://nameless.example.com", "client_id": "nameless", "client_secret": canary},
            secret(0, notes="listed twice"),
            secret(3, name=""),
            {"identifier": 7, "method": "FETCH", "client_secret": canary},
            {"name": "twin", "notes": "one"},
            {"name": "twin", "notes": "two", "client_secret": canary},
            {"identifier": 0},
        ]},
        {"name": "max_parallel below one", "api_secrets": [secret(0)], "max_parallel": 0},
        {"name": "An empty exclusive tag", "api_secrets": [secret(0)], "exclusive_tags": {"api_secrets": " "}},
        {"name": "An identifier that is not a number", "api_secrets": [{"identifier": "forty-two"}]},
    ], verbosity=3)

    messages = [outcome["result"]["msg"] for outcome in outcomes]
    assert all(outcome["result"]["failed"] for outcome in outcomes)
    for fragment in ("6 of the 8 items cannot be applied, so nothing was sent",
                     "api_secrets[1] selects nothing: set identifier, identifier_code or name",
                     "api_secrets[2] (identifier_code 'svc-000') names the same API secret as api_secrets[0]",
                     "api_secrets[3] (identifier_code 'svc-003'): Option name is empty",
                     "api_secrets[4] (identifier 7): Option method 'FETCH' is not an HTTP method",
                     "api_secrets[6] (name 'twin') names the same API secret as api_secrets[5]",
                     "api_secrets[7] (identifier 0): Option identifier must be a positive integer"):
        assert fragment in messages[0], (fragment, messages[0])
    assert "api_secrets[0]:" not in messages[0] and "api_secrets[5]:" not in messages[0]
    assert "Option max_parallel must be at least 1, got 0" in messages[1]
    assert "Option exclusive_tags.api_secrets is empty" in messages[2]
    assert "forty-two" in messages[3] and "cannot be converted to an int" in messages[3]
    assert [outcome["cost"]["total"] for outcome in outcomes] == [0, 0, 0, 0]  # not even a token
    assert_not_shown(run.output, [canary])


def test_api_secrets_every_element_is_attempted_and_the_failures_are_listed_at_the_end(playbook, sim):
    hidden = seed_secret(sim, 1, owner="dave")                                   # not shared with alice
    seed_secret(sim, 2, name="twin", tags=["platform"])
    seed_secret(sim, 3, owner="bob", name="twin", tags=["platform"], users_allowed=[{"username": "alice"}])
    unlisted = seed_secret(sim, 6, tags=["platform"])
    edited = seed_secret(sim, 4)
    viewed = seed_secret(sim, 5, owner="carol", users_allowed=[{"username": "alice", "can_edit": False}])
    canaries = ["canary-failing-%d-Xe27" % n for n in range(5)]

    outcomes, run = run_items(playbook, sim, [{"api_secrets": [
        secret(0, client_secret=canaries[0]),
        {"identifier": hidden, "notes": "not mine", "client_secret": canaries[1]},
        secret(4, notes="edited", client_secret="svc-secret-004-Kq7"),
        {"name": "twin", "notes": "which one?", "client_secret": canaries[3]},
        secret(5, notes="view only", client_secret=canaries[4]),
    ], "exclusive_tags": {"api_secrets": "platform"}}], verbosity=3)

    result = of_list(outcomes[0]["result"], "api_secrets")
    assert result["failed"] is True and result["changed"] is True
    assert operations(result) == ["created", None, "updated", None, None]
    assert [r["failed"] for r in result["results"]] == [False, True, False, True, True]
    assert [r.get("identifier_code") or r.get("name") or r.get("identifier") for r in result["results"]] == [
        "svc-000", hidden, "svc-004", "twin", "svc-005"]
    assert result["results"][4]["identifier"] == viewed  # located, then refused
    assert result["summary"] == summary(created=1, updated=1, failed=3)
    assert "1006" in result["results"][1]["msg"]
    assert "2 API secrets visible to this API user have name 'twin' (identifiers" in result["results"][3]["msg"]
    assert "1006" in result["results"][4]["msg"]
    assert result["msg"].startswith("3 of the API secrets failed: api_secrets[1] (identifier %d): " % hidden)
    assert "; api_secrets[3] (name 'twin'): " in result["msg"]
    assert "; api_secrets[4] (identifier_code 'svc-005'): " in result["msg"]
    records = stored(sim)["api_secrets"]
    assert records[edited]["notes"] == "edited"
    assert records[result["results"][0]["identifier"]]["client_secret"] == canaries[0]
    assert records[hidden]["notes"] == records[viewed]["notes"] == ""
    # the view-only secret's update is sent, and refused by the server
    assert (outcomes[0]["cost"]["create"], outcomes[0]["cost"]["update"], outcomes[0]["cost"]["writes"]) == (1, 2, 3)
    # The element matching two secrets may mean either twin: exclusive_tag disables nothing then.
    assert result["excluded"] == [] and records[unlisted]["active"] is True
    assert ("exclusive_tags.api_secrets 'platform' was not applied: api_secrets[3] (name 'twin') could not be matched to an API "
            "secret.") in result["warnings"]
    assert_not_shown(run.output, canaries)


def test_api_secrets_exclusive_tag_disables_the_unlisted_tagged_secrets_and_nothing_else(playbook, sim):
    kept = seed_secret(sim, 0, tags=["platform"])
    stray = seed_secret(sim, 1, tags=["platform", "extra"])
    sleeping = seed_secret(sim, 2, tags=["platform"], active=False)
    other = seed_secret(sim, 3, tags=["other"])
    retired = seed_secret(sim, 4, tags=["platform"])
    untagged = seed_secret(sim, 5, tags=[])
    items = [secret(0, tags=["platform"]), secret(4, tags=["platform"], state="absent")]

    outcomes, run = run_items(playbook, sim, [
        {"name": "Preview", "api_secrets": items, "exclusive_tags": {"api_secrets": "platform"}, "check_mode": True},
        {"name": "Apply", "api_secrets": items, "exclusive_tags": {"api_secrets": "platform"}},
        {"name": "Apply again", "api_secrets": items, "exclusive_tags": {"api_secrets": "platform"}},
    ], diff=True)

    preview, applied, again = (of_list(outcome["result"], "api_secrets") for outcome in outcomes)
    for result in (preview, applied):
        assert operations(result) == ["unchanged", "disabled"]
        assert [(e["identifier"], e["name"], e["operation"], e["failed"]) for e in result["excluded"]] == [
            (stray, "svc 001", "disabled", False)]
        assert result["summary"] == summary(unchanged=1, disabled=2)
        assert diff_headers(result) == ["api_secrets[1] (identifier_code 'svc-004')",
                                        "identifier %d (exclusive_tags.api_secrets 'platform')" % stray]
    assert outcomes[0]["cost"]["writes"] == 0
    assert outcomes[1]["cost"]["inactive"] == 2 and outcomes[1]["cost"]["writes"] == 2
    assert again["excluded"] == [] and again["summary"] == summary(unchanged=2) and again["changed"] is False
    assert outcomes[2]["cost"]["writes"] == 0
    active = {identifier: record["active"] for identifier, record in stored(sim)["api_secrets"].items()}
    assert active == {kept: True, stray: False, sleeping: False, other: True, retired: False, untagged: True}
    assert "identifier %d (exclusive_tags.api_secrets 'platform')" % stray in run.stdout


def test_api_secrets_max_parallel_one_or_eight_gives_the_same_results_with_one_token_each(playbook, sim):
    for n in range(12):
        seed_secret(sim, n)
    items = ([secret(n, notes="rotated") if n % 3 == 0 else secret(n) for n in range(12)]
             + [secret(n) for n in range(12, 18)] + [{"identifier_code": "svc-020", "state": "absent"}])
    items[1] = {"identifier_code": "svc-001", "state": "absent"}

    outcomes, _run = run_items(playbook, sim, [
        {"name": "Preview, one at a time", "api_secrets": items, "max_parallel": 1, "check_mode": True},
        {"name": "Preview, eight at a time", "api_secrets": items, "max_parallel": 8, "check_mode": True},
        {"name": "Apply, eight at a time", "api_secrets": items, "max_parallel": 8},
        {"name": "Apply again, one at a time", "api_secrets": items, "max_parallel": 1},
    ], env={"SEGURA_TOKEN_CACHE": "false"})

    serial, parallel, applied, again = (of_list(outcome["result"], "api_secrets") for outcome in outcomes)
    assert serial == parallel
    assert serial["summary"] == summary(created=6, updated=4, disabled=1, unchanged=8)
    assert operations(applied) == operations(serial) and applied["summary"] == serial["summary"]
    assert applied["diff"] == serial["diff"]
    assert again["summary"] == summary(unchanged=19)
    assert [outcome["cost"]["token"] for outcome in outcomes] == [1, 1, 1, 1]
    assert [outcome["cost"]["writes"] for outcome in outcomes] == [0, 0, 11, 0]


# -- the list of passwords -------------------------------------------------------------------------


def test_passwords_create_update_enable_disable_previewed_diffed_then_unchanged_without_a_secret_shown(playbook, sim):
    steady = seed_password(sim, "steady", secret_key=SEED)
    web = seed_password(sim, "web")
    dormant = seed_password(sim, "dormant", active=False)
    retired = seed_password(sim, "retired")
    seed_password(sim, "web", username="other")  # same name, other user name: a different password
    items = [
        password("steady", secret_key=" ".join([SEED.lower()[i:i + 4] for i in range(0, len(SEED), 4)])),
        password("web", password="canary-rotated-Fk31oz", secret_key=NEW_SEED),
        password("dormant"),
        {"identifier": retired, "state": "absent"},
        password("api", password="canary-created-Tb62ku", notes="new"),
    ]
    headers = ["passwords[1] (name 'web', username 'svc')", "passwords[2] (name 'dormant', username 'svc')",
               "passwords[3] (identifier %d)" % retired, "passwords[4] (name 'api', username 'svc')"]
    expected = summary(created=1, updated=1, enabled=1, disabled=1, unchanged=1)

    outcomes, run = run_items(playbook, sim, [
        {"name": "Preview", "passwords": items, "check_mode": True},
        {"name": "Apply", "passwords": items},
        {"name": "Apply again", "passwords": items},
    ], diff=True, verbosity=4)

    preview, applied, again = (of_list(outcome["result"], "passwords") for outcome in outcomes)
    assert operations(preview) == ["unchanged", "updated", "enabled", "disabled", "created"]
    assert preview["summary"] == expected
    assert [r["identifier"] for r in preview["results"]] == [steady, web, dormant, retired, None]
    assert [(r["name"], r["username"]) for r in preview["results"][:3]] == [
        ("steady", "svc"), ("web", "svc"), ("dormant", "svc")]
    # one list; a read of each item an element names (the disabled one's read is refused)
    assert {key: outcomes[0]["cost"][key] for key in ("list", "read", "writes")} == {"list": 1, "read": 4, "writes": 0}
    assert diff_headers(preview) == headers
    rotated = preview["diff"][0]
    assert (rotated["before"]["password"], rotated["after"]["password"]) == (MASK, MASK + " (changed)")
    assert (rotated["before"]["secret_key"], rotated["after"]["secret_key"]) == (MASK, MASK + " (changed)")
    assert preview["diff"][3]["after"]["password"] == MASK and preview["diff"][3]["before"]["name"] is None
    for header in headers:
        assert "--- before: %s\n+++ after: %s" % (header, header) in run.stdout

    assert operations(applied) == operations(preview) and applied["summary"] == expected
    assert {key: outcomes[1]["cost"][key] for key in ("create", "update", "active", "inactive")} == {
        "create": 1, "update": 1, "active": 1, "inactive": 1}
    records = stored(sim)["passwords"]
    assert (records[web]["password"], records[web]["secret_key"]) == ("canary-rotated-Fk31oz", NEW_SEED)
    assert records[steady]["secret_key"] == SEED  # the same seed, written differently: not sent
    assert (records[dormant]["active"], records[retired]["active"]) == (True, False)
    created = records[applied["results"][4]["identifier"]]
    assert (created["name"], created["password"], created["notes"], created["owner"]) == (
        "api", "canary-created-Tb62ku", "new", "alice")

    assert again["summary"] == summary(unchanged=5) and again["changed"] is False and again["diff"] == []
    assert outcomes[2]["cost"]["writes"] == 0
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
    assert_not_shown(run.output, [
        SEED, NEW_SEED, SEED.lower()[:8], "canary-rotated-Fk31oz", "canary-created-Tb62ku",
        "steady-password-Lr58", "web-password-Lr58"])


def test_passwords_bad_elements_fail_before_any_request_and_good_ones_survive_failing_neighbours(playbook, sim):
    canary = "canary-invalid-Hs04qe"
    hidden = seed_password(sim, "hidden", owner="dave")
    seed_password(sim, "twin", username="root")
    seed_password(sim, "twin", username="root", owner="bob", users_allowed=[{"username": "alice"}])
    edited = seed_password(sim, "edited")

    outcomes, run = run_items(playbook, sim, [
        {"name": "Mistakes", "passwords": [
            password("a", password=canary),
            {"username": "nameless", "password": canary},
            password("b", password=canary, secret_key="canary-seed-0189"),
            password("a", notes="listed twice"),
            password("a", username="other"),  # not a duplicate: another user name
            password("c", username=""),
        ]},
        {"name": "Failing neighbours", "passwords": [
            password("new", password=canary),
            {"identifier": hidden, "notes": "not mine"},
            password("twin", username="root", notes="which one?"),
            password("edited", notes="edited"),
        ]},
    ], verbosity=3)

    mistakes, neighbours = (of_list(outcome["result"], "passwords") for outcome in outcomes)
    assert mistakes["failed"] is True and outcomes[0]["cost"]["total"] == 0
    for fragment in ("4 of the 6 items cannot be applied, so nothing was sent",
                     "passwords[1] selects nothing: set identifier or name",
                     "passwords[2] (name 'b', username 'svc'): Option secret_key is not a base32 TOTP seed",
                     "passwords[3] (name 'a', username 'svc') names the same password as passwords[0]",
                     "passwords[5] (name 'c', username ''): Option username is empty"):
        assert fragment in mistakes["msg"], (fragment, mistakes["msg"])
    assert "passwords[4]" not in mistakes["msg"] and "passwords[0]" not in mistakes["msg"].replace("as passwords[0]", "")

    assert neighbours["failed"] is True
    assert operations(neighbours) == ["created", None, None, "updated"]
    assert [r["identifier"] for r in neighbours["results"][1:]] == [hidden, None, edited]
    assert neighbours["summary"] == summary(created=1, updated=1, failed=2)
    assert "1006" in neighbours["results"][1]["msg"]
    assert "2 passwords visible to this API user have name 'twin' and username 'root' (identifiers" in neighbours["results"][2]["msg"]
    assert neighbours["msg"].startswith("2 of the passwords failed: passwords[1] (identifier %d): " % hidden)
    assert "; passwords[2] (name 'twin', username 'root'): " in neighbours["msg"]
    records = stored(sim)["passwords"]
    assert records[edited]["notes"] == "edited" and records[hidden]["notes"] == ""
    assert records[neighbours["results"][0]["identifier"]]["password"] == canary
    assert_not_shown(run.output, [canary, "canary-seed-0189"])


def test_passwords_exclusive_tag_disables_only_the_unlisted_passwords_with_that_tag(playbook, sim):
    kept = seed_password(sim, "kept", tags=["platform"])
    stray = seed_password(sim, "stray", tags=["platform", "db"])
    other = seed_password(sim, "other", tags=["other"])
    untagged = seed_password(sim, "untagged", tags=[])
    items = [password("kept", tags=["platform"])]

    outcomes, _run = run_items(playbook, sim, [
        {"name": "Preview", "passwords": items, "exclusive_tags": {"passwords": "platform"}, "check_mode": True},
        {"name": "Apply", "passwords": items, "exclusive_tags": {"passwords": "platform"}},
        {"name": "Apply again", "passwords": items, "exclusive_tags": {"passwords": "platform"}},
    ])

    preview, applied, again = (of_list(outcome["result"], "passwords") for outcome in outcomes)
    for result in (preview, applied):
        assert [(e["identifier"], e["name"], e["operation"]) for e in result["excluded"]] == [(stray, "stray", "disabled")]
        assert result["summary"] == summary(unchanged=1, disabled=1)
    # The list carries the tags: only the tagged password no element names is read.
    assert {key: outcomes[0]["cost"][key] for key in ("list", "read", "writes")} == {"list": 1, "read": 2, "writes": 0}
    assert outcomes[1]["cost"]["inactive"] == 1 and outcomes[1]["cost"]["writes"] == 1
    assert again["excluded"] == [] and again["changed"] is False and outcomes[2]["cost"]["writes"] == 0
    assert {identifier: record["active"] for identifier, record in stored(sim)["passwords"].items()} == {
        kept: True, stray: False, other: True, untagged: True}


# -- the list of notes -----------------------------------------------------------------------------


def test_notes_create_update_enable_disable_previewed_diffed_then_unchanged_without_a_note_shown(playbook, sim):
    steady = seed_note(sim, "steady")
    runbook = seed_note(sim, "runbook")
    dormant = seed_note(sim, "dormant", active=False)
    retired = seed_note(sim, "retired")
    rewritten = "canary-rewritten-Qa17ns " * 30  # 720 characters: long, within the 900 allowed
    items = [
        note("steady", tags=["fleet", "fleet"]),
        note("runbook", note=rewritten, tags=["fleet", "ops"]),
        note("dormant"),
        {"identifier": retired, "state": "absent"},
        note("recovery codes", note="canary-created-Ep85wt"),
    ]
    headers = ["notes[1] (name 'runbook')", "notes[2] (name 'dormant')", "notes[3] (identifier %d)" % retired,
               "notes[4] (name 'recovery codes')"]
    expected = summary(created=1, updated=1, enabled=1, disabled=1, unchanged=1)

    outcomes, run = run_items(playbook, sim, [
        {"name": "Preview", "notes": items, "check_mode": True},
        {"name": "Apply", "notes": items},
        {"name": "Apply again", "notes": items},
    ], diff=True, verbosity=4)

    preview, applied, again = (of_list(outcome["result"], "notes") for outcome in outcomes)
    assert operations(preview) == ["unchanged", "updated", "enabled", "disabled", "created"]
    assert preview["summary"] == expected
    assert [r["identifier"] for r in preview["results"]] == [steady, runbook, dormant, retired, None]
    assert {key: outcomes[0]["cost"][key] for key in ("list", "read", "writes")} == {"list": 1, "read": 4, "writes": 0}
    assert diff_headers(preview) == headers
    changed = preview["diff"][0]
    assert changed["before"] == {"name": "runbook", "note": MASK, "tags": ["fleet"]}
    assert changed["after"] == {"name": "runbook", "note": MASK + " (changed)", "tags": ["fleet", "ops"]}
    assert preview["diff"][3]["after"] == {"name": "recovery codes", "note": MASK, "tags": ["fleet"]}
    for header in headers:
        assert "--- before: %s\n+++ after: %s" % (header, header) in run.stdout

    assert operations(applied) == operations(preview) and applied["summary"] == expected
    assert {key: outcomes[1]["cost"][key] for key in ("create", "update", "active", "inactive")} == {
        "create": 1, "update": 1, "active": 1, "inactive": 1}
    records = stored(sim)["notes"]
    assert (records[runbook]["note"], records[runbook]["tags"]) == (rewritten, "fleet,ops")
    assert (records[dormant]["active"], records[retired]["active"]) == (True, False)
    assert records[applied["results"][4]["identifier"]]["note"] == "canary-created-Ep85wt"

    assert again["summary"] == summary(unchanged=5) and again["changed"] is False and again["diff"] == []
    assert outcomes[2]["cost"]["writes"] == 0
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
    assert_not_shown(run.output, [
        "canary-rewritten-Qa17ns", "canary-created-Ep85wt", "steady note text Yv26",
        "runbook note text Yv26"])


def test_notes_bad_elements_fail_before_any_request_and_good_ones_survive_failing_neighbours(playbook, sim):
    too_long = ("canary-too-long-Gc53 " * 43)[:901]
    hidden = seed_note(sim, "hidden", owner="dave")
    seed_note(sim, "twin")
    seed_note(sim, "twin", owner="bob", users_allowed=[{"username": "alice"}])
    viewed = seed_note(sim, "viewed", owner="carol", users_allowed=[{"username": "alice", "can_edit": False}])

    outcomes, run = run_items(playbook, sim, [
        {"name": "Mistakes", "notes": [
            note("fine"),
            note("long", note=too_long),
            {"note": "canary-nameless-Gc53"},
            note("fine", note="canary-twice-Gc53"),
            note(""),
            note("blank", note=""),
        ]},
        {"name": "Failing neighbours", "notes": [
            {"identifier": hidden, "note": "canary-hidden-Gc53"},
            note("twin", note="canary-twin-Gc53"),
            note("viewed", note="canary-viewed-Gc53"),
            note("brand new", note="canary-new-Gc53"),
        ]},
    ], verbosity=3)

    mistakes, neighbours = (of_list(outcome["result"], "notes") for outcome in outcomes)
    assert mistakes["failed"] is True and outcomes[0]["cost"]["total"] == 0
    for fragment in ("5 of the 6 items cannot be applied, so nothing was sent",
                     "notes[1] (name 'long'): Option note is 901 characters long; Segura accepts at most 900",
                     "notes[2] selects nothing: set identifier or name",
                     "notes[3] (name 'fine') names the same note as notes[0]",
                     "notes[4] (name ''): Option name is empty",
                     "notes[5] (name 'blank'): Option note is empty"):
        assert fragment in mistakes["msg"], (fragment, mistakes["msg"])

    assert neighbours["failed"] is True and neighbours["changed"] is True
    assert operations(neighbours) == [None, None, None, "created"]
    assert [r["identifier"] for r in neighbours["results"][:3]] == [hidden, None, viewed]
    assert neighbours["summary"] == summary(created=1, failed=3)
    assert "1006" in neighbours["results"][0]["msg"] and "1006" in neighbours["results"][2]["msg"]
    assert "2 notes visible to this API user have name 'twin' (identifiers" in neighbours["results"][1]["msg"]
    assert neighbours["msg"].startswith("3 of the notes failed: notes[0] (identifier %d): " % hidden)
    records = stored(sim)["notes"]
    assert records[neighbours["results"][3]["identifier"]]["note"] == "canary-new-Gc53"
    assert records[viewed]["note"] == "viewed note text Yv26"
    assert_not_shown(run.output, [
        "canary-too-long-Gc53", "canary-nameless-Gc53", "canary-twice-Gc53", "canary-hidden-Gc53",
        "canary-twin-Gc53", "canary-viewed-Gc53", "canary-new-Gc53"])


def test_notes_exclusive_tag_disables_only_the_unlisted_notes_with_that_tag(playbook, sim):
    kept = seed_note(sim, "kept", tags=["platform"])
    stray = seed_note(sim, "stray", tags=["platform", "ops"])
    sleeping = seed_note(sim, "sleeping", tags=["platform"], active=False)
    other = seed_note(sim, "other", tags=["other"])
    items = [note("kept", tags=["platform"])]

    outcomes, run = run_items(playbook, sim, [
        {"name": "Preview", "notes": items, "exclusive_tags": {"notes": "platform"}, "check_mode": True},
        {"name": "Apply", "notes": items, "exclusive_tags": {"notes": "platform"}},
        {"name": "Apply again", "notes": items, "exclusive_tags": {"notes": "platform"}},
    ], diff=True)

    preview, applied, again = (of_list(outcome["result"], "notes") for outcome in outcomes)
    for result in (preview, applied):
        assert [(e["identifier"], e["name"], e["operation"]) for e in result["excluded"]] == [(stray, "stray", "disabled")]
        assert result["summary"] == summary(unchanged=1, disabled=1)
        assert diff_headers(result) == ["identifier %d (exclusive_tags.notes 'platform')" % stray]
    # The list carries the tags: the tagged notes no element names are read (the disabled one is refused).
    assert {key: outcomes[0]["cost"][key] for key in ("list", "read", "writes")} == {"list": 1, "read": 3, "writes": 0}
    assert outcomes[1]["cost"]["inactive"] == 1 and outcomes[1]["cost"]["writes"] == 1
    assert again["excluded"] == [] and again["changed"] is False and outcomes[2]["cost"]["writes"] == 0
    assert {identifier: record["active"] for identifier, record in stored(sim)["notes"].items()} == {
        kept: True, stray: False, sleeping: False, other: True}
    assert_not_shown(run.output, ["kept note text Yv26", "stray note text Yv26"])
