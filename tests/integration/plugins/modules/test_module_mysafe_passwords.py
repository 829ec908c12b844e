"""segura.pam.mysafe_passwords (the bulk module) in real ansible-playbook runs against the simulator.

The steps and the per-task request counts come from the helpers of test_module_mysafe_api_secrets.py.
"""

from test_module_mysafe_api_secrets import MASK, diff_headers, no_leak, operations, run_bulk, summary

# Base32 seeds that are also canaries: unique strings to search the output for.
SEED = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
NEW_SEED = "ONSWG4TFOQWXGZLFMQWW4ZLXGIZDGNBV"


def password(name, username="svc", **fields):
    return dict({"name": name, "username": username, "password": "%s-password-Lr58" % name,
                 "url": "db.example.com", "tags": ["fleet"]}, **fields)


def seed_password(sim, name, owner="alice", active=True, **fields):
    values = password(name, **fields)
    values["tags"] = ",".join(values["tags"])
    return sim.control.seed("passwords", owner=owner, active=active, **values)


def stored(sim):
    return {item["identifier"]: item for item in sim.control.passwords()}


def test_create_update_enable_disable_previewed_diffed_then_unchanged_without_a_secret_shown(playbook, sim):
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
    headers = ["items[1] (name 'web', username 'svc')", "items[2] (name 'dormant', username 'svc')",
               "items[3] (identifier %d)" % retired, "items[4] (name 'api', username 'svc')"]
    expected = summary(created=1, updated=1, enabled=1, disabled=1, unchanged=1)

    outcomes, run = run_bulk(playbook, sim, "mysafe_passwords", [
        {"name": "Preview", "items": items, "check_mode": True},
        {"name": "Apply", "items": items},
        {"name": "Apply again", "items": items},
    ], diff=True, verbosity=4)

    preview, applied, again = (outcome["result"] for outcome in outcomes)
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
    records = stored(sim)
    assert (records[web]["password"], records[web]["secret_key"]) == ("canary-rotated-Fk31oz", NEW_SEED)
    assert records[steady]["secret_key"] == SEED  # the same seed, written differently: not sent
    assert (records[dormant]["active"], records[retired]["active"]) == (True, False)
    created = records[applied["results"][4]["identifier"]]
    assert (created["name"], created["password"], created["notes"], created["owner"]) == (
        "api", "canary-created-Tb62ku", "new", "alice")

    assert again["summary"] == summary(unchanged=5) and again["changed"] is False and again["diff"] == []
    assert outcomes[2]["cost"]["writes"] == 0
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
    no_leak(run, [SEED, NEW_SEED, SEED.lower()[:8], "canary-rotated-Fk31oz", "canary-created-Tb62ku",
                  "steady-password-Lr58", "web-password-Lr58"])


def test_bad_elements_fail_before_any_request_and_good_ones_survive_failing_neighbours(playbook, sim):
    canary = "canary-invalid-Hs04qe"
    hidden = seed_password(sim, "hidden", owner="dave")
    seed_password(sim, "twin", username="root")
    seed_password(sim, "twin", username="root", owner="bob", users_allowed=[{"username": "alice"}])
    edited = seed_password(sim, "edited")

    outcomes, run = run_bulk(playbook, sim, "mysafe_passwords", [
        {"name": "Mistakes", "items": [
            password("a", password=canary),
            {"username": "nameless", "password": canary},
            password("b", password=canary, secret_key="canary-seed-0189"),
            password("a", notes="listed twice"),
            password("a", username="other"),  # not a duplicate: another user name
            password("c", username=""),
        ]},
        {"name": "Failing neighbours", "items": [
            password("new", password=canary),
            {"identifier": hidden, "notes": "not mine"},
            password("twin", username="root", notes="which one?"),
            password("edited", notes="edited"),
        ]},
    ], verbosity=3)

    mistakes, neighbours = (outcome["result"] for outcome in outcomes)
    assert mistakes["failed"] is True and outcomes[0]["cost"]["total"] == 0
    for fragment in ("4 of the 6 items cannot be applied, so nothing was sent",
                     "items[1] selects nothing: set identifier or name",
                     "items[2] (name 'b', username 'svc'): Option secret_key is not a base32 TOTP seed",
                     "items[3] (name 'a', username 'svc') names the same password as items[0]",
                     "items[5] (name 'c', username ''): Option username is empty"):
        assert fragment in mistakes["msg"], (fragment, mistakes["msg"])
    assert "items[4]" not in mistakes["msg"] and "items[0]" not in mistakes["msg"].replace("as items[0]", "")

    assert neighbours["failed"] is True
    assert operations(neighbours) == ["created", None, None, "updated"]
    assert [r["identifier"] for r in neighbours["results"][1:]] == [hidden, None, edited]
    assert neighbours["summary"] == summary(created=1, updated=1, failed=2)
    assert "1006" in neighbours["results"][1]["msg"]
    assert "2 passwords visible to this API user match (identifiers" in neighbours["results"][2]["msg"]
    assert neighbours["msg"].startswith("2 of the passwords failed: items[1] (identifier %d): " % hidden)
    assert "; items[2] (name 'twin', username 'root'): " in neighbours["msg"]
    records = stored(sim)
    assert records[edited]["notes"] == "edited" and records[hidden]["notes"] == ""
    assert records[neighbours["results"][0]["identifier"]]["password"] == canary
    no_leak(run, [canary, "canary-seed-0189"])


def test_exclusive_tag_disables_only_the_unlisted_passwords_with_that_tag(playbook, sim):
    kept = seed_password(sim, "kept", tags=["platform"])
    stray = seed_password(sim, "stray", tags=["platform", "db"])
    other = seed_password(sim, "other", tags=["other"])
    untagged = seed_password(sim, "untagged", tags=[])
    items = [password("kept", tags=["platform"])]

    outcomes, _run = run_bulk(playbook, sim, "mysafe_passwords", [
        {"name": "Preview", "items": items, "exclusive_tag": "platform", "check_mode": True},
        {"name": "Apply", "items": items, "exclusive_tag": "platform"},
        {"name": "Apply again", "items": items, "exclusive_tag": "platform"},
    ])

    preview, applied, again = (outcome["result"] for outcome in outcomes)
    for result in (preview, applied):
        assert [(e["identifier"], e["name"], e["operation"]) for e in result["excluded"]] == [(stray, "stray", "disabled")]
        assert result["summary"] == summary(unchanged=1, disabled=1)
    # The list carries the tags: only the tagged password no element names is read.
    assert {key: outcomes[0]["cost"][key] for key in ("list", "read", "writes")} == {"list": 1, "read": 2, "writes": 0}
    assert outcomes[1]["cost"]["inactive"] == 1 and outcomes[1]["cost"]["writes"] == 1
    assert again["excluded"] == [] and again["changed"] is False and outcomes[2]["cost"]["writes"] == 0
    assert {identifier: record["active"] for identifier, record in stored(sim).items()} == {
        kept: True, stray: False, other: True, untagged: True}
