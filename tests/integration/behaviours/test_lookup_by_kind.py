"""The item lookups (``segura.pam.mysafe_<kind>``), one behaviour per test, run once per kind of
the table in ``kinds.py``: terms that cannot be read (on_missing, on_denied, on_inactive), many
terms with one token, and errors that name the term, the reason and the remedy but no value.

Items are seeded through the simulator's control API (uncounted), so its counters count only what
the lookup sent. What only one kind has (the password's TOTP token, the API secret's
identifier_code) stays in ``plugins/lookup/test_lookup_mysafe_<kind>.py``.
"""

import json
import random
from pathlib import Path

import pytest

from item_support import assert_not_shown, seed
from kinds import KIND_ROWS
from module_steps import run_playbook
from playbook_runner import localhost_play

EVERY_KIND = pytest.mark.parametrize("row", KIND_ROWS, ids=[row.name for row in KIND_ROWS])
TOLERANCE_OPTIONS = ("on_missing", "on_denied", "on_inactive")

TOLERANCE_PLAYBOOK = localhost_play("""
    - name: By default the problem fails the lookup
      ansible.builtin.set_fact:
        value: "{{ query(lookup_name, item.ok, item.problem, by=item.by) }}"
      loop: "{{ cases }}"
      register: by_default
      ignore_errors: true
    - name: The other on_* options do not cover it
      ansible.builtin.set_fact:
        value: "{{ query(lookup_name, item.ok, item.problem, by=item.by, **item.others) }}"
      loop: "{{ cases }}"
      register: other_options
      ignore_errors: true
    - name: warn and skip leave the term out
      ansible.builtin.set_fact:
        warned: "{{ warned | default([]) + [query(lookup_name, item.problem, item.ok, by=item.by, **{item.option: 'warn'})] }}"
        skipped: "{{ skipped | default([]) + [query(lookup_name, item.ok, item.problem, by=item.by, **{item.option: 'skip'})] }}"
        only_problem: "{{ only_problem | default([]) + [query(lookup_name, item.problem, by=item.by, **{item.option: 'skip'})] }}"
      loop: "{{ cases }}"
    - ansible.builtin.assert:
        that:
          - by_default.results | select('failed') | list | length == cases | length
          - other_options.results | select('failed') | list | length == cases | length
          - warned == [[readable]] * cases | length
          - skipped == [[readable]] * cases | length
          - only_problem == [[]] * cases | length
        quiet: true
      no_log: true
    - ansible.builtin.assert:
        that:
          - item.item.term_text in item.msg
          - item.item.named in item.msg
        quiet: true
      loop: "{{ by_default.results }}"
      loop_control:
        label: "{{ item.item.option }} {{ item.item.by }}"
""")


@EVERY_KIND
def test_terms_that_cannot_be_read_fail_unless_their_on_option_warns_or_skips(playbook, sim, row):
    readable = "readable-%s-Tx5" % row.name
    ok = seed(sim, row, name="Readable", **{row.secret_field: readable})
    # The server's name filter answers this near miss too: the lookup's exact match must drop it.
    seed(sim, row, name=row.sample["name"] + " old", **{row.secret_field: "near-miss-Rr6"})
    denied = seed(sim, row, owner="dave", name="Denied", **{row.secret_field: "daves-Wq4"})
    disabled = seed(sim, row, active=False, name="Disabled", **{row.secret_field: "disabled-Jm2"})
    problems = [
        ("on_missing", "identifier", ok, 999, "1005"),
        ("on_missing", "name", "Readable", row.sample["name"], "No %s visible to this API user has name" % row.label),
        ("on_denied", "identifier", ok, denied, "1006"),
        ("on_inactive", "identifier", ok, disabled, "1009"),
    ]
    cases = [{"option": option, "by": by, "ok": ok_term, "problem": problem, "named": named,
              "term_text": "term %r (%s)" % (problem, by),
              "others": {other: "skip" for other in TOLERANCE_OPTIONS if other != option}}
             for option, by, ok_term, problem, named in problems]

    result = run_playbook(playbook, TOLERANCE_PLAYBOOK, warnings=True,
                          extra_vars={"lookup_name": row.module, "cases": cases, "readable": readable})

    # One warning per warn lookup: skip is silent.
    assert (result.stdout + result.stderr).count("The term is left out of the result.") == len(cases)
    assert_not_shown(result.output, ("daves-Wq4", "disabled-Jm2", "near-miss-Rr6"))
    assert sim.control.counters()["token"] == 1


