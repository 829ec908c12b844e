"""The lookup segura.pam.mysafe_note, through real ansible-playbook runs against the simulator.

Notes are seeded through the simulator's control API (uncounted, independent of the plugins under
test), so the counters count only what the lookup sent: one token per run, one read per identifier
term, one list and one read per name term.
"""

import json
import random

import pytest

LOOKUP = "segura.pam.mysafe_note"


def seed_note(sim, owner="alice", active=True, **fields):
    return sim.control.seed("notes", owner=owner, active=active, **fields)


def run_ok(playbook, text, **kwargs):
    result = playbook.run(text, **kwargs)
    assert result.rc == 0, result
    assert "Traceback" not in result.output
    return result


def secret_vars(playbook, **values):
    """Values for ``vars_files: [secrets.yml]``: at -vvv ansible-playbook prints its command line."""
    (playbook.workdir / "secrets.yml").write_text(json.dumps(values))


# --------------------------------------------------------------------------- values and fields

def test_terms_by_identifier_and_by_exact_name_return_each_field_in_term_order(playbook, sim):
    ids = {
        "a": seed_note(sim, name="Runbook", note="content-a-Zq81", tags="ops, team-a",
                       users_allowed=[{"username": "bob", "can_edit": True}], groups_allowed=[{"name": "auditors"}]),
        "b": seed_note(sim, name="Runbook old", note="content-b-Zq81", tags="ops"),  # contains "Runbook"
        "c": seed_note(sim, name="runbook", note="content-c-Zq81"),                  # differs in case only
    }
    expected_a = {
        "identifier": ids["a"], "name": "Runbook", "note": "content-a-Zq81", "tags": ["ops", "team-a"],
        "users_allowed": [{"username": "bob", "can_edit": True}],
        "groups_allowed": [{"name": "auditors", "can_edit": False}], "active": True,
    }

    run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
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
    """ % {"L": LOOKUP}, extra_vars=dict(ids, expected_a=expected_a))

    counters = sim.control.counters()
    assert counters["token"] == 1
    notes = sim.control.counters("notes")["endpoints"]
    # Name terms: 3 + 1 + 1 in by_name, ident and whole_by_name, one list each.
    assert notes["list"] == 5
    assert notes["read"] == 3 + 2 + 2 + 5 + 1 + 1 + 1
    assert counters["writes"] == 0


def test_a_name_shared_by_two_visible_notes_is_an_error_naming_both(playbook, sim):
    mine = seed_note(sim, name="Twin", note="twin-mine-Jm2")
    theirs = seed_note(sim, owner="carol", name="Twin", note="twin-theirs-Jm2", groups_allowed=[{"name": "devops"}])

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
            - ansible.builtin.set_fact:
                value: "{{ lookup('%(L)s', 'Twin', by='name', on_missing='skip') }}"
              register: twin
              ignore_errors: true
            - ansible.builtin.assert:
                that:
                  - twin is failed
                  - expected in twin.msg
                  - "'Select one with identifier' in twin.msg"
    """ % {"L": LOOKUP}, extra_vars={"expected": "segura.pam.mysafe_note: term 'Twin' (name): 2 notes visible to this "
                                                 "API user have name 'Twin' (identifiers %d, %d)." % (mine, theirs)})

    assert "twin-mine" not in result.output and "twin-theirs" not in result.output


# --------------------------------------------------------------------------- on_missing, on_denied, on_inactive

TOLERANCE_OPTIONS = ("on_missing", "on_denied", "on_inactive")


def problem_term(sim, option):
    """(term, by, the code or phrase the error names) of a note that triggers ``option``."""
    if option == "on_missing":
        seed_note(sim, name="Runbook old", note="near-miss-Rr6")  # the server's filter answers it for "Runbook"
        return "Runbook", "name", "No note visible to this API user has name"
    if option == "on_denied":
        return seed_note(sim, owner="dave", name="Dave's", note="dave-note-Ux2"), "identifier", "1006"
    return seed_note(sim, name="Disabled", note="disabled-note-Rr6", active=False), "identifier", "1009"


