"""The segura.pam.mysafe_api_secrets role, applied the way a user would: lists of secrets,
passwords and notes in play vars, the summary facts (also in a rescue), check mode, bad input,
what it costs the server, that it is one module task, and that its connection variable cannot
send credentials from elsewhere to a server it names."""

import json

import pytest
import requests

from simulator.control import SimulatorProcess

SECRETS_PATH = "/api/mysafe/secretapi"
SUMMARY_KEYS = ("created", "updated", "enabled", "unchanged", "disabled")


def summary(**counts):
    return dict({key: 0 for key in SUMMARY_KEYS}, **counts)


def apply_role(playbook, secrets, expected=None, connection=None, group_defaults=None, extra_tasks="", **run_options):
    """Run the role over ``secrets``; with ``expected``, the play asserts the summary fact.

    ``connection``: the role's mysafe_api_secrets_connection; ``group_defaults``: the play's
    module_defaults for group/segura.pam.mysafe.
    """
    role_vars = {"mysafe_api_secrets": secrets}
    if connection is not None:
        role_vars["mysafe_api_secrets_connection"] = connection
    checks = ""
    if expected is not None:
        checks = """
            - name: The summary counts what was done
              ansible.builtin.assert:
                that: %s
        """ % json.dumps("mysafe_api_secrets_summary == %s" % json.dumps(expected))
    return playbook.run("""
        - hosts: localhost
          gather_facts: false
          module_defaults: %s
          vars: %s
          roles:
            - segura.pam.mysafe_api_secrets
          tasks:
        %s
        %s
    """ % (json.dumps({"group/segura.pam.mysafe": group_defaults or {}}), json.dumps(role_vars), checks, extra_tasks),
        **run_options)


WITHOUT_CONNECTION_ENV = {"SEGURA_URL": None, "SEGURA_CA_PATH": None, "SEGURA_CLIENT_ID": None, "SEGURA_CLIENT_SECRET": None}


def connection_options(sim, user="alice", **options):
    return dict({"segura_url": sim.url, "segura_ca_path": str(sim.ca_path), "segura_client_id": sim.users[user]["client_id"],
                 "segura_client_secret": sim.users[user]["client_secret"]}, **options)


def reads(counters):
    return counters["endpoints"]["list"] + counters["endpoints"]["read"]


def fleet(count, **fields):
    """``count`` secrets selected by name, each with its own client secret."""
    return [dict({"name": "svc-%02d" % n, "url": "https://svc-%02d.example.com" % n, "client_id": "app-%02d" % n,
                  "client_secret": "fleet-secret-%02d-Zq8" % n, "tags": ["fleet", "n%02d" % n]}, **fields)
            for n in range(count)]


class Seeder(object):
    """Creates secrets straight through the API, so tests start from a known server state cheaply."""

    def __init__(self, sim, user="alice"):
        self.sim = sim
        self.session = requests.Session()
        creds = sim.users[user]
        answer = self.session.post(sim.url + "/iso/oauth2/token", verify=str(sim.ca_path), data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]})
        answer.raise_for_status()
        self.session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]

    def create(self, active=True, **fields):
        answer = self.session.post(self.sim.url + SECRETS_PATH, json=fields, verify=str(self.sim.ca_path))
        answer.raise_for_status()
        identifier = int(answer.json()["api_entity"]["identifier"])
        if not active:
            self.session.post("%s%s/inactive/%d" % (self.sim.url, SECRETS_PATH, identifier),
                              verify=str(self.sim.ca_path)).raise_for_status()
        return identifier


def summary_holds_counts_only(secrets):
    return """
            - name: The summary holds five counts and nothing else
              ansible.builtin.assert:
                that:
                  - mysafe_api_secrets_summary.keys() | sort == %s
                  - mysafe_api_secrets_summary.values() | select('integer') | list | length == 5
                  - (mysafe_api_secrets_summary | to_json) is not search(%s)
    """ % (json.dumps(sorted(SUMMARY_KEYS)), json.dumps("|".join(s["client_secret"] for s in secrets)))


