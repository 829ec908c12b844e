"""segura.pam.mysafe_notes (the bulk module) in real ansible-playbook runs against the simulator.

The steps and the per-task request counts come from the helpers of test_module_mysafe_api_secrets.py.
"""

from test_module_mysafe_api_secrets import MASK, diff_headers, no_leak, operations, run_bulk, summary


def note(name, **fields):
    return dict({"name": name, "note": "%s note text Yv26" % name, "tags": ["fleet"]}, **fields)


def seed_note(sim, name, owner="alice", active=True, **fields):
    values = note(name, **fields)
    values["tags"] = ",".join(values["tags"])
    return sim.control.seed("notes", owner=owner, active=active, **values)


def stored(sim):
    return {item["identifier"]: item for item in sim.control.notes()}


def test_create_update_enable_disable_previewed_diffed_then_unchanged_without_a_note_shown(playbook, sim):
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
    headers = ["items[1] (name 'runbook')", "items[2] (name 'dormant')", "items[3] (identifier %d)" % retired,
               "items[4] (name 'recovery codes')"]
    expected = summary(created=1, updated=1, enabled=1, disabled=1, unchanged=1)

    outcomes, run = run_bulk(playbook, sim, "mysafe_notes", [
        {"name": "Preview", "items": items, "check_mode": True},
        {"name": "Apply", "items": items},
        {"name": "Apply again", "items": items},
    ], diff=True, verbosity=4)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
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
    records = stored(sim)
    assert (records[runbook]["note"], records[runbook]["tags"]) == (rewritten, "fleet,ops")
    assert (records[dormant]["active"], records[retired]["active"]) == (True, False)
    assert records[applied["results"][4]["identifier"]]["note"] == "canary-created-Ep85wt"

    assert again["summary"] == summary(unchanged=5) and again["changed"] is False and again["diff"] == []
    assert outcomes[2]["cost"]["writes"] == 0
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
    no_leak(run, ["canary-rewritten-Qa17ns", "canary-created-Ep85wt", "steady note text Yv26",
                  "runbook note text Yv26"])


def test_bad_elements_fail_before_any_request_and_good_ones_survive_failing_neighbours(playbook, sim):
    too_long = ("canary-too-long-Gc53 " * 43)[:901]
    hidden = seed_note(sim, "hidden", owner="dave")
    seed_note(sim, "twin")
    seed_note(sim, "twin", owner="bob", users_allowed=[{"username": "alice"}])
    viewed = seed_note(sim, "viewed", owner="carol", users_allowed=[{"username": "alice", "can_edit": False}])

    outcomes, run = run_bulk(playbook, sim, "mysafe_notes", [
        {"name": "Mistakes", "items": [
            note("fine"),
            note("long", note=too_long),
            {"note": "canary-nameless-Gc53"},
            note("fine", note="canary-twice-Gc53"),
            note(""),
            note("blank", note=""),
        ]},
        {"name": "Failing neighbours", "items": [
            {"identifier": hidden, "note": "canary-hidden-Gc53"},
            note("twin", note="canary-twin-Gc53"),
            note("viewed", note="canary-viewed-Gc53"),
            note("brand new", note="canary-new-Gc53"),
        ]},
    ], verbosity=3)

    mistakes, neighbours = (outcome["result"] for outcome in outcomes)
    assert mistakes["failed"] is True and outcomes[0]["cost"]["total"] == 0
    for fragment in ("5 of the 6 items cannot be applied, so nothing was sent",
                     "items[1] (name 'long'): Option note is 901 characters long; Segura accepts at most 900",
                     "items[2] selects nothing: set identifier or name",
                     "items[3] (name 'fine') names the same note as items[0]",
                     "items[4] (name ''): Option name is empty",
                     "items[5] (name 'blank'): Option note is empty"):
        assert fragment in mistakes["msg"], (fragment, mistakes["msg"])

    assert neighbours["failed"] is True and neighbours["changed"] is True
    assert operations(neighbours) == [None, None, None, "created"]
    assert [r["identifier"] for r in neighbours["results"][:3]] == [hidden, None, viewed]
    assert neighbours["summary"] == summary(created=1, failed=3)
    assert "1006" in neighbours["results"][0]["msg"] and "1006" in neighbours["results"][2]["msg"]
    assert "2 notes visible to this API user match (identifiers" in neighbours["results"][1]["msg"]
    assert neighbours["msg"].startswith("3 of the notes failed: items[0] (identifier %d): " % hidden)
    records = stored(sim)
    assert records[neighbours["results"][3]["identifier"]]["note"] == "canary-new-Gc53"
    assert records[viewed]["note"] == "viewed note text Yv26"
    no_leak(run, ["canary-too-long-Gc53", "canary-nameless-Gc53", "canary-twice-Gc53", "canary-hidden-Gc53",
                  "canary-twin-Gc53", "canary-viewed-Gc53", "canary-new-Gc53"])


def test_exclusive_tag_disables_only_the_unlisted_notes_with_that_tag(playbook, sim):
    kept = seed_note(sim, "kept", tags=["platform"])
    stray = seed_note(sim, "stray", tags=["platform", "ops"])
    sleeping = seed_note(sim, "sleeping", tags=["platform"], active=False)
    other = seed_note(sim, "other", tags=["other"])
    items = [note("kept", tags=["platform"])]

    outcomes, run = run_bulk(playbook, sim, "mysafe_notes", [
        {"name": "Preview", "items": items, "exclusive_tag": "platform", "check_mode": True},
        {"name": "Apply", "items": items, "exclusive_tag": "platform"},
        {"name": "Apply again", "items": items, "exclusive_tag": "platform"},
    ], diff=True)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
    for result in (preview, applied):
        assert [(e["identifier"], e["name"], e["operation"]) for e in result["excluded"]] == [(stray, "stray", "disabled")]
        assert result["summary"] == summary(unchanged=1, disabled=1)
        assert diff_headers(result) == ["identifier %d (exclusive_tag 'platform')" % stray]
    # The list carries the tags: the tagged notes no element names are read (the disabled one is refused).
    assert {key: outcomes[0]["cost"][key] for key in ("list", "read", "writes")} == {"list": 1, "read": 3, "writes": 0}
    assert outcomes[1]["cost"]["inactive"] == 1 and outcomes[1]["cost"]["writes"] == 1
    assert again["excluded"] == [] and again["changed"] is False and outcomes[2]["cost"]["writes"] == 0
    assert {identifier: record["active"] for identifier, record in stored(sim).items()} == {
        kept: True, stray: False, sleeping: False, other: True}
    no_leak(run, ["kept note text Yv26", "stray note text Yv26"])
