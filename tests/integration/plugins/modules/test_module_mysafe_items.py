"""segura.pam.mysafe_items (API secrets, passwords and notes in one task) in real ansible-playbook
runs against the simulator.

The steps, the per-task request counts and the item builders come from the tests of the bulk
modules of each kind.
"""

import json

from test_module_mysafe_api_secrets import (
    MASK, diff_headers, no_leak, operations, run_bulk, secret, seed_secret, summary)
from test_module_mysafe_notes import note, seed_note
from test_module_mysafe_passwords import password, seed_password

LISTS = ("api_secrets", "passwords", "notes")
NO_CACHE = {"SEGURA_TOKEN_CACHE": "false"}  # so that the token counter shows every client


def run_items(playbook, sim, steps, **options):
    return run_bulk(playbook, sim, "mysafe_items", steps, lists=LISTS, **options)


def done_counts(**counts):
    """A summary without its failures, as the failure message ends with."""
    return {key: value for key, value in summary(**counts).items() if key != "failed"}


def summaries(result):
    return {name: result[name]["summary"] for name in LISTS}


def stored(sim):
    """identifier -> item, per kind."""
    return {name: {item["identifier"]: item for item in items}
            for name, items in (("api_secrets", sim.control.secrets()), ("passwords", sim.control.passwords()),
                                ("notes", sim.control.notes()))}


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
    no_leak(run, [element.get("client_secret") or element.get("password") or element.get("note")
                  for elements in lists.values() for element in elements] + ["JBSWY3DPEHPK3PXP"])


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
    no_leak(run, ["canary-rotated-Ub38", "canary-new-Ub38", "canary-password-Ub38", "canary-note-Ub38",
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
    no_leak(run, [canary])


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
    no_leak(run, ["canary-lost-Pm15", "db-password-Lr58", "runbook note text Yv26"])


def test_exclusive_tags_disable_the_unlisted_tagged_items_of_their_own_kind_only(playbook, sim):
    kept = seed_secret(sim, 0, tags=["platform"])
    stray_secret = seed_secret(sim, 1, tags=["platform"])
    stray_password = seed_password(sim, "stray", tags=["platform"])
    other_password = seed_password(sim, "other", tags=["other"])
    untagged_kind = seed_note(sim, "stray note", tags=["platform"])  # notes get no exclusive tag
    lists = {"api_secrets": [secret(0, tags=["platform"])], "passwords": [],
             "exclusive_tags": {"api_secrets": "platform", "passwords": "platform"}}

    outcomes, run = run_items(playbook, sim, [
        dict(lists, name="Preview", check_mode=True),
        dict(lists, name="Apply"),
        dict(lists, name="Apply again"),
    ], diff=True)

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