def by_name(sim):
    return {secret["name"]: secret for secret in sim.control.secrets()}


def test_applying_a_list_creates_then_rereading_changes_nothing(playbook, sim):
    secrets = fleet(6)

    created = apply_role(playbook, secrets, expected=summary(created=6), verbosity=3,
                         extra_tasks=summary_holds_counts_only(secrets))

    assert created.rc == 0, created
    counters = sim.control.counters()
    assert counters["endpoints"]["create"] == 6
    assert counters["token"] == 1
    stored = by_name(sim)
    assert sorted(stored) == [s["name"] for s in secrets]
    assert stored["svc-03"]["client_secret"] == "fleet-secret-03-Zq8"
    assert stored["svc-03"]["url"] == "https://svc-03.example.com"

    sim.control.reset()  # counters only: the secrets stay
    again = apply_role(playbook, secrets, expected=summary(unchanged=6), verbosity=3)

    assert again.rc == 0, again
    counters = sim.control.counters()
    assert counters["writes"] == 0
    assert counters["endpoints"]["list"] == 1  # the role's one listing; the module lists nothing
    assert reads(counters) <= len(secrets) + 1
    assert counters["token"] == 0  # the first run's token, from the token cache
    for run in (created, again):
        leaked = [s["client_secret"] for s in secrets if s["client_secret"] in run.output]
        assert not leaked, "client secrets in the -vvv output: %s" % leaked
    assert '"client_secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in again.stdout  # -vvv shows the masked args


def test_items_selected_by_identifier_or_code_are_applied_as_given(playbook, sim):
    seeder = Seeder(sim)
    by_id = seeder.create(name="by-id", url="https://a.example.com", client_id="a", client_secret="seed-a-4Tr")
    seeder.create(name="by-code", url="https://b.example.com", client_id="b", client_secret="seed-b-4Tr",
                  identifier_code="code-b")
    sim.control.reset()

    # The connection from the play's module_defaults only: the role's own defaults must keep them.
    result = apply_role(playbook, [
        {"identifier": by_id, "notes": "selected by id"},
        {"identifier_code": "code-b", "notes": "selected by code"},
    ], expected=summary(updated=2), group_defaults=connection_options(sim), env=WITHOUT_CONNECTION_ENV)

    assert result.rc == 0, result
    stored = by_name(sim)
    assert stored["by-id"]["notes"] == "selected by id"
    assert stored["by-code"]["notes"] == "selected by code"
    counters = sim.control.counters()
    assert counters["endpoints"]["update"] == 2
    # No item is selected by name, so the role lists nothing; the code's own lookup lists once.
    assert counters["endpoints"]["list"] == 1
    assert counters["token"] == 1


def test_check_mode_writes_nothing_and_counts_what_a_real_run_does(playbook, sim):
    seeder = Seeder(sim)
    for name in ("moved", "steady", "retired"):
        seeder.create(name=name, url="https://%s.example.com" % name, client_id=name, client_secret="seed-%s-9Vb" % name)
    seeder.create(name="dormant", url="https://dormant.example.com", client_id="dormant",
                  client_secret="seed-dormant-9Vb", active=False)
    sim.control.reset()
    secrets = [
        {"name": "fresh", "url": "https://fresh.example.com", "client_id": "fresh", "client_secret": "new-fresh-2Lp"},
        {"name": "moved", "url": "https://moved-elsewhere.example.com"},
        {"name": "steady", "url": "https://steady.example.com", "client_secret": "seed-steady-9Vb"},
        {"name": "retired", "state": "absent"},
        {"name": "dormant", "state": "present"},
    ]
    expected = summary(created=1, updated=1, unchanged=1, disabled=1, enabled=1)
    before = sim.control.secrets()

    preview = apply_role(playbook, secrets, expected=expected, check=True)

    assert preview.rc == 0, preview
    counters = sim.control.counters()
    assert counters["writes"] == 0
    assert counters["token"] == 1
    assert sim.control.secrets() == before

    # The real run, with the connection given to the role and the token cache turned off: the
    # role's own token is then the only one.
    sim.control.reset()
    applied = apply_role(playbook, secrets, expected=expected, connection=connection_options(sim, segura_token_cache=False),
                         env=WITHOUT_CONNECTION_ENV)

    assert applied.rc == 0, applied
    counters = sim.control.counters()
    assert {name: counters["endpoints"][name] for name in ("create", "update", "inactive", "active")} == {
        "create": 1, "update": 1, "inactive": 1, "active": 1}
    assert counters["token"] == 1
    stored = by_name(sim)
    assert stored["moved"]["url"] == "https://moved-elsewhere.example.com"
    assert stored["retired"]["active"] is False
    assert stored["dormant"]["active"] is True
    assert stored["fresh"]["client_secret"] == "new-fresh-2Lp"
    assert sim.users["alice"]["client_secret"] not in applied.output