@pytest.mark.parametrize("option", TOLERANCE_OPTIONS)
def test_on_option_errors_warns_or_skips(playbook, sim, option):
    readable = seed_note(sim, name="Readable", note="readable-note-Tx5")
    problem, by, named = problem_term(sim, option)
    readable_term = readable if by == "identifier" else "Readable"
    others = ", ".join("%s='skip'" % other for other in TOLERANCE_OPTIONS if other != option)

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: By default the problem fails the lookup
              ansible.builtin.set_fact:
                value: "{{ query('%(L)s', ok, problem, by=by) }}"
              register: by_default
              ignore_errors: true
            - name: The other on_* options do not cover it
              ansible.builtin.set_fact:
                value: "{{ query('%(L)s', ok, problem, by=by, %(others)s) }}"
              register: other_options
              ignore_errors: true
            - ansible.builtin.set_fact:
                warned: "{{ query('%(L)s', problem, ok, by=by, %(option)s='warn') }}"
                skipped: "{{ query('%(L)s', ok, problem, by=by, %(option)s='skip') }}"
                only_problem: "{{ query('%(L)s', problem, by=by, %(option)s='skip') }}"
            - ansible.builtin.assert:
                that:
                  - by_default is failed
                  - term_text in by_default.msg
                  - named in by_default.msg
                  - other_options is failed
                  - warned == ['readable-note-Tx5']
                  - skipped == ['readable-note-Tx5']
                  - only_problem == []
    """ % {"L": LOOKUP, "others": others, "option": option},
        extra_vars={"ok": readable_term, "problem": problem, "by": by, "named": named,
                    "term_text": "term %r (%s)" % (problem, by)})

    # One warning, from the warn task only: skip is silent.
    assert (result.stdout + result.stderr).count("The term is left out of the result.") == 1
    assert sim.control.counters()["token"] == 1


# --------------------------------------------------------------------------- unsafe values

def test_contents_are_returned_verbatim_and_never_templated(playbook, sim):
    content = "{{ lookup('pipe', 'id') }} {% if true %}rendered{% endif %} {# comment #}"
    ident = seed_note(sim, name="{{ inventory_hostname }}", note=content)
    out = playbook.workdir / "note.txt"

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          vars:
            expected_content: !unsafe "{{ lookup('pipe', 'id') }} {%% if true %%}rendered{%% endif %%} {# comment #}"
            expected_name: !unsafe "{{ inventory_hostname }}"
          tasks:
            - ansible.builtin.set_fact:
                content: "{{ lookup('%(L)s', ident) }}"
                whole: "{{ lookup('%(L)s', ident, field='all') }}"
                by_name: "{{ lookup('%(L)s', expected_name, by='name') }}"
            - name: Pass the value on, as a playbook would, through a second variable and module arguments
              ansible.builtin.set_fact:
                passed_on: "{{ content }}"
            - ansible.builtin.copy:
                content: "{{ passed_on }}"
                dest: "%(out)s"
                mode: "0600"
            - ansible.builtin.assert:
                that:
                  - content == expected_content
                  - passed_on == expected_content
                  - whole.note == expected_content
                  - whole.name == expected_name
                  - by_name == expected_content
                quiet: true
    """ % {"L": LOOKUP, "out": out}, extra_vars={"ident": ident})

    assert out.read_text() == content
    assert "uid=" not in result.output
    assert "rendered" not in result.output


# --------------------------------------------------------------------------- many terms

