"""The lookup segura.pam.mysafe_password, through real ansible-playbook runs against the simulator.

Fixture passwords are seeded through the simulator's control API (uncounted), so its counters
count only what the lookup sent: one token for a whole run (the token cache), one read per
identifier term, one list and one read per name term.
"""

from item_support import seed
from module_steps import run_playbook
from totp import RFC_SEED, totp
from playbook_runner import localhost_play

LOOKUP = "segura.pam.mysafe_password"
# RFC 6238's published code of its SHA1 seed at T=59 (94287082 in 8 digits).
RFC_TIME, RFC_CODE = 59, "287082"


# --------------------------------------------------------------------------- values and fields

def test_every_field_of_each_term_in_term_order_with_one_token(playbook, sim):
    ids = {}
    for letter in "abc":
        ids[letter] = seed(sim, "password", name="app-" + letter, username="user-" + letter,
                           password="password-%s-Zq81" % letter,
                           url="https://%s.example.com" % letter, tags="prod, team-%s" % letter,
                           notes="notes " + letter, secret_key=RFC_SEED if letter == "a" else "",
                           users_allowed=[{"username": "bob", "can_edit": True}], groups_allowed=[{"name": "auditors"}])
    a, b, c = (ids[letter] for letter in "abc")
    expected_a = {
        "identifier": a, "name": "app-a", "username": "user-a", "password": "password-a-Zq81",
        "url": "https://a.example.com", "secret_key": RFC_SEED, "token": RFC_CODE, "notes": "notes a",
        "tags": ["prod", "team-a"], "users_allowed": [{"username": "bob", "can_edit": True}],
        "groups_allowed": [{"name": "auditors", "can_edit": False}], "active": True,
    }
    sim.control.clock(RFC_TIME)
    assert totp(RFC_SEED, RFC_TIME) == RFC_CODE  # the independent computation agrees with the RFC

    # The facts are named after the fields (tags, name), names Ansible reserves and warns about.
    run_playbook(playbook, warnings=True, text=localhost_play("""
            - name: Read the passwords the ways a playbook would
              ansible.builtin.set_fact:
                listed: "{{ query('%(L)s', c, a, b) }}"
                joined: "{{ lookup('%(L)s', c, a) }}"
                from_text: "{{ query('%(L)s', '' ~ b, ' ' ~ a ~ ' ') }}"
                by_name: "{{ query('%(L)s', 'app-c', 'app-a', by='name') }}"
                username: "{{ lookup('%(L)s', a, field='username') }}"
                url: "{{ lookup('%(L)s', a, field='url') }}"
                code: "{{ lookup('%(L)s', 'app-a', by='name', field='token') }}"
                no_code: "{{ lookup('%(L)s', b, field='token') }}"
                seed: "{{ lookup('%(L)s', a, field='secret_key') }}"
                name: "{{ lookup('%(L)s', a, field='name') }}"
                notes: "{{ lookup('%(L)s', a, field='notes') }}"
                tags: "{{ lookup('%(L)s', a, field='tags') }}"
                ident: "{{ lookup('%(L)s', 'app-b', by='name', field='identifier') }}"
                whole: "{{ lookup('%(L)s', a, field='all') }}"
            - ansible.builtin.assert:
                that:
                  - listed == ['password-c-Zq81', 'password-a-Zq81', 'password-b-Zq81']
                  - joined == 'password-c-Zq81,password-a-Zq81'
                  - from_text == ['password-b-Zq81', 'password-a-Zq81']
                  - by_name == ['password-c-Zq81', 'password-a-Zq81']
                  - username == 'user-a' and url == 'https://a.example.com'
                  - code == rfc_code and no_code == ''
                  - seed == rfc_seed
                  - name == 'app-a' and notes == 'notes a'
                  - tags == ['prod', 'team-a']
                  - ident == b and ident is integer
                  - whole == expected_a
                quiet: true
    """) % {"L": LOOKUP}, extra_vars={"a": a, "b": b, "c": c, "expected_a": expected_a, "rfc_code": RFC_CODE,
                                      "rfc_seed": RFC_SEED})

    counters = sim.control.counters()
    assert counters["token"] == 1  # shared by every lookup of the run through the token cache
    assert counters["endpoints"]["list"] == 4  # one per name term
    assert counters["endpoints"]["read"] == 3 + 2 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
    assert counters["writes"] == 0