MANY = 50
MANY_TERMS_PLAYBOOK = localhost_play("""
    - ansible.builtin.set_fact:
        fetched: "{{ query(lookup_name, *terms) }}"
        fetched_six_at_a_time: "{{ query(lookup_name, *terms, max_parallel=6) }}"
      no_log: true
    - ansible.builtin.assert:
        that:
          - fetched | length == terms | length
          - fetched == expected
          - fetched_six_at_a_time == expected
        quiet: true
      no_log: true
""")


@EVERY_KIND
def test_many_terms_take_one_token_and_come_back_in_term_order(playbook, sim, row):
    rng = random.Random(5150)
    values = {}
    for number in range(MANY):
        value = "bulk-%s-%02d-%08x" % (row.name, number, rng.getrandbits(32))
        values[seed(sim, row, name="bulk-%02d" % number, **{row.secret_field: value})] = value
    terms = list(values)
    rng.shuffle(terms)

    run_playbook(playbook, MANY_TERMS_PLAYBOOK, extra_vars={
        "lookup_name": row.module, "terms": terms, "expected": [values[term] for term in terms]})

    counters = sim.control.counters()
    assert counters["token"] == 1
    assert sim.control.counters(row.sim_name)["endpoints"]["read"] == 2 * MANY
    assert counters["total"] == 2 * MANY + 1


ERRORS_PLAYBOOK = localhost_play("""
    - name: A missing item among readable ones
      ansible.builtin.debug:
        msg: "{{ query(lookup_name, *(readable + [999])) | length }}"
      ignore_errors: true
    - name: An item of another owner
      ansible.builtin.debug:
        msg: "{{ query(lookup_name, *(readable + [denied])) | length }}"
      ignore_errors: true
    - name: A disabled item
      ansible.builtin.debug:
        msg: "{{ query(lookup_name, *(readable + [disabled])) | length }}"
""")


@EVERY_KIND
def test_errors_name_the_term_reason_and_remedy_without_leaking_values(playbook, sim, row):
    readable = [seed(sim, row, name="Readable %d" % n, **{row.secret_field: "leak-canary-%d-Vb9" % n})
                for n in range(3)]
    denied = seed(sim, row, owner="dave", **{row.secret_field: "daves-canary-Ux2"})
    disabled = seed(sim, row, active=False, **{row.secret_field: "disabled-canary-Rr6"})

    # -vvvv and the log file: the most a user would ever print.
    result = playbook.run(ERRORS_PLAYBOOK, verbosity=4, extra_vars={
        "lookup_name": row.module, "readable": readable, "denied": denied, "disabled": disabled})

    assert result.rc != 0, result
    output = result.output
    assert "Traceback" not in output
    # The remedies are asserted by what they name (the kind's modules), not their wording.
    for term, code, remedy in ((999, 1005, row.info_module),
                               (denied, 1006, "the owner must share it"),
                               (disabled, 1009, "enable it with %s" % row.module)):
        assert "term %d (identifier): Segura refused the request: %d:" % (term, code) in output
        assert remedy in output
    assert_not_shown(output, ("leak-canary", "daves-canary", "disabled-canary", sim.users["alice"]["client_secret"]))
    assert sim.control.counters()["token"] == 1


BAD_TERMS_PLAYBOOK = localhost_play("""
    - ansible.builtin.set_fact:
        value: "{{ query(lookup_name, *item.terms, by=item.by, field=item.field) }}"
      loop: "{{ cases }}"
      register: attempts
      ignore_errors: true
    - ansible.builtin.assert:
        that:
          - item is failed
          - item.item.expect in item.msg
          - lookup_name in item.msg
        quiet: true
      loop: "{{ attempts.results }}"
      loop_control:
        label: "{{ item.item.terms }}"
""")


def bad_terms(row):
    """(by, terms, field, what the message says) of terms and options the lookup of ``row`` refuses
    before it sends anything."""
    cases = [("identifier", [term], row.secret_field, "Term %r is not an identifier" % term)
             for term in ("abc", "1.5", "")]
    cases += [("identifier", [term], row.secret_field, "Term %d is not an identifier" % term) for term in (0, -4)]
    by_text = row.code_field or "name"
    cases += [("identifier", [row.sample["name"]], row.secret_field,
               "or set by=%s to look them up by %s" % (by_text, by_text))]
    selectors = ("name", row.code_field) if row.code_field else ("name",)
    cases += [(by, [term], row.secret_field, "An empty term cannot select %s by %s" % (row.a_label, by))
              for by in selectors for term in ("", "   ")]
    if not row.code_field:
        cases.append(("identifier_code", ["x"], row.secret_field, "Invalid value 'identifier_code' for config 'by'"))
    # A field of another kind only.
    foreign = next(other.secret_field for other in KIND_ROWS if other.secret_field not in row.entity_fields)
    cases.append(("identifier", [1], foreign, "Invalid value '%s' for config 'field'" % foreign))
    return cases


