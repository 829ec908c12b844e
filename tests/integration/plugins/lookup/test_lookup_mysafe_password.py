"""The lookup segura.pam.mysafe_password, through real ansible-playbook runs against the simulator.

Fixture passwords are seeded through the simulator's control API (uncounted), so its counters
count only what the lookup sent: one token for a whole run (the token cache), one read per
identifier term, one list and one read per name term.
"""

import random

import pytest
from totp import totp

LOOKUP = "segura.pam.mysafe_password"
# RFC 6238's own SHA1 seed ("12345678901234567890") in base32, and its published code at T=59
# (94287082 in 8 digits).
RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_TIME, RFC_CODE = 59, "287082"


def seed(sim, owner="alice", active=True, **fields):
    values = dict(name="svc", username="svc", password="svc-password-Qx1")
    values.update(fields)
    return sim.control.seed("passwords", owner=owner, active=active, **values)


def run_ok(playbook, text, **kwargs):
    result = playbook.run(text, **kwargs)
    assert result.rc == 0, result
    assert "Traceback" not in result.output
    return result


# --------------------------------------------------------------------------- values and fields

def test_every_field_of_each_term_in_term_order_with_one_token(playbook, sim):
    ids = {}
    for letter in "abc":
        ids[letter] = seed(sim, name="app-" + letter, username="user-" + letter, password="password-%s-Zq81" % letter,
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

    run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
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
    """ % {"L": LOOKUP}, extra_vars={"a": a, "b": b, "c": c, "expected_a": expected_a, "rfc_code": RFC_CODE,
                                     "rfc_seed": RFC_SEED})

    counters = sim.control.counters()
    assert counters["token"] == 1  # shared by every lookup of the run through the token cache
    assert counters["endpoints"]["list"] == 4  # one per name term
    assert counters["endpoints"]["read"] == 3 + 2 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
    assert counters["writes"] == 0


def test_names_match_exactly_and_a_shared_name_is_an_error_naming_both(playbook, sim):
    seed(sim, name="Payments database", password="exact-Hh3")
    # what a server matching part of a name, in any case, returns too
    seed(sim, name="payments database", password="near-1-Kp0")
    seed(sim, name="Payments database replica", password="near-2-Kp0")
    twins = [seed(sim, name="Twin", username="a", password="twin-a-Wq4"),
             seed(sim, owner="bob", name="Twin", username="b", password="twin-b-Wq4",
                  users_allowed=[{"username": "alice"}])]

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
            - ansible.builtin.set_fact:
                exact: "{{ query('%(L)s', 'Payments database', by='name') }}"
                part: "{{ query('%(L)s', 'Payments', 'payments DATABASE', by='name', on_missing='skip') }}"
            - ansible.builtin.set_fact:
                twin: "{{ lookup('%(L)s', 'Twin', by='name', on_missing='skip') }}"
              register: ambiguous
              ignore_errors: true
            - ansible.builtin.assert:
                that:
                  - exact == ['exact-Hh3']
                  - part == []
                  - ambiguous is failed
                  - expected | reject('in', ambiguous.msg) | list == []
                quiet: true
    """ % {"L": LOOKUP}, extra_vars={"expected": [
        "term 'Twin' (name)", "2 passwords visible to this API user have name 'Twin' (identifiers %d, %d)" % tuple(twins)]})

    for value in ("twin-a-Wq4", "twin-b-Wq4", "near-1-Kp0", "near-2-Kp0"):
        assert value not in result.output
    # The ambiguous term read nothing: only the exact match was read.
    assert sim.control.counters()["endpoints"]["read"] == 1


# --------------------------------------------------------------------------- on_missing / on_denied / on_inactive

