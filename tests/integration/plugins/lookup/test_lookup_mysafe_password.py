"""The lookup segura.pam.mysafe_password, through real ansible-playbook runs against the simulator.

What only passwords have: the TOTP token. What every item lookup does is tested once per kind in
``tests/integration/behaviours/test_lookup_by_kind.py``.
"""

from item_support import seed
from module_steps import run_playbook
from totp import RFC_SEED, totp
from playbook_runner import localhost_play

LOOKUP = "segura.pam.mysafe_password"
# RFC 6238's published code of its SHA1 seed at T=59 (94287082 in 8 digits).
RFC_TIME, RFC_CODE = 59, "287082"


# --------------------------------------------------------------------------- the TOTP token

def test_the_token_is_the_totp_code_of_the_seed_at_the_time_of_the_lookup(playbook, sim):
    seeded = seed(sim, "password", name="app-a", secret_key=RFC_SEED)
    unseeded = seed(sim, "password", name="app-b")
    sim.control.clock(RFC_TIME)
    assert totp(RFC_SEED, RFC_TIME) == RFC_CODE  # the independent computation agrees with the RFC

    run_playbook(playbook, localhost_play("""
        - ansible.builtin.set_fact:
            code: "{{ lookup('%(L)s', 'app-a', by='name', field='token') }}"
            no_code: "{{ lookup('%(L)s', unseeded, field='token') }}"
            totp_seed: "{{ lookup('%(L)s', seeded, field='secret_key') }}"
            whole: "{{ lookup('%(L)s', seeded, field='all') }}"
        - ansible.builtin.assert:
            that:
              - code == rfc_code and no_code == ''
              - totp_seed == rfc_seed
              - whole.token == rfc_code and whole.secret_key == rfc_seed
            quiet: true
    """) % {"L": LOOKUP}, extra_vars={"seeded": seeded, "unseeded": unseeded, "rfc_code": RFC_CODE,
                                      "rfc_seed": RFC_SEED})