def test_thirty_terms_take_one_token_and_come_back_in_term_order(playbook, sim):
    rng = random.Random(1515)
    contents = {}
    for number in range(30):
        content = "bulk-note-%02d-%08x" % (number, rng.getrandbits(32))
        contents[seed_note(sim, name="bulk-%02d" % number, note=content)] = content
    terms = list(contents)
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
    """ % LOOKUP, extra_vars={"terms": terms, "expected": [contents[t] for t in terms]})

    counters = sim.control.counters()
    assert counters["token"] == 1
    assert sim.control.counters("notes")["endpoints"]["read"] == 30
    assert counters["total"] == 31


# --------------------------------------------------------------------------- errors

def test_errors_name_the_term_reason_and_remedy_without_leaking_contents(playbook, sim):
    readable = [seed_note(sim, name="Readable %d" % n, note="leak-canary-%d-Vb9" % n) for n in range(3)]
    denied = seed_note(sim, owner="dave", name="Dave's", note="daves-canary-Ux2")
    disabled = seed_note(sim, name="Disabled", note="disabled-canary-Rr6", active=False)

    # -vvvv and the log file: the most a user would ever print.
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: A missing note among readable ones
              ansible.builtin.debug:
                msg: "{{ query('%(L)s', *(readable + [999])) | length }}"
              ignore_errors: true
            - name: A note of another owner
              ansible.builtin.debug:
                msg: "{{ query('%(L)s', *(readable + [denied])) | length }}"
              ignore_errors: true
            - name: A disabled note
              ansible.builtin.debug:
                msg: "{{ query('%(L)s', *(readable + [disabled])) | length }}"
    """ % {"L": LOOKUP}, extra_vars={"readable": readable, "denied": denied, "disabled": disabled}, verbosity=4)

    assert result.rc != 0, result
    output = result.output
    assert "Traceback" not in output
    for term, code, remedy in ((999, 1005, "list the notes you can see with segura.pam.mysafe_note_info"),
                               (denied, 1006, "the owner must share it"),
                               (disabled, 1009, "enable it with segura.pam.mysafe_note state=present")):
        assert "term %d (identifier): Segura refused the request: %d:" % (term, code) in output
        assert remedy in output
    for canary in ("leak-canary", "daves-canary", "disabled-canary", sim.users["alice"]["client_secret"]):
        assert canary not in output
    assert sim.control.counters()["token"] == 1


BAD_TERMS = [
    ("identifier", ["abc"], "Term 'abc' is not an identifier"),
    ("identifier", [0], "Term 0 is not an identifier"),
    ("identifier", ["1.5"], "Term '1.5' is not an identifier"),
    ("identifier", ["Runbook"], "or set by=name to look them up by name"),
    ("name", [""], "An empty term cannot select a note by name"),
    ("name", ["   "], "An empty term cannot select a note by name"),
]


def test_bad_terms_and_options_fail_before_any_request(playbook, sim):
    good = seed_note(sim, name="Good", note="good-note-Ld7")
    cases = [{"by": by, "terms": [good] + terms, "field": "note", "expect": expect} for by, terms, expect in BAD_TERMS]
    cases += [
        # Notes have no identifier code and no password field: the option's choices refuse them.
        {"by": "identifier_code", "terms": [good], "field": "note", "expect": "identifier_code"},
        {"by": "identifier", "terms": [good], "field": "password", "expect": "password"},
    ]

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
                  - "'segura.pam.mysafe_note' in item.msg"
                quiet: true
              loop: "{{ attempts.results }}"
              loop_control:
                label: "{{ item.item.terms }}"
    """ % LOOKUP, extra_vars={"cases": cases})

    assert sim.control.counters()["total"] == 0


# --------------------------------------------------------------------------- an encrypting access key

def test_an_encrypting_access_key_fails_long_notes_with_the_servers_message(playbook, sim):
    devops = [{"name": "devops"}]
    long_id = seed_note(sim, name="Long", note=("encrypted-long-canary-Nx66 " * 30)[:600], groups_allowed=devops)
    short_id = seed_note(sim, name="Short", note="encrypted-short-canary-Fe40", groups_allowed=devops)
    secret_vars(playbook, short="encrypted-short-canary-Fe40")

    result = run_ok(playbook, """
        - hosts: localhost
          gather_facts: false
          vars_files: [secrets.yml]
          tasks:
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
    """ % {"L": LOOKUP}, user="erin", verbosity=3, extra_vars={"long_id": long_id, "short_id": short_id})

    assert "encrypted-long-canary" not in result.output
    assert "encrypted-short-canary" not in result.output
