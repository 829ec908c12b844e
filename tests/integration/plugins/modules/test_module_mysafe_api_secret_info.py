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


FILTERS_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    segura.pam.mysafe_api_secret_info:
      details: true
  tasks:
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
    - name: A disabled secret by its code
      segura.pam.mysafe_api_secret_info: {identifier_code: code-c}
      register: disabled_by_code

    - name: Lists filter what alice may see
      ansible.builtin.assert:
        that:
          - cloud.api_secrets | map(attribute='name') | list == ['Alpha', 'Beta']
          - cloud.api_secrets | map(attribute='client_secret') | unique | list == ['********']
          - cloud_beta.api_secrets | map(attribute='identifier') | list == [ids.beta]
          - named_team.api_secrets | map(attribute='identifier') | list == [ids.team]
          - named_team.api_secrets[0].groups_allowed == devops_view
          - code_b_of_team.api_secrets | map(attribute='identifier') | list == [ids.team_beta]
          - nothing.api_secrets == []
          - "disabled_by_code.api_secret == {'identifier': ids.gamma, 'active': false}"
      vars:
        devops_view: [{name: devops, can_edit: false}]
"""


def test_filters_and_codes_select_what_alice_may_see(playbook, sim, ids):
    """Reads of one secret, lists, masking and summaries: tests/integration/behaviours/test_info_by_kind.py."""
    before = stored(sim, "api_secret")

    # -v prints every result, so masking is checked on real output.
    result = run_read_only(playbook, sim, FILTERS_PLAYBOOK, {"ids": ids}, verbosity=1)

    for value in SECRET_VALUES.values():
        assert value not in result.output
    assert stored(sim, "api_secret") == before
    assert sim.control.counters()["endpoints"]["read"] > 0
