"""The lookup segura.pam.mysafe_note, through real ansible-playbook runs against the simulator.

What only notes have: an access key that encrypts long contents. What every item lookup does is
tested once per kind in ``tests/integration/behaviours/test_lookup_by_kind.py``.
"""

from item_support import secret_vars, seed
from module_steps import run_playbook
from playbook_runner import localhost_play

LOOKUP = "segura.pam.mysafe_note"


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
