"""The bad day: gateway errors, dropped and stalled connections, expired tokens, busy forks.

Faults come from the simulator's rules with fixed seeds. The module loops run one request at a
time, so they meet the same faults on every run (as long as the collection sends the same
requests); the lookup reads in parallel, so its share of faults varies. The rates are set so that
the client's own retry budget (3 retries for reads and tokens, 3 locate-compare-write rounds for
writes) absorbs them: with other seeds, about 1 run in 40 would legitimately exhaust it somewhere
(a user would run the play again), and the lookup phase alone about 1 in 500.
"""

import json
import sys

import pytest

from item_support import cached_tokens
from reliability_support import DirectApi
from playbook_runner import localhost_play

SECRETS = 50
STALL_SECONDS = 3  # beyond SEGURA_TIMEOUT below: the client gives up first
FAULT_ENV = {"SEGURA_TIMEOUT": "2"}


def code(number):
    return "fault-%02d" % number


def value(number):
    return "rotated-secret-%02d" % number


# Rules for the module loops. The first matching rule wins, so the ambiguous "applied, then
# answered with an error" writes come first. Pre-write faults on writes are rarer: three in a
# row (one per write round) would fail the task, which a user would then simply run again.
WRITE_PHASE_FAULTS = [
    dict(kind="502", endpoint="create", rate=0.4, after_write=True, seed=11),
    dict(kind="drop", endpoint="create", rate=0.04, seed=12),
    dict(kind="504", endpoint="update", rate=0.4, after_write=True, format="json", seed=13),
    dict(kind="stall", endpoint="update", rate=0.04, stall_seconds=STALL_SECONDS, seed=14),
    dict(kind="504", endpoint="list", rate=0.05, seed=15),
    dict(kind="drop", endpoint="list", rate=0.04, seed=16),
    dict(kind="502", endpoint="read", rate=0.05, seed=17),
    dict(kind="stall", endpoint="read", rate=0.03, stall_seconds=STALL_SECONDS, seed=18),
    dict(kind="502", endpoint="token", rate=0.2, seed=19),
]
# The lookup reads in parallel threads, so which request meets which fault is not reproducible:
# lower rates, that the read retries absorb but about once in 500 runs.
READ_PHASE_FAULTS = [
    dict(kind="502", endpoint="list", rate=0.04, seed=21),
    dict(kind="drop", endpoint="list", rate=0.02, seed=22),
    dict(kind="504", endpoint="read", rate=0.04, seed=23),
    dict(kind="stall", endpoint="read", rate=0.02, stall_seconds=STALL_SECONDS, seed=24),
    dict(kind="502", endpoint="token", rate=0.15, seed=25),
]

WRITE_PLAYBOOK = localhost_play("""
        - name: Create or rotate the payment API secrets
          segura.pam.mysafe_api_secret:
            identifier_code: "{{ item.code }}"
            name: "Payments {{ item.code }}"
            url: https://payments.example.com
            client_id: "{{ item.code }}-app"
            client_secret: "{{ item.value }}"
            tags: [payments]
          loop: "{{ secrets }}"
          loop_control:
            label: "{{ item.code }}"
          register: written

        - name: Every item created or rotated its secret, and says so even when the answer was lost
          ansible.builtin.assert:
            that:
              - written.results | rejectattr('changed') | list == []
              - written.results | map(attribute='api_secret.identifier_code') | list
                == secrets | map(attribute='code') | list
""")

READ_PLAYBOOK = localhost_play("""
        - name: Read every secret back by its code
          ansible.builtin.set_fact:
            read_back: "{{ query('segura.pam.mysafe_api_secret', *(secrets | map(attribute='code')),
                                 by='identifier_code') }}"
          no_log: true

        - name: All 50 values are the rotated ones, in order
          ansible.builtin.assert:
            that: read_back == secrets | map(attribute='value') | list
            quiet: true
""")


def queue(sim, rules):
    sim.control.clear_faults()
    for rule in rules:
        sim.control.fault(count=1, **rule)


def run_phase(playbook, sim, text, rules, secrets):
    """Run one playbook under ``rules``; returns (result, counters of this phase)."""
    sim.control.reset()  # counters of this phase only; secrets and tokens stay
    queue(sim, rules)
    result = playbook.run(text, env=FAULT_ENV, extra_vars={"secrets": secrets})
    sim.control.clear_faults()
    return result, sim.control.counters()


