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
# Options of the bulk modules besides ``items``, and task keywords a step may set.
BULK_OPTIONS = ("max_parallel", "exclusive_tag")
TASK_KEYWORDS = ("check_mode", "diff")
COST_KEYS = ("total", "token", "list", "read", "create", "update", "inactive", "active", "writes")


# -- helpers (shared with test_module_mysafe_passwords.py and test_module_mysafe_notes.py) ------

def summary(**counts):
    return dict(dict.fromkeys(OPERATIONS + ("failed",), 0), **counts)


def cost(counters):
    """The simulator's counters, flat: total, token, list, read, create, update, inactive, active, writes."""
    flat = dict(counters, **counters["endpoints"])
    return {key: flat[key] for key in COST_KEYS}


def spent(before, after):
    return {key: after[key] - before[key] for key in COST_KEYS}


def bulk_play(module, steps):
    """One ``segura.pam.<module>`` task per step; after each, its result and the server's counters are kept."""
    tasks = []
    for index, step in enumerate(steps):
        options = {"items": "{{ steps[%d]['items'] }}" % index}
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


def run_bulk(playbook, sim, module, steps, **options):
    """Run ``steps`` (dicts with ``items``, bulk options and task keywords) in one ansible-playbook run.

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
    run = playbook.run(bulk_play(module, steps), extra_vars={"steps_file": steps_file}, **options)
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
