"""The info modules (``segura.pam.mysafe_<kind>_info``), run once per kind of the table in
``kinds.py``: reads that cannot succeed fail with a message that says what to change, and write
nothing. What each kind's lists and filters return stays in
``plugins/modules/test_module_mysafe_<kind>_info.py``.
"""

import pytest

from item_support import assert_not_shown, run_read_only, seed
from kinds import KIND_ROWS
from module_steps import ModuleSteps, step
from playbook_runner import localhost_play

EVERY_KIND = pytest.mark.parametrize("row", KIND_ROWS, ids=[row.name for row in KIND_ROWS])
DEVOPS_VIEW = [{"name": "devops"}]


@EVERY_KIND
def test_reads_that_cannot_succeed_fail_with_actionable_messages(playbook, sim, row):
    # The option that selects one item besides identifier: the kind's code, or its name.
    selector = row.code_field or "name"
    values = {"readable": "readable-%s-Fe40" % row.name, "private": "private-%s-Ow03" % row.name,
              "twin_alice": "twin-alice-%s-Vb73" % row.name, "twin_carol": "twin-carol-%s-Hq51" % row.name}

    def seed_visible(owner, key, fields):
        return seed(sim, row, owner=owner, **dict(fields, **{row.secret_field: values[key]}))

    # A name selector takes the place of the name.
    readable = seed_visible("alice", "readable", {"name": "Readable", "tags": "cloud", selector: "readable"})
    private = seed_visible("carol", "private", {"name": "Private"})
    twins = [seed_visible("alice", "twin_alice", {"name": "Twin alice", selector: "twin"}),
             seed_visible("carol", "twin_carol", {"name": "Twin carol", selector: "twin", "groups_allowed": DEVOPS_VIEW})]
    steps = [
        step("missing", identifier=999, error=["1005", row.not_found, row.info_module]),
        step("not shared", identifier=private, error=["1006", "User does not have access", "the owner must share it"]),
        # The server's filters may answer a part of a name or code; the module matches it exactly.
        step("a part of a %s" % selector, error=["No %s visible to this API user has %s 'read'" % (row.label, selector)],
             **{selector: "read"}),
        step("two visible items", error=[
            "%d %s visible to this API user have %s 'twin' (identifiers %d, %d)." % (2, row.plural, selector, *twins),
            "Select one with identifier"], **{selector: "twin"}),
        step("identifier and tag", identifier=readable, tag="cloud", error=["mutually exclusive", "identifier|tag"]),
        step("identifier and %s" % selector, identifier=readable, error=["mutually exclusive", "identifier|" + selector],
             **{selector: "readable"}),
        step("identifier zero", identifier=0, error=["Option identifier must be a positive integer"]),
    ]
    module_steps = ModuleSteps(row.info_module, ("identifier", selector, "tag"), row.result_key)

    # -v prints every result, so what is masked is checked on real output.
    results, run = module_steps.apply(playbook, steps, verbosity=1)

    module_steps.check(steps, results)
    assert results[1]["error_code"] == 1006
    assert sim.control.counters()["writes"] == 0
    assert_not_shown(run.output, values.values())