# Each case: the role's variables, and words the failure must contain. Every case fails before any write;
# the module, not the role's argument spec, checks each item's options.
INVALID_INPUT = {
    "unknown state": ([{"name": "a", "state": "gone"}], "value of state must be one of: present, absent, got: gone found in api_secrets"),
    "unknown method": ([{"name": "a", "method": "fetch"}],
                       "api_secrets[0] (name 'a'): Option method 'fetch' is not an HTTP method"),
    "no selector": ([{"url": "https://a.example.com", "client_id": "a", "client_secret": "nameless-secret-7Hq"}],
                    "api_secrets[0] selects nothing: set identifier, identifier_code or name"),
    "empty selector": ([{"name": "ok", "notes": "x"}, {"name": "", "identifier_code": None, "notes": "y"}],
                       "api_secrets[1] (name ''): Option name is empty"),
    "identifier not a number": ([{"identifier": "forty-two"}], "'forty-two'\" cannot be converted to an int"),
    "share without username": ([{"name": "a", "users_allowed": [{"can_edit": True}]}],
                               "missing required arguments: username found in api_secrets -> users_allowed"),
    "same secret twice": ([{"name": "twin", "notes": "1"}, {"name": "twin", "notes": "2"}],
                          "api_secrets[1] (name 'twin') names the same API secret as api_secrets[0]"),
    "new secret without url": ([{"name": "brand-new", "client_id": "x", "client_secret": "incomplete-secret-3Jd"}],
                               "api_secrets[0] (name 'brand-new'): No matching API secret exists, and url is required"),
    "wrong access key": (([{"name": "a"}], {"segura_client_secret": "not-the-key-5Rv", "segura_token_cache": False}),
                         "api_secrets[0] (name 'a'): Segura refused the token request"),
}


def role_vars(given):
    """(items, connection) as JSON; ``given`` is the items alone, or (items, connection)."""
    items, connection = given if isinstance(given, tuple) else (given, {})
    return json.dumps(items), json.dumps(connection)


