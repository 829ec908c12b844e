"""segura.pam.mysafe_api_secrets (the bulk module) in real ansible-playbook runs against the simulator.

What a run costs the server is read from the simulator's counters after every task (a loopback
``url`` lookup of ``/_sim/counters``, uncounted), so one playbook run proves several steps.
The helpers here are shared by the passwords and notes bulk tests.
"""

import json
import os
import tempfile
from pathlib import Path

MASK = "********"
OPERATIONS = ("created", "updated", "enabled", "disabled", "unchanged")
# Options of the bulk modules (and mysafe_items) besides their lists, and task keywords a step may set.
BULK_OPTIONS = ("max_parallel", "exclusive_tag", "exclusive_tags")
TASK_KEYWORDS = ("check_mode", "diff")
COST_KEYS = ("total", "token", "list", "read", "create", "update", "inactive", "active", "writes")


# -- helpers (shared with the tests of mysafe_passwords, mysafe_notes and mysafe_items) ----------

def summary(**counts):
    return dict(dict.fromkeys(OPERATIONS + ("failed",), 0), **counts)


def cost(counters):
    """The simulator's counters, flat: total, token, list, read, create, update, inactive, active, writes."""
    flat = dict(counters, **counters["endpoints"])
    return {key: flat[key] for key in COST_KEYS}


def spent(before, after):
    return {key: after[key] - before[key] for key in COST_KEYS}


