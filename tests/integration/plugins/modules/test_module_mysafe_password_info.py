"""segura.pam.mysafe_password_info driven by real ansible-playbook runs against the HTTPS simulator.

The same visible world for every test: alice owns a payments database password with a TOTP seed,
near misses of it (the name in another case, longer user names and URLs, a tag in another case),
a disabled entry and two entries named Twin; carol owns one she keeps to herself (with the same
name and user name as alice's) and one she shares with the devops group, alice's group.

The simulator's list filters match a part of the name, user name and URL, in any case, and tags in
any case, as a server may: every near miss below is one the server returns and the module must drop.
The module only reads, so every run must leave the write counter at zero.
"""

import json

import pytest

from item_support import run_read_only, seed, stored
from totp import RFC_SEED, totp
from playbook_runner import localhost_play

VALUES = {
    "payments": "payments-password-Fe40",
    "case": "case-password-Rr17",
    "replica": "replica-password-Nx66",
    "old": "old-password-Ow03",
    "twin_a": "twin-a-password-Jk28",
    "twin_b": "twin-b-password-Mc95",
    "private": "private-password-Yd52",
    "team": "team-password-Gu71",
}
CLOCK = 1111111109  # an RFC 6238 test time
DEVOPS_VIEW = [{"name": "devops"}]


@pytest.fixture
def ids(sim):
    """Seed the visible world; returns the identifiers by short name."""
    def seed_visible(key, owner="alice", **fields):
        return seed(sim, "password", owner=owner, password=VALUES[key], **fields)

    sim.control.clock(CLOCK)
    return {
        "payments": seed_visible("payments", secret_key=RFC_SEED),
        "case": seed_visible("case", name="payments database", username="svc_payments2", url="db01.example.com:54321",
                             tags="Database"),
        "replica": seed_visible("replica", name="Payments database replica", username="svc", url="db01.example.com",
                                tags="databases"),
        "old": seed_visible("old", name="Old", username="old", url="old.example.com", tags="database", active=False),
        "twin_a": seed_visible("twin_a", name="Twin", username="a", url="twin.example.com", tags="twin"),
        "twin_b": seed_visible("twin_b", name="Twin", username="b", url="twin.example.com", tags="twin"),
        "private": seed_visible("private", owner="carol"),
        "team": seed_visible("team", owner="carol", name="Team", tags="team,database", groups_allowed=DEVOPS_VIEW),
    }


READ_PLAYBOOK = localhost_play("""
    - name: By identifier
      segura.pam.mysafe_password_info: {identifier: "{{ ids.payments }}"}
      register: by_identifier
    - name: By identifier, revealed
      segura.pam.mysafe_password_info: {identifier: "{{ ids.payments }}", reveal_secret: true}
      register: revealed
      no_log: true
    - name: By name alone (exactly; carol's entry of that name is not visible)
      segura.pam.mysafe_password_info: {name: Payments database}
      register: by_name
    - name: Filters match exactly
      segura.pam.mysafe_password_info: {username: svc_payments}
      register: by_username
    - segura.pam.mysafe_password_info: {url: "db01.example.com:5432"}
      register: by_url
    - segura.pam.mysafe_password_info: {tag: database}
      register: by_tag
    - segura.pam.mysafe_password_info: {name: Payments database, tag: database}
      register: by_name_and_tag
    - segura.pam.mysafe_password_info: {name: Twin, username: b}
      register: twin_b
    - segura.pam.mysafe_password_info: {tag: nothing}
      register: nothing
    - name: Summary only
      segura.pam.mysafe_password_info: {details: false, username: svc_payments}
      register: summary

    - name: The TOTP seed and code are masked unless revealed
      ansible.builtin.assert:
        that:
          - by_identifier.password.username == 'svc_payments'
          - by_identifier.password.url == 'db01.example.com:5432'
          - by_identifier.password.secret_key == '********'
          - by_identifier.password.token == '********'
          - revealed.password.password == values.payments
          - revealed.password.secret_key == rfc_seed
          - revealed.password.token == code
          - by_name.password == by_identifier.password

    - name: Lists filter what alice may see exactly
      ansible.builtin.assert:
        that:
          - by_username.passwords | map(attribute='identifier') | list == [ids.payments, ids.team]
          - by_url.passwords | map(attribute='identifier') | list == [ids.payments, ids.team]
          - by_tag.passwords | map(attribute='identifier') | list == [ids.payments, ids.old, ids.team]
          - by_name_and_tag.passwords | map(attribute='identifier') | list == [ids.payments]
          - twin_b.passwords | map(attribute='identifier') | list == [ids.twin_b]
          - by_username.passwords[1].groups_allowed == devops_view
          - nothing.passwords == []
          - summary.passwords | map(attribute='identifier') | list == [ids.payments, ids.team]
          - summary.passwords[0].keys() | sort == summary_keys
          - summary.passwords | map(attribute='can_write') | list == [true, false]
          - summary.passwords[0].tags == ['database', 'payments']
      vars:
        devops_view: [{name: devops, can_edit: false}]
        summary_keys: [can_view, can_write, identifier, name, need_approval, need_justify, tags, url, username]
""", vars_files=["values.yml"])


def test_totp_fields_names_and_filters_of_passwords(playbook, sim, ids):
    """Reads of one item, lists, masking and summaries of every kind: tests/integration/behaviours/test_info_by_kind.py."""
    before = stored(sim, "password")
    code = totp(RFC_SEED, CLOCK)
    assert code == "081804"  # RFC 6238, appendix B: 07081804 at 1111111109, in 6 digits
    # The values as if from a vault: -v prints the -e ones.
    (playbook.workdir / "values.yml").write_text(json.dumps({"values": VALUES, "rfc_seed": RFC_SEED, "code": code}))

    # -v prints every result that is not no_log, so masking is checked on real output.
    result = run_read_only(playbook, sim, READ_PLAYBOOK, {"ids": ids}, verbosity=1)

    for value in list(VALUES.values()) + [RFC_SEED]:
        assert value not in result.output
    assert stored(sim, "password") == before
    # The server's filters were used (one list each), and its near misses dropped on our side.
    assert sim.control.counters("passwords")["endpoints"]["list"] == 8