def test_invalid_input_fails_with_a_clear_message_and_writes_nothing(playbook, sim):
    # One play, one block per case: the rescue keeps each failure's message for the asserts.
    blocks = "".join("""
            - name: Apply an invalid list
              vars:
                case: %s
                mysafe_api_secrets: %s
                mysafe_api_secrets_connection: %s
              block:
                - name: Apply the role
                  ansible.builtin.include_role:
                    name: segura.pam.mysafe_api_secrets
              rescue:
                - name: Keep the failure message
                  ansible.builtin.set_fact:
                    failures: "{{ failures | combine({case: ansible_failed_result.msg | string}) }}"
    """ % ((json.dumps(case),) + role_vars(given)) for case, (given, _unused) in INVALID_INPUT.items())
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          vars:
            failures: {}
          tasks:
        %s
            - name: Hand the messages to the test
              ansible.builtin.copy:
                content: "{{ failures | to_json }}"
                dest: failures.json
                mode: "0600"
    """ % blocks, verbosity=3)

    assert result.rc == 0, result
    failures = json.loads((playbook.workdir / "failures.json").read_text())
    for case, (_unused, words) in INVALID_INPUT.items():
        assert words in failures.get(case, ""), (case, failures.get(case))
    assert sim.control.counters()["writes"] == 0
    for secret in ("nameless-secret-7Hq", "incomplete-secret-3Jd", "not-the-key-5Rv"):
        assert secret not in result.output


def test_a_wrong_client_secret_is_refused_even_when_a_token_is_cached(playbook, sim):
    secrets = [{"name": "cached", "url": "https://cached.example.com", "client_id": "c", "client_secret": "cached-7Yt"}]
    assert apply_role(playbook, secrets).rc == 0  # caches alice's token

    wrong = apply_role(playbook, secrets, connection={"segura_client_secret": "not-alices-secret-7Yt"})

    assert wrong.rc != 0
    assert "Segura refused the token request" in wrong.stdout


def test_a_failing_item_is_named_without_its_secret_and_the_others_are_applied(playbook, sim):
    result = apply_role(playbook, [
        {"name": "fine", "url": "https://fine.example.com", "client_id": "fine", "client_secret": "fine-secret-6Wm"},
        {"identifier_code": "nowhere", "client_secret": "lost-secret-6Wm"},
    ])

    assert result.rc != 0
    assert "api_secrets[1] (identifier_code 'nowhere'): No matching API secret exists" in result.stdout
    assert "name, url, client_id are required" in result.stdout
    assert sorted(by_name(sim)) == ["fine"]
    for secret in ("fine-secret-6Wm", "lost-secret-6Wm"):
        assert secret not in result.output
    assert '"created": 1' in result.stdout  # the failure ends with the counts done all the same


def test_an_empty_list_costs_nothing(playbook, sim):
    result = apply_role(playbook, [], expected=summary())

    assert result.rc == 0, result
    assert sim.control.counters()["total"] == 0


# -- the one mysafe_items task behind the role: passwords and notes, many items, max_parallel, exclusive_tags ---

def run_role(playbook, role_vars, **run_options):
    """Run the role with ``role_vars`` (any of its variables); returns (the three summary facts or None
    when the play failed, the run)."""
    summaries = playbook.workdir / ("summaries-%d.json" % len(list(playbook.workdir.glob("summaries-*"))))
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          vars: %s
          roles:
            - segura.pam.mysafe_api_secrets
          tasks:
            - name: Hand the summaries to the test
              ansible.builtin.copy:
                content: "{{ {'api_secrets': mysafe_api_secrets_summary, 'passwords': mysafe_passwords_summary,
                              'notes': mysafe_notes_summary} | to_json }}"
                dest: %s
                mode: "0600"
              check_mode: false
    """ % (json.dumps(role_vars), summaries), **run_options)
    return (json.loads(summaries.read_text()) if summaries.exists() else None), result


def coded_fleet(count):
    return [dict(secret, identifier_code="code-%03d" % n) for n, secret in enumerate(fleet(count))]


def test_a_hundred_secrets_by_code_cost_one_list_and_a_read_each_when_nothing_changed(playbook, sim):
    secrets = coded_fleet(100)

    created, first = run_role(playbook, {"mysafe_api_secrets": secrets})
    assert first.rc == 0, first
    counters = sim.control.counters()
    assert created["api_secrets"] == summary(created=100)
    assert (counters["endpoints"]["create"], counters["writes"], counters["token"]) == (100, 100, 1)

    sim.control.reset()
    unchanged, again = run_role(playbook, {"mysafe_api_secrets": secrets})

    assert again.rc == 0, again
    assert unchanged["api_secrets"] == summary(unchanged=100)
    counters = sim.control.counters()
    assert counters["token"] <= 1
    assert (counters["endpoints"]["list"], counters["endpoints"]["read"], counters["writes"]) == (1, 100, 0)
    for run in (first, again):
        assert not [s["client_secret"] for s in secrets if s["client_secret"] in run.output]