def test_fifty_secrets_written_and_read_back_through_faults(playbook, sim):
    # Half of the secrets exist already with an old value: the loops both create and update.
    owner = DirectApi(sim, "alice")
    for number in range(1, SECRETS + 1, 2):
        owner.create(identifier_code=code(number), name="Payments %s" % code(number),
                     url="https://payments.example.com", client_id="%s-app" % code(number),
                     client_secret="stale-%02d" % number, tags="payments")
    secrets = [{"code": code(n), "value": value(n)} for n in range(1, SECRETS + 1)]
    half = SECRETS // 2

    phases = []
    for name, text, rules, items in (
            ("write 1-25", WRITE_PLAYBOOK, WRITE_PHASE_FAULTS, secrets[:half]),
            ("write 26-50", WRITE_PLAYBOOK, WRITE_PHASE_FAULTS, secrets[half:]),
            ("lookup 1-50", READ_PLAYBOOK, READ_PHASE_FAULTS, secrets)):
        result, counters = run_phase(playbook, sim, text, rules, items)
        phases.append((name, result, counters))
        assert result.rc == 0, "%s failed:\n%r" % (name, result)
        sim.control.expire_tokens()  # the next phase starts with a revoked cached token

    stored = [s for s in sim.control.secrets() if s["identifier_code"].startswith("fault-")]
    codes = [s["identifier_code"] for s in stored]
    assert len(stored) == SECRETS and len(set(codes)) == SECRETS, "duplicates or losses: %s" % sorted(codes)
    assert {s["identifier_code"]: s["client_secret"] for s in stored} == {s["code"]: s["value"] for s in secrets}
    assert all(s["active"] and s["owner"] == "alice" for s in stored)

    total = sum(c["total"] for _unused, _unused, c in phases)
    faults = sum(c["faults_injected"] for _unused, _unused, c in phases)
    # A warning per write whose answer was lost; Ansible merges identical ones (every create's text is the
    # same), and the log file repeats the console, so this counts distinct warnings on the console.
    ambiguous = sum((r.stdout + r.stderr).count("It is unknown whether Segura applied") for _unused, r, _unused in phases)
    for name, _result, counters in phases:
        print("\n[faults] %-12s requests %4d, faults injected and survived %3d, token requests %d, writes %d"
              % (name, counters["total"], counters["faults_injected"], counters["token"], counters["writes"]))
    print("[faults] total: %d faults injected and survived in %d requests (%.0f%%), %d distinct warnings of "
          "writes whose answer was lost (resolved by reading back), 0 duplicates"
          % (faults, total, 100.0 * faults / total, ambiguous))
    assert faults >= 0.10 * total
    assert ambiguous > 0  # the "written, but the answer was lost" path was exercised
    # Each phase began with an expired token: it was renewed, and stayed shared across tasks.
    assert all(c["token"] >= 1 for _unused, _unused, c in phases)


def test_failures_that_are_not_transient_are_reported_once(playbook, sim):
    """Access denied, validation, not found and bad credentials: one request each, no retry."""
    admin, alice = DirectApi(sim, "admin"), DirectApi(sim, "alice")
    hidden = admin.create(name="Admin only", url="https://a.example.com", client_id="a")
    view_only = admin.create(name="Shared view only", url="https://v.example.com", client_id="v",
                             users_allowed=[{"username": "alice"}])
    mine = alice.create(name="Mine", url="https://m.example.com", client_id="m", identifier_code="mine")
    alice.create(name="Other", url="https://o.example.com", client_id="o", identifier_code="taken")
    sim.control.reset()

    result = playbook.run(localhost_play("""
            - name: Read a secret alice may not see (1006)
              ansible.builtin.set_fact:
                value: "{{ lookup('segura.pam.mysafe_api_secret', ids.hidden) }}"
              ignore_errors: true
              register: denied_read
            - name: Change a secret alice may only view (1006)
              segura.pam.mysafe_api_secret:
                identifier: "{{ ids.view_only }}"
                notes: changed
              ignore_errors: true
              register: denied_write
            - name: Take an identifier_code already used (1001)
              segura.pam.mysafe_api_secret:
                identifier: "{{ ids.mine }}"
                identifier_code: taken
              ignore_errors: true
              register: duplicate
            - name: Read a secret that does not exist (1005)
              segura.pam.mysafe_api_secret_info:
                identifier: 999
              ignore_errors: true
              register: missing
            - name: Wrong client secret
              segura.pam.mysafe_api_secret_info:
                identifier: "{{ ids.mine }}"
                segura_client_secret: not-the-right-one
                segura_token_cache: false
              ignore_errors: true
              register: bad_credentials
            - ansible.builtin.assert:
                that:
                  - denied_read is failed and '1006' in denied_read.msg
                  - denied_write.error_type == 'AccessDeniedError'
                  - duplicate.error_type == 'DuplicateIdentifierCodeError'
                  - missing.error_type == 'NotFoundError'
                  - bad_credentials.error_type == 'AuthenticationError'
    """), extra_vars={"ids": {"hidden": hidden, "view_only": view_only, "mine": mine}})
    assert result.rc == 0, result
    counters = sim.control.counters()
    # reads: one per task but the last; updates: the two refused ones; tokens: alice's shared
    # one plus the refused one. Any retry would show up here.
    assert counters["endpoints"]["read"] == 4, counters
    assert counters["endpoints"]["update"] == 2, counters
    assert counters["token"] == 2, counters
    assert counters["total"] == 8, counters