def test_on_options_error_warn_or_skip_each_problem(playbook, sim):
    readable = seed(sim, password="readable-Tx5")
    problems = {"on_missing": 999, "on_denied": seed(sim, owner="dave", password="daves-Wq4"),
                "on_inactive": seed(sim, password="disabled-Jm2", active=False)}
    codes = {"on_missing": 1005, "on_denied": 1006, "on_inactive": 1009}
    cases = [{"option": option, "problem": problem, "code": codes[option],
              "others": {other: "skip" for other in problems if other != option}}
             for option, problem in problems.items()]

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: By default the problem fails the lookup
              ansible.builtin.set_fact:
                value: "{{ query('%(L)s', ok, item.problem) }}"
              loop: "{{ cases }}"
              register: by_default
              ignore_errors: true
            - name: The other on_* options do not cover it
              ansible.builtin.set_fact:
                value: "{{ query('%(L)s', ok, item.problem, **item.others) }}"
              loop: "{{ cases }}"
              register: other_options
              ignore_errors: true
            - name: warn and skip leave the term out
              ansible.builtin.set_fact:
                warned: "{{ warned | default([]) + [query('%(L)s', item.problem, ok, **{item.option: 'warn'})] }}"
                skipped: "{{ skipped | default([]) + [query('%(L)s', ok, item.problem, **{item.option: 'skip'})] }}"
              loop: "{{ cases }}"
            - ansible.builtin.assert:
                that:
                  - by_default.results | select('failed') | list | length == 3
                  - other_options.results | select('failed') | list | length == 3
                  - warned == [['readable-Tx5']] * 3
                  - skipped == [['readable-Tx5']] * 3
                quiet: true
            - ansible.builtin.assert:
                that:
                  - "('term %%s (identifier)' %% item.item.problem) in item.msg"
                  - (item.item.code | string) in item.msg
                quiet: true
              loop: "{{ by_default.results }}"
              loop_control:
                label: "{{ item.item.option }}"
    """ % {"L": LOOKUP}, extra_vars={"ok": readable, "cases": cases})

    # One warning per warn lookup: skip is silent.
    assert (result.stdout + result.stderr).count("The term is left out of the result.") == 3
    for value in ("daves-Wq4", "disabled-Jm2"):
        assert value not in result.output
    assert sim.control.counters()["token"] == 1


# --------------------------------------------------------------------------- unsafe values

def test_values_are_returned_verbatim_and_never_templated(playbook, sim):
    ident = seed(sim, password="{{ lookup('pipe', 'id') }}", name="{{ inventory_hostname }}",
                 notes="{{ 7 * 6 }} {% if true %}rendered{% endif %}", username="{{ ansible_user_id }}")
    out = playbook.workdir / "password.txt"

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          vars:
            expected_password: !unsafe "{{ lookup('pipe', 'id') }}"
            expected_notes: !unsafe "{{ 7 * 6 }} {%% if true %%}rendered{%% endif %%}"
            expected_name: !unsafe "{{ inventory_hostname }}"
            expected_username: !unsafe "{{ ansible_user_id }}"
          tasks:
            - ansible.builtin.set_fact:
                password: "{{ lookup('%(L)s', ident) }}"
                whole: "{{ lookup('%(L)s', ident, field='all') }}"
                username: "{{ lookup('%(L)s', expected_name, by='name', field='username') }}"
            - name: Pass the value on, as a playbook would, through a second variable and module arguments
              ansible.builtin.set_fact:
                passed_on: "{{ password }}"
            - ansible.builtin.copy:
                content: "{{ passed_on }}"
                dest: "%(out)s"
                mode: "0600"
            - ansible.builtin.assert:
                that:
                  - password == expected_password and passed_on == expected_password
                  - whole.notes == expected_notes and whole.name == expected_name
                  - username == expected_username
                quiet: true
    """ % {"L": LOOKUP, "out": out}, extra_vars={"ident": ident})

    assert out.read_bytes() == b"{{ lookup('pipe', 'id') }}"
    assert "uid=" not in result.output and "rendered" not in result.output


# --------------------------------------------------------------------------- many terms

def test_many_terms_are_read_in_parallel_with_one_token_in_term_order(playbook, sim):
    rng = random.Random(1506)
    values = {}
    for number in range(24):
        value = "bulk-%02d-%08x" % (number, rng.getrandbits(32))
        values[seed(sim, name="bulk-%02d" % number, password=value)] = value
    terms = list(values)
    rng.shuffle(terms)

    run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
            - ansible.builtin.set_fact:
                fetched: "{{ query('%s', *terms, max_parallel=6) }}"
            - ansible.builtin.assert:
                that:
                  - fetched == expected
                quiet: true
    """ % LOOKUP, extra_vars={"terms": terms, "expected": [values[t] for t in terms]})

    counters = sim.control.counters()
    assert (counters["token"], counters["endpoints"]["read"], counters["total"]) == (1, 24, 25)


# --------------------------------------------------------------------------- bad input

BAD_CASES = [
    ({"terms": ["abc"]}, "Term 'abc' is not an identifier"),
    ({"terms": [0]}, "Term 0 is not an identifier"),
    ({"terms": ["1.5"]}, "Term '1.5' is not an identifier"),
    ({"terms": [""], "by": "name"}, "An empty term cannot select a password by name"),
    ({"terms": ["   "], "by": "name"}, "An empty term cannot select a password by name"),
    # an API secret's options: passwords have no identifier_code and no client_secret
    ({"terms": ["x"], "by": "identifier_code"}, "Invalid value 'identifier_code' for config 'by'"),
    ({"terms": [1], "field": "client_secret"}, "Invalid value 'client_secret' for config 'field'"),
]


@pytest.fixture
def bad_cases():
    return [dict(options, expect=expect, by=options.get("by", "identifier"), field=options.get("field", "password"))
            for options, expect in BAD_CASES]


def test_bad_terms_and_options_fail_before_any_request(playbook, sim, bad_cases):
    run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
            - ansible.builtin.set_fact:
                value: "{{ query('%s', *item.terms, by=item.by, field=item.field) }}"
              loop: "{{ cases }}"
              register: attempts
              ignore_errors: true
            - ansible.builtin.assert:
                that:
                  - item is failed
                  - item.item.expect in item.msg
                quiet: true
              loop: "{{ attempts.results }}"
              loop_control:
                label: "{{ item.item.terms }}"
            - ansible.builtin.assert:
                that:
                  - "'segura.pam.mysafe_password' in attempts.results[0].msg"
    """ % LOOKUP, extra_vars={"cases": bad_cases})

    assert sim.control.counters()["total"] == 0