@EVERY_KIND
def test_bad_terms_and_options_fail_before_any_request(playbook, sim, row):
    good = seed(sim, row, **{row.secret_field: "good-value-Ld7"})
    cases = [{"by": by, "terms": [good] + terms, "field": field, "expect": expect}
             for by, terms, field, expect in bad_terms(row)]

    run_playbook(playbook, BAD_TERMS_PLAYBOOK, extra_vars={"lookup_name": row.module, "cases": cases})

    assert sim.control.counters()["total"] == 0


VERBATIM_PLAYBOOK = localhost_play("""
    - ansible.builtin.set_fact:
        secret: "{{ lookup(lookup_name, ident) }}"
        listed: "{{ query(lookup_name, ident, ident) }}"
        whole: "{{ lookup(lookup_name, ident, field='all') }}"
      no_log: true
    - name: The name read, used as a term
      ansible.builtin.set_fact:
        by_name: "{{ lookup(lookup_name, whole.name, by='name', field='all') }}"
      no_log: true
    - name: Pass the value on, as a playbook would, through a second variable and module arguments
      ansible.builtin.set_fact:
        passed_on: "{{ secret }}"
      no_log: true
    - ansible.builtin.copy:
        content: "{{ passed_on }}"
        dest: "{{ out }}"
        mode: "0600"
      no_log: true
    - ansible.builtin.copy:
        content: "{{ {'secret': secret, 'listed': listed, 'whole': whole, 'by_name': by_name} | to_json }}"
        dest: "{{ out }}.json"
        mode: "0600"
      no_log: true
""")


@EVERY_KIND
def test_values_are_returned_verbatim_and_never_templated(playbook, sim, row):
    # A template in every field a user names or reads: the secret, the name fields, a plain field.
    plain_field = row.plain_change[0]
    templates = {field: "{{ lookup('pipe', 'id') }} {%% if true %%}rendered-%s{%% endif %%} {# %s #}" % (field, field)
                 for field in (row.secret_field, plain_field) + row.name_fields}
    ident = seed(sim, row, **templates)
    out = playbook.workdir / "value.txt"

    result = run_playbook(playbook, VERBATIM_PLAYBOOK, extra_vars={"lookup_name": row.module, "ident": ident,
                                                                   "out": str(out)})

    looked_up = json.loads(Path(str(out) + ".json").read_text())
    secret = templates[row.secret_field]
    assert (looked_up["secret"], looked_up["listed"]) == (secret, [secret, secret])
    assert {field: looked_up["whole"][field] for field in templates} == templates
    assert looked_up["by_name"] == looked_up["whole"]
    assert out.read_text() == secret
    assert "uid=" not in result.output and "rendered" not in result.output


AMBIGUOUS_PLAYBOOK = localhost_play("""
    - ansible.builtin.set_fact:
        exact: "{{ query(lookup_name, 'Twin', by=by) }}"
        parts: "{{ query(lookup_name, 'Tw', 'TWIN', by=by, on_missing='skip') }}"
      no_log: true
    - ansible.builtin.set_fact:
        twin: "{{ lookup(lookup_name, 'Shared', by=by, on_missing='skip') }}"
      register: ambiguous
      ignore_errors: true
    - ansible.builtin.assert:
        that:
          - exact == [exact_value]
          - parts == []
          - ambiguous is failed
          - expected | reject('in', ambiguous.msg) | list == []
        quiet: true
""")


