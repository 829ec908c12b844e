"""segura.pam.mysafe_api_secret_info driven by real ansible-playbook runs against the HTTPS simulator.

The same visible world for every test: alice owns three secrets (one disabled), carol owns one she
keeps to herself and two she shares with the devops group, alice's group. The module only reads,
so every run must leave the simulator's write counter at zero.
"""

import pytest

from item_support import run_read_only, seed, stored

SECRET_VALUES = {
    "alpha": "alpha-client-secret-Fe40",
    "beta": "beta-client-secret-Rr17",
    "gamma": "gamma-client-secret-Nx66",
    "private": "private-client-secret-Ow03",
    "team": "team-client-secret-Jk28",
    "team_beta": "team-beta-client-secret-Mc95",
}
DEVOPS_VIEW = [{"name": "devops"}]


@pytest.fixture
def ids(sim):
    """Seed the visible world; returns the identifiers by short name."""
    def seed_visible(key, owner, **fields):
        return seed(sim, "api_secret", owner=owner, client_secret=SECRET_VALUES[key], **fields)

    return {
        "alpha": seed_visible("alpha", "alice", name="Alpha", identifier_code="code-a", tags="cloud,payments"),
        "beta": seed_visible("beta", "alice", name="Beta", identifier_code="code-b", tags="cloud"),
        "gamma": seed_visible("gamma", "alice", name="Gamma", identifier_code="code-c", tags="db", active=False),
        "private": seed_visible("private", "carol", name="Carol private", identifier_code="code-d", tags="cloud"),
        "team": seed_visible("team", "carol", name="Team", identifier_code="team", tags="team", groups_allowed=DEVOPS_VIEW),
        # Same code as alice's Beta: codes are unique per owner only.
        "team_beta": seed_visible("team_beta", "carol", name="Team beta", identifier_code="code-b", tags="team",
                                  groups_allowed=DEVOPS_VIEW),
    }


READ_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    segura.pam.mysafe_api_secret_info:
      details: true
  tasks:
    - name: By identifier
      segura.pam.mysafe_api_secret_info: {identifier: "{{ ids.alpha }}"}
      register: by_identifier
    - name: By identifier, revealed
      segura.pam.mysafe_api_secret_info: {identifier: "{{ ids.alpha }}", reveal_secret: true}
      register: by_identifier_revealed
      no_log: true
    - name: By identifier_code
      segura.pam.mysafe_api_secret_info: {identifier_code: code-a}
      register: by_code
    - name: A disabled secret, by identifier and by identifier_code
      segura.pam.mysafe_api_secret_info: {identifier: "{{ ids.gamma }}"}
      register: disabled_by_identifier
    - segura.pam.mysafe_api_secret_info: {identifier_code: code-c}
      register: disabled_by_code
    - name: Everything visible
      segura.pam.mysafe_api_secret_info: {}
      register: everything
    - name: Everything visible, revealed
      segura.pam.mysafe_api_secret_info: {reveal_secret: true}
      register: everything_revealed
      no_log: true
    - name: Filters
      segura.pam.mysafe_api_secret_info: {tag: cloud}
      register: cloud
    - segura.pam.mysafe_api_secret_info: {tag: cloud, name: Beta}
      register: cloud_beta
    - segura.pam.mysafe_api_secret_info: {name: Team}
      register: named_team
    - segura.pam.mysafe_api_secret_info: {identifier_code: code-b, tag: team}
      register: code_b_of_team
    - segura.pam.mysafe_api_secret_info: {tag: nothing}
      register: nothing
    - name: Summary only
      segura.pam.mysafe_api_secret_info: {details: false}
      register: summary
    - name: In check mode, a read and a list
      segura.pam.mysafe_api_secret_info: {identifier: "{{ ids.alpha }}"}
      check_mode: true
      register: in_check_mode
    - segura.pam.mysafe_api_secret_info: {tag: cloud}
      check_mode: true
      register: cloud_in_check_mode

    - name: Single secrets are normalised and masked unless revealed
      ansible.builtin.assert:
        that:
          - by_identifier is not changed
          - by_identifier.api_secret.identifier == ids.alpha
          - by_identifier.api_secret.name == 'Alpha'
          - by_identifier.api_secret.identifier_code == 'code-a'
          - by_identifier.api_secret.tags == ['cloud', 'payments']
          - by_identifier.api_secret.active
          - by_identifier.api_secret.client_secret == '********'
          - by_identifier_revealed.api_secret.client_secret == values.alpha
          - by_code.api_secret == by_identifier.api_secret
          - in_check_mode is not changed and in_check_mode.api_secret == by_identifier.api_secret

    - name: A disabled secret is reported inactive, not as a failure
      ansible.builtin.assert:
        that:
          - disabled_by_identifier.api_secret == disabled_stub
          - disabled_by_code.api_secret == disabled_stub
      vars:
        disabled_stub: {identifier: "{{ ids.gamma }}", active: false}

    - name: Lists hold what alice may see, and filter it
      ansible.builtin.assert:
        that:
          - everything.api_secrets | map(attribute='identifier') | list == visible
          - everything.api_secrets | selectattr('active') | map(attribute='client_secret') | unique | list == ['********']
          - everything.api_secrets | rejectattr('active') | list == [disabled_entry]
          - everything_revealed.api_secrets | selectattr('active') | map(attribute='client_secret') | list == visible_values
          - cloud.api_secrets | map(attribute='name') | list == ['Alpha', 'Beta']
          - cloud_beta.api_secrets | map(attribute='identifier') | list == [ids.beta]
          - named_team.api_secrets | map(attribute='identifier') | list == [ids.team]
          - named_team.api_secrets[0].groups_allowed == devops_view
          - code_b_of_team.api_secrets | map(attribute='identifier') | list == [ids.team_beta]
          - nothing.api_secrets == []
          - cloud_in_check_mode is not changed and cloud_in_check_mode.api_secrets == cloud.api_secrets
          - summary.api_secrets | map(attribute='identifier') | list == visible
          - summary.api_secrets[0].keys() | sort == ['can_view', 'can_write', 'identifier', 'name', 'need_approval', 'need_justify']
          - summary.api_secrets | selectattr('can_write') | map(attribute='identifier') | list == [ids.alpha, ids.beta, ids.gamma]
      vars:
        visible: "{{ [ids.alpha, ids.beta, ids.gamma, ids.team, ids.team_beta] }}"
        visible_values: "{{ [values.alpha, values.beta, values.team, values.team_beta] }}"
        disabled_entry: {identifier: "{{ ids.gamma }}", name: Gamma, active: false}
        devops_view: [{name: devops, can_edit: false}]
"""


def test_read_by_identifier_by_code_and_as_lists(playbook, sim, ids):
    before = stored(sim, "api_secret")

    # -v prints every result that is not no_log, so masking is checked on real output.
    result = run_read_only(playbook, sim, READ_PLAYBOOK, {"ids": ids, "values": SECRET_VALUES}, verbosity=1)

    for value in SECRET_VALUES.values():
        assert value not in result.output
    assert stored(sim, "api_secret") == before
    assert sim.control.counters()["endpoints"]["read"] > 0