def test_passwords_and_notes_beside_the_secrets_in_the_same_task_with_their_own_summary(playbook, sim):
    sim.control.seed("notes", name="runbook", note="runbook-text-Wz40", tags="ops")
    hidden = sim.control.seed("passwords", owner="dave", name="hidden", username="root", password="hidden-pw-Wz40")
    role_vars = {
        "mysafe_api_secrets": fleet(1),
        "mysafe_passwords": [
            {"name": "db", "username": "svc", "password": "db-pw-Wz40", "secret_key": "JBSWY3DPEHPK3PXP"},
            {"name": "db", "username": "admin", "password": "db-admin-pw-Wz40", "tags": ["ops"]},
        ],
        "mysafe_notes": [
            {"name": "runbook", "note": "runbook-text-Wz40", "tags": ["ops"]},
            {"name": "recovery", "note": "recovery-codes-Wz40"},
        ],
        "mysafe_api_secrets_max_parallel": 1,
    }
    canaries = ["db-pw-Wz40", "db-admin-pw-Wz40", "recovery-codes-Wz40", "runbook-text-Wz40", "JBSWY3DPEHPK3PXP",
                "fleet-secret-00-Zq8", "hidden-pw-Wz40"]

    # A preview with one password alice cannot see: the role reports it at the end, by index.
    failing = dict(role_vars, mysafe_passwords=role_vars["mysafe_passwords"] + [
        {"identifier": hidden, "password": "hidden-pw-Wz40"}])
    none, checked = run_role(playbook, failing, check=True, verbosity=3)
    assert checked.rc != 0 and none is None
    assert "1 of the passwords failed: passwords[2] (identifier %d): " % hidden in checked.stdout
    assert sim.control.counters()["writes"] == 0

    applied, run = run_role(playbook, role_vars, verbosity=3)
    assert run.rc == 0, run
    assert applied == {"api_secrets": summary(created=1), "passwords": summary(created=2),
                       "notes": summary(created=1, unchanged=1)}
    assert sim.control.counters("passwords")["endpoints"]["create"] == 2
    assert sim.control.counters("notes")["endpoints"]["create"] == 1
    assert sim.control.counters("notes")["endpoints"]["update"] == 0
    passwords = {(p["name"], p["username"]): p for p in sim.control.passwords()}
    assert passwords[("db", "svc")]["secret_key"] == "JBSWY3DPEHPK3PXP"
    assert passwords[("db", "admin")]["password"] == "db-admin-pw-Wz40"
    assert {n["name"]: n["note"] for n in sim.control.notes()} == {
        "runbook": "runbook-text-Wz40", "recovery": "recovery-codes-Wz40"}
    for output in (checked.output, run.output):
        assert not [canary for canary in canaries if canary in output]


def test_exclusive_tag_and_max_parallel_reach_the_module_task(playbook, sim):
    seeder = Seeder(sim)
    for name, tags in (("kept", "platform"), ("stray", "platform,extra"), ("elsewhere", "other")):
        seeder.create(name=name, url="https://%s.example.com" % name, client_id=name,
                      client_secret="seed-%s-Nb30" % name, tags=tags)
    sim.control.seed("secrets", owner="bob", name="bob's", url="https://bob.example.com", client_id="bob",
                     tags="platform", users_allowed=[{"username": "alice", "can_edit": True}])
    secrets = [{"name": "kept", "tags": ["platform"]}]
    role_vars = {"mysafe_api_secrets": secrets, "mysafe_api_secrets_exclusive_tags": {"api_secrets": "platform"},
                 "mysafe_api_secrets_max_parallel": 2}
    sim.control.reset()

    applied, run = run_role(playbook, role_vars)
    assert run.rc == 0, run
    assert applied["api_secrets"] == summary(unchanged=1, disabled=1)
    assert sim.control.counters()["endpoints"]["inactive"] == 1
    assert {name: secret["active"] for name, secret in by_name(sim).items()} == {
        "kept": True, "stray": False, "elsewhere": True, "bob's": True}
    assert "left alone 1 tagged API secret that no element names, which a share lets edit" in run.output

    shared_too, run = run_role(playbook, dict(role_vars, mysafe_api_secrets_exclusive_tags_include_shared=True))
    assert run.rc == 0, run
    assert shared_too["api_secrets"] == summary(unchanged=1, disabled=1)
    assert by_name(sim)["bob's"]["active"] is False

    refused, invalid = run_role(playbook, dict(role_vars, mysafe_api_secrets_max_parallel=0))
    assert invalid.rc != 0 and refused is None
    assert "Option max_parallel must be at least 1, got 0" in invalid.stdout