def bulk_play(module, steps, lists=("items",)):
    """One ``segura.pam.<module>`` task per step; after each, its result and the server's counters are kept.

    ``lists``: the module's list options; those a step has are templated from the vars file."""
    tasks = []
    for index, step in enumerate(steps):
        options = {name: "{{ steps[%d]['%s'] }}" % (index, name) for name in lists if name in step}
        options.update((option, step[option]) for option in BULK_OPTIONS if option in step)
        task = {"name": step.get("name", "Step %d" % index), "segura.pam." + module: options,
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


def run_bulk(playbook, sim, module, steps, lists=("items",), **options):
    """Run ``steps`` (dicts with ``lists``, bulk options and task keywords) in one ansible-playbook run.

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
    run = playbook.run(bulk_play(module, steps, lists), extra_vars={"steps_file": steps_file}, **options)
    assert run.rc == 0, run
    assert "Traceback" not in run.output, run
    outcomes = json.loads(Path(outcomes_file).read_text())
    assert len(outcomes) == len(steps), run
    for outcome in outcomes:
        after = cost(outcome.pop("counters"))
        outcome["cost"], before = spent(before, after), after
    return outcomes, run


def operations(result):
    return [item["operation"] for item in result["results"]]


def no_leak(run, values):
    """None of ``values`` anywhere in what the run printed or logged."""
    leaked = [value for value in values if value in run.output]
    assert not leaked, "secret values in the output: %s" % leaked


def diff_headers(result):
    return [diff["before_header"] for diff in result["diff"]]


# -- API secrets ------------------------------------------------------------------------------

def secret(index, prefix="svc", **fields):
    """An element selected by identifier code, with its own client secret."""
    return dict({"identifier_code": "%s-%03d" % (prefix, index), "name": "%s %03d" % (prefix, index),
                 "url": "https://%s-%03d.example.com" % (prefix, index), "client_id": "app-%03d" % index,
                 "client_secret": "%s-secret-%03d-Kq7" % (prefix, index), "tags": ["fleet"]}, **fields)


def seed_secret(sim, index, prefix="svc", owner="alice", active=True, **fields):
    values = secret(index, prefix, **fields)
    values["tags"] = ",".join(values["tags"])
    return sim.control.seed("secrets", owner=owner, active=active, **values)


def stored(sim):
    return {item["identifier"]: item for item in sim.control.secrets()}


def test_a_hundred_secrets_created_then_rerun_by_code_and_by_name_with_one_list_and_a_read_each(playbook, sim):
    fleet = [secret(n) for n in range(100)]
    by_name = [{key: value for key, value in element.items() if key != "identifier_code"} for element in fleet]
    outcomes, run = run_bulk(playbook, sim, "mysafe_api_secrets", [
        {"name": "Create a hundred", "items": fleet},
        {"name": "The same hundred again, by code", "items": fleet},
        {"name": "The same hundred, by name", "items": by_name},
        # The API user now sees 100 secrets for 3 elements: one filtered list per code, not 100 reads.
        {"name": "Three of them by code", "items": [fleet[5], fleet[50], dict(fleet[99], notes="moved")]},
    ])

    created, unchanged, named, few = outcomes
    assert created["result"]["summary"] == summary(created=100)
    assert created["result"]["changed"] is True
    # Every visible secret was read (there were none), so no code needs a list of its own.
    assert created["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=202, token=1, list=1, read=100, create=100,
                                   writes=100)  # a read after each create: the result is what was stored
    assert [r["identifier_code"] for r in created["result"]["results"]] == [e["identifier_code"] for e in fleet]
    assert all(r["operation"] == "created" and not r["failed"] and r["msg"] == "" for r in created["result"]["results"])
    records = stored(sim)
    assert sorted(r["identifier"] for r in created["result"]["results"]) == sorted(records)
    assert {records[r["identifier"]]["client_secret"] for r in created["result"]["results"]} == {
        e["client_secret"] for e in fleet}

    assert unchanged["result"]["summary"] == summary(unchanged=100)
    assert unchanged["result"]["changed"] is False
    assert unchanged["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=101, list=1, read=100)
    assert [r["identifier"] for r in unchanged["result"]["results"]] == [
        r["identifier"] for r in created["result"]["results"]]

    assert named["result"]["summary"] == summary(unchanged=100)
    assert [r["name"] for r in named["result"]["results"]] == [e["name"] for e in fleet]
    assert "identifier_code" not in named["result"]["results"][0]  # the selector as given
    assert named["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=101, list=1, read=100)

    assert few["result"]["summary"] == summary(unchanged=2, updated=1)
    assert operations(few["result"]) == ["unchanged", "unchanged", "updated"]
    # 1 list to count what is visible + 1 filtered list per code; 3 reads + 1 after the update
    assert few["cost"] == dict(dict.fromkeys(COST_KEYS, 0), total=9, list=4, read=4, update=1, writes=1)
    assert stored(sim)[few["result"]["results"][2]["identifier"]]["notes"] == "moved"
    no_leak(run, [e["client_secret"] for e in fleet])


def test_check_mode_then_diff_mode_tell_the_truth_and_never_show_a_secret(playbook, sim):
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
    headers = ["items[1] (identifier_code 'svc-001')", "items[2] (identifier_code 'svc-002')",
               "items[3] (identifier %d)" % retired, "items[4] (identifier_code 'svc-004')"]
    expected = summary(created=1, updated=1, enabled=1, disabled=1, unchanged=1)

    outcomes, run = run_bulk(playbook, sim, "mysafe_api_secrets", [
        {"name": "Preview", "items": items, "check_mode": True},
        {"name": "Apply", "items": items},
        {"name": "Apply again", "items": items},
    ], diff=True, verbosity=4)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
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
    records = stored(sim)
    assert records[moved]["client_secret"] == "canary-rotated-Jm40ax"
    assert records[moved]["url"] == "https://moved.example.com"
    assert (records[dormant]["active"], records[retired]["active"]) == (True, False)
    assert records[applied["results"][4]["identifier"]]["client_secret"] == "canary-created-Wd83pe"

    assert again["summary"] == summary(unchanged=5) and again["changed"] is False and again["diff"] == []
    assert outcomes[2]["cost"]["writes"] == 0

    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout  # -vvvv printed the (masked) arguments
    no_leak(run, [element["client_secret"] for element in items if "client_secret" in element])


def test_invalid_elements_fail_the_task_by_index_and_selector_before_any_request(playbook, sim):
    canary = "canary-invalid-Pz61wq"
    outcomes, run = run_bulk(playbook, sim, "mysafe_api_secrets", [
        {"name": "Every kind of mistake at once", "items": [
            secret(0),
            {"url": "https://nameless.example.com", "client_id": "nameless", "client_secret": canary},
            secret(0, notes="listed twice"),
            secret(3, name=""),
            {"identifier": 7, "method": "FETCH", "client_secret": canary},
            {"name": "twin", "notes": "one"},
            {"name": "twin", "notes": "two", "client_secret": canary},
            {"identifier": 0},
        ]},
        {"name": "max_parallel below one", "items": [secret(0)], "max_parallel": 0},
        {"name": "An empty exclusive tag", "items": [secret(0)], "exclusive_tag": " "},
        {"name": "An identifier that is not a number", "items": [{"identifier": "forty-two"}]},
    ], verbosity=3)

    messages = [outcome["result"]["msg"] for outcome in outcomes]
    assert all(outcome["result"]["failed"] for outcome in outcomes)
    for fragment in ("6 of the 8 items cannot be applied, so nothing was sent",
                     "items[1] selects nothing: set identifier, identifier_code or name",
                     "items[2] (identifier_code 'svc-000') names the same API secret as items[0]",
                     "items[3] (identifier_code 'svc-003'): Option name is empty",
                     "items[4] (identifier 7): Option method 'FETCH' is not an HTTP method",
                     "items[6] (name 'twin') names the same API secret as items[5]",
                     "items[7] (identifier 0): Option identifier must be a positive integer"):
        assert fragment in messages[0], (fragment, messages[0])
    assert "items[0]:" not in messages[0] and "items[5]:" not in messages[0]
    assert "Option max_parallel must be at least 1, got 0" in messages[1]
    assert "Option exclusive_tag is empty" in messages[2]
    assert "forty-two" in messages[3] and "cannot be converted to an int" in messages[3]
    assert [outcome["cost"]["total"] for outcome in outcomes] == [0, 0, 0, 0]  # not even a token
    no_leak(run, [canary])


def test_every_element_is_attempted_and_the_failures_are_listed_at_the_end(playbook, sim):
    hidden = seed_secret(sim, 1, owner="dave")                                   # not shared with alice
    seed_secret(sim, 2, name="twin", tags=["platform"])
    seed_secret(sim, 3, owner="bob", name="twin", tags=["platform"], users_allowed=[{"username": "alice"}])
    unlisted = seed_secret(sim, 6, tags=["platform"])
    edited = seed_secret(sim, 4)
    viewed = seed_secret(sim, 5, owner="carol", users_allowed=[{"username": "alice", "can_edit": False}])
    canaries = ["canary-failing-%d-Xe27" % n for n in range(5)]

    outcomes, run = run_bulk(playbook, sim, "mysafe_api_secrets", [{"items": [
        secret(0, client_secret=canaries[0]),
        {"identifier": hidden, "notes": "not mine", "client_secret": canaries[1]},
        secret(4, notes="edited", client_secret="svc-secret-004-Kq7"),
        {"name": "twin", "notes": "which one?", "client_secret": canaries[3]},
        secret(5, notes="view only", client_secret=canaries[4]),
    ], "exclusive_tag": "platform"}], verbosity=3)

    result = outcomes[0]["result"]
    assert result["failed"] is True and result["changed"] is True
    assert operations(result) == ["created", None, "updated", None, None]
    assert [r["failed"] for r in result["results"]] == [False, True, False, True, True]
    assert [r.get("identifier_code") or r.get("name") or r.get("identifier") for r in result["results"]] == [
        "svc-000", hidden, "svc-004", "twin", "svc-005"]
    assert result["results"][4]["identifier"] == viewed  # located, then refused
    assert result["summary"] == summary(created=1, updated=1, failed=3)
    assert "1006" in result["results"][1]["msg"]
    assert "2 API secrets visible to this API user match (identifiers" in result["results"][3]["msg"]
    assert "1006" in result["results"][4]["msg"]
    assert result["msg"].startswith("3 of the API secrets failed: items[1] (identifier %d): " % hidden)
    assert "; items[3] (name 'twin'): " in result["msg"]
    assert "; items[4] (identifier_code 'svc-005'): " in result["msg"]
    records = stored(sim)
    assert records[edited]["notes"] == "edited"
    assert records[result["results"][0]["identifier"]]["client_secret"] == canaries[0]
    assert records[hidden]["notes"] == records[viewed]["notes"] == ""
    # the view-only secret's update is sent, and refused by the server
    assert (outcomes[0]["cost"]["create"], outcomes[0]["cost"]["update"], outcomes[0]["cost"]["writes"]) == (1, 2, 3)
    # The element matching two secrets may mean either twin: exclusive_tag disables nothing then.
    assert result["excluded"] == [] and records[unlisted]["active"] is True
    assert ("exclusive_tag 'platform' was not applied: items[3] (name 'twin') could not be matched to an API "
            "secret.") in result["warnings"]
    no_leak(run, canaries)


def test_exclusive_tag_disables_the_unlisted_tagged_secrets_and_nothing_else(playbook, sim):
    kept = seed_secret(sim, 0, tags=["platform"])
    stray = seed_secret(sim, 1, tags=["platform", "extra"])
    sleeping = seed_secret(sim, 2, tags=["platform"], active=False)
    other = seed_secret(sim, 3, tags=["other"])
    retired = seed_secret(sim, 4, tags=["platform"])
    untagged = seed_secret(sim, 5, tags=[])
    items = [secret(0, tags=["platform"]), secret(4, tags=["platform"], state="absent")]

    outcomes, run = run_bulk(playbook, sim, "mysafe_api_secrets", [
        {"name": "Preview", "items": items, "exclusive_tag": "platform", "check_mode": True},
        {"name": "Apply", "items": items, "exclusive_tag": "platform"},
        {"name": "Apply again", "items": items, "exclusive_tag": "platform"},
    ], diff=True)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
    for result in (preview, applied):
        assert operations(result) == ["unchanged", "disabled"]
        assert [(e["identifier"], e["name"], e["operation"], e["failed"]) for e in result["excluded"]] == [
            (stray, "svc 001", "disabled", False)]
        assert result["summary"] == summary(unchanged=1, disabled=2)
        assert diff_headers(result) == ["items[1] (identifier_code 'svc-004')",
                                        "identifier %d (exclusive_tag 'platform')" % stray]
    assert outcomes[0]["cost"]["writes"] == 0
    assert outcomes[1]["cost"]["inactive"] == 2 and outcomes[1]["cost"]["writes"] == 2
    assert again["excluded"] == [] and again["summary"] == summary(unchanged=2) and again["changed"] is False
    assert outcomes[2]["cost"]["writes"] == 0
    active = {identifier: record["active"] for identifier, record in stored(sim).items()}
    assert active == {kept: True, stray: False, sleeping: False, other: True, retired: False, untagged: True}
    assert "identifier %d (exclusive_tag 'platform')" % stray in run.stdout


def test_max_parallel_one_or_eight_gives_the_same_results_with_one_token_each(playbook, sim):
    for n in range(12):
        seed_secret(sim, n)
    items = ([secret(n, notes="rotated") if n % 3 == 0 else secret(n) for n in range(12)]
             + [secret(n) for n in range(12, 18)] + [{"identifier_code": "svc-020", "state": "absent"}])
    items[1] = {"identifier_code": "svc-001", "state": "absent"}

    outcomes, _run = run_bulk(playbook, sim, "mysafe_api_secrets", [
        {"name": "Preview, one at a time", "items": items, "max_parallel": 1, "check_mode": True},
        {"name": "Preview, eight at a time", "items": items, "max_parallel": 8, "check_mode": True},
        {"name": "Apply, eight at a time", "items": items, "max_parallel": 8},
        {"name": "Apply again, one at a time", "items": items, "max_parallel": 1},
    ], env={"SEGURA_TOKEN_CACHE": "false"})

    serial, parallel, applied, again = (outcome["result"] for outcome in outcomes)
    assert serial == parallel
    assert serial["summary"] == summary(created=6, updated=4, disabled=1, unchanged=8)
    assert operations(applied) == operations(serial) and applied["summary"] == serial["summary"]
    assert applied["diff"] == serial["diff"]
    assert again["summary"] == summary(unchanged=19)
    assert [outcome["cost"]["token"] for outcome in outcomes] == [1, 1, 1, 1]
    assert [outcome["cost"]["writes"] for outcome in outcomes] == [0, 0, 11, 0]