@pytest.mark.parametrize("kind, endpoint, fields, operation", [
    ("502", "create", {"name": "New", "url": "https://n.example.com", "client_id": "n"}, "created"),
    ("504", "update", {"notes": "rotated"}, "updated"),
], ids=["create-answered-502-after-applying", "update-answered-504-after-applying"])
def test_ambiguous_write_that_was_applied_reports_the_change(playbook, sim, kind, endpoint, fields, operation):
    """The write reached Segura but its answer was lost: the task must still say it changed something."""
    if endpoint == "update":
        DirectApi(sim, "alice").create(identifier_code="amb", name="New", url="https://n.example.com",
                                       client_id="n")
    sim.control.reset()
    sim.control.fault(kind, endpoint=endpoint, after_write=True)
    result = playbook.run(localhost_play("""
            - segura.pam.mysafe_api_secret: %s
              register: written
            - ansible.builtin.assert:
                that: [written is changed, "written.operation == operation"]
    """) % json.dumps(dict(fields, identifier_code="amb")), extra_vars={"operation": operation})
    counters = sim.control.counters()
    assert counters["endpoints"][endpoint] == 1, counters  # written once, never repeated
    assert len(sim.control.secrets()) == 1
    assert result.rc == 0, result


def test_ten_forks_share_one_token_per_credential(playbook, sim):
    """10 hosts read through the lookup at once; alice and bob each get one token, not ten."""
    alice = DirectApi(sim, "alice")
    identifiers = [alice.create(name="Fork %d" % n, url="https://f.example.com", client_id="f%d" % n,
                                client_secret="fork-secret-%d" % n, groups_allowed=[{"name": "devops"}])
                   for n in range(1, 6)]
    inventory = playbook.workdir / "forks.ini"
    bob = sim.users["bob"]
    hosts = ["node%02d ansible_connection=local ansible_python_interpreter=%s" % (n, sys.executable)
             for n in range(1, 11)]
    # Hosts 6-10 read with bob's access key (host variables), 1-5 with alice's (environment).
    hosts[5:] = ["%s segura_client_id=%s segura_client_secret=%s" % (h, bob["client_id"], bob["client_secret"])
                 for h in hosts[5:]]
    inventory.write_text("\n".join(hosts) + "\n")
    sim.control.reset()
    sim.control.latency(50)  # every fork is inside its token request at the same time

    result = playbook.run("""
        - hosts: all
          gather_facts: false
          tasks:
            - name: Each host reads the five secrets
              ansible.builtin.set_fact:
                fork_values: "{{ query('segura.pam.mysafe_api_secret', *ids) }}"
              no_log: true
            - ansible.builtin.assert:
                that: fork_values == expected
                quiet: true
    """, args=["-i", str(inventory), "-f", "10"],
        extra_vars={"ids": identifiers, "expected": ["fork-secret-%d" % n for n in range(1, 6)]})
    assert result.rc == 0, result
    assert result.stdout.count("ok=2") == 10
    counters = sim.control.counters()
    assert counters["token"] == 2, counters
    assert counters["endpoints"]["read"] == 50, counters
    assert len(cached_tokens(playbook.home)) == 2