def test_the_summaries_are_set_for_a_rescue_when_the_role_fails(playbook, sim):
    hidden = sim.control.seed("passwords", owner="dave", name="hidden", username="root", password="hidden-pw-Ta71")
    cases = {
        # applied all the same: one secret and one password created, one of each failing
        "failing": {"mysafe_api_secrets": fleet(1) + [{"identifier_code": "nowhere", "client_secret": "lost-Ta71"}],
                    "mysafe_passwords": [{"name": "db", "username": "svc", "password": "db-pw-Ta71"},
                                         {"identifier": hidden, "notes": "not mine"}]},
        # refused before any request: the summaries are zeros
        "invalid": {"mysafe_notes": [{"name": "twin", "note": "twin-note-Ta71"},
                                     {"name": "twin", "note": "other-Ta71"}]},
    }
    seen_now = ("{{ seen | combine({case: {'msg': ansible_failed_result.msg, 'api_secrets': mysafe_api_secrets_summary,"
                " 'passwords': mysafe_passwords_summary, 'notes': mysafe_notes_summary}}) }}")
    tasks = [{"name": "Apply the role (%s)" % case, "vars": dict(role_vars, case=case),
              "block": [{"name": "Apply the role",
                         "ansible.builtin.include_role": {"name": "segura.pam.mysafe_api_secrets"}}],
              "rescue": [{"name": "Keep what the rescue sees", "ansible.builtin.set_fact": {"seen": seen_now}}]}
             for case, role_vars in cases.items()]
    tasks.append({"name": "Hand what the rescues saw to the test", "ansible.builtin.copy": {
        "content": "{{ seen | to_json }}", "dest": "seen.json", "mode": "0600"}})
    result = playbook.run(json.dumps([{"hosts": "localhost", "gather_facts": False, "vars": {"seen": {}},
                                       "tasks": tasks}], indent=1))

    assert result.rc == 0, result
    seen = json.loads((playbook.workdir / "seen.json").read_text())
    assert set(seen) == {"failing", "invalid"}
    failing = seen["failing"]
    assert (failing["api_secrets"], failing["passwords"], failing["notes"]) == (
        summary(created=1), summary(created=1), summary())
    assert failing["msg"].startswith("1 of the API secrets failed: api_secrets[1] (identifier_code 'nowhere'): ")
    assert " 1 of the passwords failed: passwords[1] (identifier %d): " % hidden in failing["msg"]
    done = json.loads(failing["msg"].split(" Done all the same: ", 1)[1].rstrip("."))
    assert (done["api_secrets"], done["passwords"]) == (summary(created=1), summary(created=1))
    invalid = seen["invalid"]
    assert (invalid["api_secrets"], invalid["passwords"], invalid["notes"]) == (summary(), summary(), summary())
    assert "notes[1] (name 'twin') names the same note as notes[0]" in invalid["msg"]
    assert sim.control.counters("notes")["total"] == 0
    for secret in ("lost-Ta71", "db-pw-Ta71", "hidden-pw-Ta71", "twin-note-Ta71", "other-Ta71"):
        assert secret not in result.output


