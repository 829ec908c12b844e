"""The lookup segura.pam.mysafe_note, through real ansible-playbook runs against the simulator.

Notes are seeded through the simulator's control API (uncounted, independent of the plugins under
test), so the counters count only what the lookup sent: one token per run, one read per identifier
term, one list and one read per name term.
"""

from item_support import secret_vars, seed
from module_steps import run_playbook
from playbook_runner import localhost_play

LOOKUP = "segura.pam.mysafe_note"


# --------------------------------------------------------------------------- values and fields

def test_terms_by_identifier_and_by_exact_name_return_each_field_in_term_order(playbook, sim):
    ids = {
        "a": seed(sim, "note", name="Runbook", note="content-a-Zq81", tags="ops, team-a",
                  users_allowed=[{"username": "bob", "can_edit": True}], groups_allowed=[{"name": "auditors"}]),
        "b": seed(sim, "note", name="Runbook old", note="content-b-Zq81", tags="ops"),  # contains "Runbook"
        "c": seed(sim, "note", name="runbook", note="content-c-Zq81"),  # differs in case only
    }
    expected_a = {
        "identifier": ids["a"], "name": "Runbook", "note": "content-a-Zq81", "tags": ["ops", "team-a"],
        "users_allowed": [{"username": "bob", "can_edit": True}],
        "groups_allowed": [{"name": "auditors", "can_edit": False}], "active": True,
    }

    # The facts are named after the fields (tags, name), names Ansible reserves and warns about.
    run_playbook(playbook, warnings=True, text=localhost_play("""
            - name: Read the notes the ways a playbook would
              ansible.builtin.set_fact:
                listed: "{{ query('%(L)s', c, a, b) }}"
                joined: "{{ lookup('%(L)s', c, a) }}"
                from_text: "{{ query('%(L)s', '' ~ b, ' ' ~ a ~ ' ') }}"
                by_name: "{{ query('%(L)s', 'runbook', 'Runbook', 'Runbook old', by='name') }}"
                name: "{{ lookup('%(L)s', a, field='name') }}"
                ident: "{{ lookup('%(L)s', 'Runbook old', by='name', field='identifier') }}"
                tags: "{{ lookup('%(L)s', a, field='tags') }}"
                whole: "{{ lookup('%(L)s', a, field='all') }}"
                whole_by_name: "{{ lookup('%(L)s', 'Runbook', by='name', field='all') }}"
            - ansible.builtin.assert:
                that:
                  - listed == ['content-c-Zq81', 'content-a-Zq81', 'content-b-Zq81']
                  - joined == 'content-c-Zq81,content-a-Zq81'
                  - from_text == ['content-b-Zq81', 'content-a-Zq81']
                  - by_name == ['content-c-Zq81', 'content-a-Zq81', 'content-b-Zq81']
                  - name == 'Runbook'
                  - ident == b and ident is integer
                  - tags == ['ops', 'team-a']
                  - whole == expected_a and whole_by_name == expected_a
    """) % {"L": LOOKUP}, extra_vars=dict(ids, expected_a=expected_a))

    counters = sim.control.counters()
    assert counters["token"] == 1
    notes = sim.control.counters("notes")["endpoints"]
    # Name terms: 3 + 1 + 1 in by_name, ident and whole_by_name, one list each.
    assert notes["list"] == 5
    assert notes["read"] == 3 + 2 + 2 + 5 + 1 + 1 + 1
    assert counters["writes"] == 0


# --------------------------------------------------------------------------- an encrypting access key

def test_an_encrypting_access_key_fails_long_notes_with_the_servers_message(playbook, sim):
    devops = [{"name": "devops"}]
    long_id = seed(sim, "note", name="Long", note=("encrypted-long-canary-Nx66 " * 30)[:600], groups_allowed=devops)
    short_id = seed(sim, "note", name="Short", note="encrypted-short-canary-Fe40", groups_allowed=devops)
    secret_vars(playbook, short="encrypted-short-canary-Fe40")

    result = run_playbook(playbook, localhost_play("""
            - ansible.builtin.set_fact:
                value: "{{ lookup('%(L)s', long_id, on_missing='skip', on_denied='skip', on_inactive='skip') }}"
              register: long_read
              ignore_errors: true
            - ansible.builtin.set_fact:
                encrypted: "{{ lookup('%(L)s', short_id) }}"
              no_log: true
            - ansible.builtin.assert:
                that:
                  - long_read is failed
                  - "('term ' ~ long_id ~ ' (identifier): Segura refused the request: 500: Ocorreu um erro ao
                      criptografar o texto.') in long_read.msg"
                  - encrypted | length > 0 and encrypted != short
              no_log: true
    """, vars_files=["secrets.yml"]) % {"L": LOOKUP}, user="erin", verbosity=3, extra_vars={"long_id": long_id, "short_id": short_id})

    assert "encrypted-long-canary" not in result.output
    assert "encrypted-short-canary" not in result.output