READ_TASKS = """
- name: By identifier
  %(info)s: {identifier: "{{ ids.readable }}"}
  register: by_identifier
- name: By identifier, revealed
  %(info)s: {identifier: "{{ ids.readable }}", reveal_secret: true}
  register: by_identifier_revealed
  no_log: true
- name: By the option that selects one item without its identifier
  %(info)s: {%(selector)s: readable}
  register: by_selector
- name: A disabled item, by identifier and by that option
  %(info)s: {identifier: "{{ ids.disabled }}"}
  register: disabled_by_identifier
- %(info)s: {%(selector)s: "off"}
  register: disabled_by_selector
- name: Everything visible
  %(info)s: {}
  register: everything
- name: Everything visible, revealed
  %(info)s: {reveal_secret: true}
  register: everything_revealed
  no_log: true
- name: A tag
  %(info)s: {tag: cloud}
  register: cloud
- name: Summary only
  %(info)s: {details: false}
  register: summary
- name: In check mode, a read and a list
  %(info)s: {identifier: "{{ ids.readable }}"}
  check_mode: true
  register: in_check_mode
- %(info)s: {tag: cloud}
  check_mode: true
  register: cloud_in_check_mode

- name: Single items are normalised and masked unless revealed
  ansible.builtin.assert:
    that:
      - by_identifier is not changed
      - by_identifier[one].identifier == ids.readable
      - by_identifier[one].name == names.readable
      - by_identifier[one].tags == ['cloud', 'payments']
      - by_identifier[one].active
      - by_identifier[one][secret] == '********'
      - by_identifier[one].keys() | sort == entity_fields
      - by_identifier_revealed[one][secret] == values.readable
      - by_selector[one] == by_identifier[one]
      - in_check_mode is not changed and in_check_mode[one] == by_identifier[one]
      - by_identifier[many] is not defined and cloud[one] is not defined

- name: A disabled item is reported inactive, not as a failure
  ansible.builtin.assert:
    that:
      - "disabled_by_identifier[one] == {'identifier': ids.disabled, 'active': false}"
      - "disabled_by_selector[one] == {'identifier': ids.disabled, 'active': false}"

- name: Lists hold what alice may see
  ansible.builtin.assert:
    that:
      - everything[many] | map(attribute='identifier') | list == visible
      - everything[many] | selectattr('active') | map(attribute=secret) | unique | list == ['********']
      - everything[many] | rejectattr('active') | list == [disabled_entry]
      - everything_revealed[many] | selectattr('active') | map(attribute=secret) | list == visible_values
      - cloud[many] | map(attribute='identifier') | list == [ids.readable, ids.second, ids.disabled]
      - cloud_in_check_mode is not changed and cloud_in_check_mode[many] == cloud[many]
      - summary[many] | map(attribute='identifier') | list == visible
      - summary[many][0].keys() | sort == summary_keys
      - summary[many] | rejectattr('can_write') | map(attribute='identifier') | list == [ids.team]
      - "everything[many][-1].groups_allowed == [{'name': 'devops', 'can_edit': false}]"
"""


@EVERY_KIND
def test_read_one_item_or_lists_masked_unless_revealed(playbook, sim, row):
    selector = row.code_field or "name"
    values = {key: "%s-%s-Fe40" % (key, row.name) for key in ("readable", "second", "disabled", "private", "team")}
    shares = {"team": {"groups_allowed": DEVOPS_VIEW}}
    owners = {"private": "carol", "team": "carol"}
    tags = {"readable": "cloud,payments", "second": "cloud", "disabled": "cloud"}
    # A name selector takes the place of the name: the disabled item's is "off".
    selections = {"readable": "readable", "disabled": "off"}
    names = {key: selections.get(key) if selector == "name" and key in selections else key.capitalize()
             for key in values}
    ids = {key: seed(sim, row, owner=owners.get(key, "alice"), active=key != "disabled",
                     **dict({"name": names[key], "tags": tags.get(key, "team"), row.secret_field: values[key]},
                            **dict(shares.get(key, {}), **({selector: selections[key]} if key in selections else {}))))
           for key in values}
    visible = [ids[key] for key in ("readable", "second", "disabled", "team")]
    # A disabled item in a list: what selects it besides the identifier, nothing that needs a read.
    disabled_entry = dict({field: dict(row.sample, name=names["disabled"])[field] for field in row.name_fields},
                          identifier=ids["disabled"], active=False)
    playbook_text = localhost_play(READ_TASKS % {"info": row.info_module, "selector": selector})

    # -v prints every result that is not no_log, so masking is checked on real output.
    result = run_read_only(playbook, sim, playbook_text, verbosity=1, extra_vars={
        "ids": ids, "names": names, "values": values, "one": row.result_key, "many": row.results_key,
        "secret": row.secret_field, "disabled_entry": disabled_entry, "entity_fields": sorted(row.entity_fields), "visible": visible,
        "visible_values": [values[key] for key in ("readable", "second", "team")],
        "summary_keys": sorted(("can_view", "can_write", "identifier", "need_approval", "need_justify")
                               + row.summary_fields)})

    assert_not_shown(result.output, values.values())