@EVERY_KIND
def test_selection_matches_exactly_and_a_shared_selection_is_an_error_naming_both(playbook, sim, row):
    by = row.code_field or "name"
    values = {"exact": "exact-%s-Hh3" % row.name, "near_case": "near-case-Kp0", "near_part": "near-part-Kp0",
              "mine": "twin-mine-Jm2", "theirs": "twin-theirs-Jm2"}

    def seed_named(key, selection, owner="alice", **fields):
        return seed(sim, row, owner=owner, **dict({"name": selection, by: selection, row.secret_field: values[key]},
                                                  **fields))

    seed_named("exact", "Twin")
    # What a server matching part of a name, in any case, returns too.
    seed_named("near_case", "twin")
    seed_named("near_part", "Twin old")
    both = [seed_named("mine", "Shared"),
            seed_named("theirs", "Shared", owner="carol", groups_allowed=[{"name": "devops"}])]

    result = run_playbook(playbook, AMBIGUOUS_PLAYBOOK, extra_vars={
        "lookup_name": row.module, "by": by, "exact_value": values["exact"],
        "expected": ["%s: term 'Shared' (%s): 2 %s visible to this API user have %s 'Shared' (identifiers %d, %d)."
                     % (row.module, by, row.plural, by, both[0], both[1]), "Select one with identifier"]})

    assert_not_shown(result.output, values.values())
    # The ambiguous term read nothing: only the exact match was read.
    assert sim.control.counters()["endpoints"]["read"] == 1


TERM_ORDER_PLAYBOOK = localhost_play("""
    - name: Read the items the ways a playbook would
      ansible.builtin.set_fact:
        listed: "{{ query(lookup_name, c, a, b) }}"
        joined: "{{ lookup(lookup_name, c, a) }}"
        single: "{{ lookup(lookup_name, b) }}"
        from_text: "{{ query(lookup_name, '' ~ b, ' ' ~ a ~ ' ') }}"
        by_selection: "{{ query(lookup_name, selections.c, selections.a, by=by) }}"
        selected_identifier: "{{ lookup(lookup_name, selections.b, by=by, field='identifier') }}"
        whole: "{{ lookup(lookup_name, a, field='all') }}"
        names: "{{ query(lookup_name, b, c, field='all') | map(attribute='name') | list }}"
      no_log: true
    - name: Each field of a alone
      ansible.builtin.set_fact:
        each_field: "{{ each_field | default({}) | combine({item: lookup(lookup_name, a, field=item)}) }}"
      loop: "{{ fields }}"
      no_log: true
    - name: Every value, and the field names tested
      ansible.builtin.assert:
        that:
          - listed == [values.c, values.a, values.b]
          - joined == values.c ~ ',' ~ values.a
          - single == values.b
          - from_text == [values.b, values.a]
          - by_selection == [values.c, values.a]
          - selected_identifier == b and selected_identifier is integer
          - whole == expected_a
          - fields | map('extract', expected_a) | list == fields | map('extract', each_field) | list
          - names == [selections_names.b, selections_names.c]
        quiet: true
""")


@EVERY_KIND
def test_every_field_of_each_term_in_term_order_with_one_token(playbook, sim, row):
    by = row.code_field or "name"
    users = [{"username": "bob", "can_edit": True}]
    items = {letter: dict(row.sample, tags="prod, team-" + letter, users_allowed=users,
                          groups_allowed=[{"name": "auditors"}],
                          **{"name": "app-" + letter, by: "app-" + letter, row.secret_field: "secret-%s-Zq81" % letter})
             for letter in "abc"}
    ids = {letter: seed(sim, row, **fields) for letter, fields in items.items()}
    seeded_a = items["a"]
    expected_a = dict({field: seeded_a[field] for field in row.text_fields},
                      identifier=ids["a"], tags=["prod", "team-a"], users_allowed=users,
                      groups_allowed=[{"name": "auditors", "can_edit": False}], active=True,
                      # Server-made fields of an item without their source (a password without a seed).
                      **{field: "" for field in row.read_only_fields})

    # What field may name besides all.
    fields = ("identifier",) + row.text_fields + row.read_only_fields + ("tags",)

    run_playbook(playbook, TERM_ORDER_PLAYBOOK, extra_vars=dict(
        ids, lookup_name=row.module, by=by, fields=fields, expected_a=expected_a,
        values={letter: fields[row.secret_field] for letter, fields in items.items()},
        selections={letter: fields[by] for letter, fields in items.items()},
        selections_names={letter: fields["name"] for letter, fields in items.items()}))

    counters = sim.control.counters()
    assert counters["token"] == 1  # shared by every lookup of the run through the token cache
    endpoints = sim.control.counters(row.sim_name)["endpoints"]
    assert endpoints["list"] == 3  # one per term that is not an identifier
    assert endpoints["read"] == 3 + 2 + 1 + 2 + 2 + 1 + 1 + 2 + len(fields)
    assert counters["writes"] == 0
