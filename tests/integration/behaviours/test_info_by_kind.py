"""The info modules (``segura.pam.mysafe_<kind>_info``), run once per kind of the table in
``kinds.py``: reads that cannot succeed fail with a message that says what to change, and write
nothing. What each kind's lists and filters return stays in
``plugins/modules/test_module_mysafe_<kind>_info.py``.
"""

import pytest

from item_support import assert_not_shown, seed
from kinds import KIND_ROWS
from module_steps import ModuleSteps, step

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