def test_the_role_is_one_module_task_with_one_token_for_every_kind(playbook, sim):
    role_vars = {"mysafe_api_secrets": fleet(2),
                 "mysafe_passwords": [{"name": "db", "username": "svc", "password": "db-pw-Gc05"}],
                 "mysafe_notes": [{"name": "runbook", "note": "runbook-Gc05"}]}

    applied, run = run_role(playbook, role_vars, env={"SEGURA_TOKEN_CACHE": "false"})

    assert run.rc == 0, run
    assert applied == {"api_secrets": summary(created=2), "passwords": summary(created=1),
                       "notes": summary(created=1)}
    # Three kinds, one client: one token although the token cache is off.
    assert sim.control.counters()["token"] == 1
    role_tasks = [line.split(" : ", 1)[1].rstrip("]* ") for line in run.stdout.splitlines()
                  if line.startswith("TASK [segura.pam.mysafe_api_secrets : ")]
    assert [task for task in role_tasks if not task.startswith("Validating arguments against arg spec")] == [
        "Apply the API secrets, passwords and notes", "Count what was done"]
    assert "ok: [localhost]" in run.stdout and "skipping" not in run.stdout


def test_an_exclusive_tag_alone_runs_the_task_and_empty_lists_skip_it(playbook, sim):
    seeder = Seeder(sim)
    stray = seeder.create(name="stray", url="https://stray.example.com", client_id="s", client_secret="seed-Hv62",
                          tags="platform")
    sim.control.reset()

    tagged, run = run_role(playbook, {"mysafe_api_secrets_exclusive_tags": {"api_secrets": "platform"}})
    assert run.rc == 0, run
    assert tagged["api_secrets"] == summary(disabled=1)
    assert by_name(sim)["stray"]["active"] is False and sim.control.counters()["endpoints"]["inactive"] == 1
    assert stray in {secret["identifier"] for secret in sim.control.secrets()}

    sim.control.reset()
    skipped, run = run_role(playbook, {})
    assert run.rc == 0, run
    assert skipped == {"api_secrets": summary(), "passwords": summary(), "notes": summary()}
    assert sim.control.counters()["total"] == 0
    assert "skipping: [localhost]" in run.stdout


@pytest.fixture
def rogue(sim, tmp_path):
    """A second simulator with the same users, trusted through the same CA: any request it sees is a leak."""
    with SimulatorProcess(tmp_path / "rogue", ca=sim.pki) as process:
        yield process


@pytest.mark.parametrize("where", ["host_vars", "extra_vars"])
def test_a_connection_variable_cannot_send_environment_credentials_elsewhere(playbook, sim, rogue, where):
    steering = {"mysafe_api_secrets_connection": {"segura_url": rogue.url, "segura_token_cache": False}}
    secrets = [{"name": "probe", "url": "https://probe.example.com", "client_id": "p", "client_secret": "probe-Rg55"}]
    run_options = {"extra_vars": steering} if where == "extra_vars" else {}
    if where == "host_vars":
        (playbook.workdir / "host_vars").mkdir()
        (playbook.workdir / "host_vars" / "localhost.yml").write_text(json.dumps(steering))

    applied, run = run_role(playbook, {"mysafe_api_secrets": secrets}, **run_options)

    assert run.rc != 0 and applied is None
    assert rogue.control.counters()["total"] == 0
    assert sim.control.counters()["total"] == 0
    assert ("mysafe_api_secrets_connection sets segura_url but no credentials: the role sends none from the "
            "environment (SEGURA_*, an AWX credential) or the module_defaults of the play to a server, proxy "
            "or CA that a variable names.") in run.output
    assert "probe-Rg55" not in run.output


def test_credentials_given_with_the_url_go_there_and_no_other_credential_joins_them(playbook, sim, rogue):
    # The variable's own token goes to the variable's server; the client ID and secret of the
    # environment must not follow it there when that token is refused.
    own = {"segura_url": rogue.url, "segura_token": "the-variables-own-token-Rg55", "segura_token_cache": False}

    applied, run = run_role(playbook, {"mysafe_api_secrets": [{"name": "probe", "notes": "x"}],
                                       "mysafe_api_secrets_connection": own})

    assert run.rc != 0 and applied is None
    assert "Segura rejected segura_token" in run.output
    assert rogue.control.counters()["endpoints"]["list"] == 1
    assert rogue.control.counters()["token"] == 0
    assert sim.control.counters()["total"] == 0
