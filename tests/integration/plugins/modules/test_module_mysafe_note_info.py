"""segura.pam.mysafe_note_info driven by real ansible-playbook runs against the HTTPS simulator.

The same visible world for every test. Alice owns a note named "Runbook" and its near misses: names
and tags that the simulator's list filters also answer (they match parts of names and ignore case,
as the vendor does not document them as exact), so every exact result below proves the module's own
filtering. Carol keeps one note to herself and shares two with devops, alice's group. The module
only reads, so every run must leave the note write counter at zero.
"""

import pytest

from item_support import run_read_only, secret_vars, seed, stored
from playbook_runner import localhost_play

CONTENTS = {
    "runbook": "info-runbook-canary-Fe40",
    "old": "info-old-canary-Rr17",
    "lower": "info-lower-canary-Nx66",
    "plural": "info-plural-canary-Ow03",
    "deploy": "info-deploy-canary-Jk28",
    "private": "info-private-canary-Mc95",
    "team": "info-team-canary-Ld07",
    "twin_alice": "info-twin-alice-canary-Vb73",
    "twin_carol": "info-twin-carol-canary-Hq51",
}
DEVOPS_VIEW = [{"name": "devops"}]


@pytest.fixture
def ids(sim):
    """Seed the visible world; returns the identifiers by short name."""
    def seed_visible(key, owner, name, tags, **fields):
        return seed(sim, "note", owner=owner, name=name, note=CONTENTS[key], tags=tags, **fields)

    return {
        "runbook": seed_visible("runbook", "alice", "Runbook", "runbook,payments"),
        "old": seed_visible("old", "alice", "Runbook old", "runbook"),          # the name contains "Runbook"
        "lower": seed_visible("lower", "alice", "runbook", "Runbook"),          # name and tag differ in case only
        "plural": seed_visible("plural", "alice", "Runbooks", "runbooks"),      # neither the name nor the tag
        "deploy": seed_visible("deploy", "alice", "Deploy", "runbook", active=False),
        "private": seed_visible("private", "carol", "Carol private", "runbook"),
        "team": seed_visible("team", "carol", "Team", "team", groups_allowed=DEVOPS_VIEW),
        "twin_alice": seed_visible("twin_alice", "alice", "Twin", "twin"),
        "twin_carol": seed_visible("twin_carol", "carol", "Twin", "twin", groups_allowed=DEVOPS_VIEW),
    }


READ_PLAYBOOK = localhost_play("""
    - name: By identifier
      segura.pam.mysafe_note_info: {identifier: "{{ ids.runbook }}"}
      register: by_identifier
    - name: By identifier, revealed
      segura.pam.mysafe_note_info: {identifier: "{{ ids.runbook }}", reveal_secret: true}
      register: by_identifier_revealed
      no_log: true
    - name: By name alone, exactly (the server's filter also answers "Runbook old", "runbook", "Runbooks")
      segura.pam.mysafe_note_info: {name: Runbook}
      register: by_name
    - name: By name, revealed
      segura.pam.mysafe_note_info: {name: runbook, reveal_secret: true}
      register: by_name_revealed
      no_log: true
    - name: Filters (exact, case included)
      segura.pam.mysafe_note_info: {tag: runbook}
      register: tagged
    - segura.pam.mysafe_note_info: {tag: runbook, name: Runbook}
      register: tagged_and_named
    - segura.pam.mysafe_note_info: {tag: Runbook}
      register: tagged_upper
    - segura.pam.mysafe_note_info: {tag: twin, name: Twin}
      register: twins
    - segura.pam.mysafe_note_info: {tag: nothing}
      register: nothing

    - name: Names select exactly, case included
      ansible.builtin.assert:
        that:
          - by_identifier.note.identifier == ids.runbook
          - by_identifier.note.name == 'Runbook'
          - by_identifier.note.tags == ['runbook', 'payments']
          - by_identifier_revealed.note.note == contents.runbook
          - by_name.note == by_identifier.note
          - by_name_revealed.note.identifier == ids.lower and by_name_revealed.note.note == contents.lower

    - name: Filters are exact, case included
      ansible.builtin.assert:
        that:
          - tagged.notes | map(attribute='identifier') | list == [ids.runbook, ids.old, ids.deploy]
          - tagged_and_named.notes | map(attribute='identifier') | list == [ids.runbook]
          - tagged_upper.notes | map(attribute='identifier') | list == [ids.lower]
          - twins.notes | map(attribute='identifier') | list == [ids.twin_alice, ids.twin_carol]
          - "twins.notes[1].groups_allowed == [{'name': 'devops', 'can_edit': false}]"
          - nothing.notes == []
""", vars_files=["secrets.yml"])


def test_names_and_filters_select_exactly(playbook, sim, ids):
    """Reads of one item, lists, masking and summaries of every kind: tests/integration/behaviours/test_info_by_kind.py."""
    before = stored(sim, "note")

    # -v prints every result that is not no_log, so masking is checked on real output.
    secret_vars(playbook, contents=CONTENTS)
    result = run_read_only(playbook, sim, READ_PLAYBOOK, {"ids": ids}, verbosity=1)

    for content in CONTENTS.values():
        assert content not in result.output
    assert stored(sim, "note") == before
    assert sim.control.counters("notes")["endpoints"]["read"] > 0
