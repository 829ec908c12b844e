"""The item modules (``segura.pam.mysafe_<kind>``), one behaviour per test, run once per kind of
the table in ``kinds.py``: create and rerun, updates, disable and enable, check mode that predicts
the real run, permissions, and no secret shown at -vvvv.

Each test seeds the simulator (uncounted), applies steps (one module task each, in one
ansible-playbook run) and checks what each step reported, what the simulator stores and how many
writes reached the kind's endpoints: "nothing differs" must mean "nothing sent". What only one
kind has stays in ``plugins/modules/test_module_mysafe_<kind>.py``.
"""

import json

import pytest

from item_support import assert_not_shown, cached_tokens, secret_vars, seed, stored, writes
from kinds import KIND_ROWS, MASK
from module_steps import ModuleSteps, run_playbook, step
from playbook_runner import localhost_play

EVERY_KIND = pytest.mark.parametrize("row", KIND_ROWS, ids=[row.name for row in KIND_ROWS])


def shown(row, field, value, changed=False):
    """How a diff shows ``value`` of ``field``: secrets as the mask, which says when it changed."""
    if field not in row.secret_fields:
        return value
    return MASK + " (changed)" if changed else MASK


@EVERY_KIND
def test_create_then_rerun_written_differently_sends_nothing(playbook, sim, row):
    created_secret = "created-%s-Vb73" % row.name
    fields = dict(row.sample, tags=row.sample.get("tags", "ops,team").split(","), **row.selecting)
    fields[row.secret_field] = created_secret
    stored_users = [{"username": "bob", "can_edit": True}, {"username": "carol", "can_edit": False}]
    stored_groups = [{"name": "auditors", "can_edit": True}, {"name": "devops", "can_edit": False}]
    first = dict(fields, users_allowed=[{"username": "bob", "can_edit": True}, {"username": "carol"}],
                 groups_allowed=[{"name": "devops", "can_edit": False}, {"name": "auditors", "can_edit": True}],
                 **{field: spelled for field, (spelled, _other, _stored) in row.spellings.items()})
    # The same wanted state written differently: other spellings, list order and duplicate tags,
    # explicit defaults.
    again = dict(fields, tags=list(reversed(fields["tags"])) + fields["tags"][:1],
                 users_allowed=[{"username": "carol", "can_edit": False}, {"username": "bob", "can_edit": True}],
                 groups_allowed=[{"name": "auditors", "can_edit": True}, {"name": "devops"}],
                 **{field: other for field, (_spelled, other, _stored) in row.spellings.items()})
    shown_item = dict({"identifier": 1, "users_allowed": stored_users, "groups_allowed": stored_groups, "active": True},
                      **{field: value for field, (_one, _other, value) in row.spellings.items()})
    shown_item.update((secret, MASK) for secret in row.secret_fields)
    module_steps = ModuleSteps.for_kind(row)

    create = [step("create", changed=True, operation="created", expect=shown_item, **first)]
    created, _run = module_steps.apply(playbook, create)

    module_steps.check(create, created)
    assert created[0]["identifier"] == 1
    assert sorted(created[0][row.result_key]["tags"]) == sorted(fields["tags"])
    item = stored(sim, row)[1]
    assert (item["owner"], item[row.secret_field], item["users_allowed"]) == ("alice", created_secret, stored_users)
    assert all(item[field] == value for field, (_one, _other, value) in row.spellings.items())
    assert sorted(item["tags"].split(",")) == sorted(fields["tags"])
    assert writes(sim, row)["create"] == 1

    sim.control.reset()
    rerun = [step("again", changed=False, operation="unchanged", expect=shown_item, **again)]
    reran, run = module_steps.apply(playbook, rerun)

    module_steps.check(rerun, reran)
    assert sim.control.counters()["writes"] == 0
    assert stored(sim, row)[1] == item
    assert_not_shown(run.output, [created_secret])


@EVERY_KIND
def test_disable_and_enable_round_trip(playbook, sim, row):
    ident = seed(sim, row, **row.selecting)
    field, value = row.plain_change
    new_secret = "back-in-use-%s-Wm18" % row.name
    missing = [step("disable an item that does not exist, by identifier", changed=False, identifier=999,
                    state="absent"),
               step("disable an item that does not exist, by name", changed=False, name="Nobody", state="absent")]
    if row.code_field:
        missing.append(step("disable an item that does not exist, by its code", changed=False,
                            state="absent", **{row.code_field: "nowhere"}))
    steps = [
        step("disable", changed=True, operation="disabled", identifier=ident, state="absent",
             expect={"active": False, row.secret_field: MASK},
             diff={"before": {"active": True}, "after": {"active": False}}),
        step("disable again, selected without the identifier", changed=False, operation="unchanged",
             state="absent", **row.selecting),
        step("enable in check mode", changed=True, operation="enabled", identifier=ident, check_mode=True),
        step("enable", changed=True, operation="enabled", identifier=ident,
             expect={"active": True, "name": row.sample["name"]}),
        step("enable again, selected without the identifier", changed=False, operation="unchanged",
             state="present", **row.selecting),
        step("disable before a change", changed=True, operation="disabled", identifier=ident, state="absent"),
        step("enable with a change", changed=True, operation="updated", identifier=ident,
             diff={"before": {"active": False, field: shown(row, field, row.sample[field]),
                              row.secret_field: MASK},
                   "after": {"active": True, field: shown(row, field, value, changed=True),
                             row.secret_field: MASK + " (changed)"}},
             **{field: value, row.secret_field: new_secret}),
    ] + missing

    results, run = ModuleSteps.for_kind(row).apply(playbook, steps)

    ModuleSteps.for_kind(row).check(steps, results)
    assert results[1]["identifier"] == ident
    assert [result["identifier"] for result in results[-len(missing):]] == [None] * len(missing)
    item = stored(sim, row)[ident]
    assert (item["active"], item[field], item[row.secret_field]) == (True, value, new_secret)
    # Twice each: "disable again", "enable again" and the check-mode enable sent nothing.
    assert writes(sim, row) == {"create": 0, "update": 1, "inactive": 2, "active": 2}
    assert_not_shown(run.output, (row.sample[row.secret_field], new_secret))


@EVERY_KIND
def test_check_mode_writes_nothing_and_predicts_the_real_run(playbook, sim, row):
    stored_secrets = {secret: old for secret, (old, _new) in row.secret_changes.items()}
    new_secrets = {secret: new for secret, (_old, new) in row.secret_changes.items()}
    to_update = seed(sim, row, name="To update", **stored_secrets)
    to_disable = seed(sim, row, name="To disable")
    to_enable = seed(sim, row, name="To enable", active=False)
    before = stored(sim, row)
    field, value = row.plain_change
    stored_value = "To update" if field == "name" else row.sample[field]
    steps = [
        step("create", changed=True, operation="created", expect={row.secret_field: MASK}, **row.new_item),
        step("update", changed=True, operation="updated", identifier=to_update,
             expect=dict({field: value}, **dict.fromkeys(new_secrets, MASK)),
             diff={"before": dict({field: stored_value}, **dict.fromkeys(new_secrets, MASK)),
                   "after": dict({field: value}, **dict.fromkeys(new_secrets, MASK + " (changed)"))},
             **dict(new_secrets, **{field: value})),
        step("nothing differs", changed=False, operation="unchanged", identifier=to_disable, name="To disable"),
        step("disable", changed=True, operation="disabled", identifier=to_disable, state="absent",
             diff={"before": {"active": True}, "after": {"active": False}}),
        step("enable", changed=True, operation="enabled", identifier=to_enable),
    ]
    module_steps = ModuleSteps.for_kind(row)

    preview, previewed = module_steps.apply(playbook, steps, check=True, diff=True)

    module_steps.check(steps, preview)
    assert preview[0]["identifier"] is None  # would be created: no identifier yet
    assert preview[0]["diff"]["after"][row.secret_field] == MASK
    assert sim.control.counters()["writes"] == 0
    assert stored(sim, row) == before

    applied, run = module_steps.apply(playbook, steps, diff=True)

    module_steps.check(steps, applied)
    assert [result["diff"] for result in applied] == [result["diff"] for result in preview]
    assert applied[1][row.result_key] == preview[1][row.result_key]  # the predicted item is the real one
    assert writes(sim, row) == {"create": 1, "update": 1, "inactive": 1, "active": 1}
    items = stored(sim, row)
    assert items[to_update] == dict(before[to_update], **dict(new_secrets, **{field: value}))
    assert items[applied[0]["identifier"]][row.secret_field] == row.new_item[row.secret_field]
    assert (items[to_disable]["active"], items[to_enable]["active"]) == (False, True)
    assert_not_shown(previewed.output + run.output,
                     list(stored_secrets.values()) + list(new_secrets.values()) + [row.new_item[row.secret_field]])


SHARES = {
    "private": {},
    "view_only": {"users_allowed": [{"username": "bob"}]},
    "editor": {"users_allowed": [{"username": "bob", "can_edit": True}]},
    "group": {"groups_allowed": [{"name": "devops", "can_edit": True}]},
}


@EVERY_KIND
def test_permissions_of_a_user_with_several_kinds_of_access(playbook, sim, row):
    ids = {share: seed(sim, row, owner="carol", name="Carol " + share, **users)
           for share, users in SHARES.items()}
    before = stored(sim, row)
    field, value = row.plain_change
    refused_secret = "bob-was-here-%s-Pw1" % row.name
    steps = [
        step("carol's unshared item", identifier=ids["private"], error=["1006", "User does not have access"],
             **{field: value}),
        step("shared with bob, view only: update", identifier=ids["view_only"],
             error=["User does not have permission to edit this", "can_edit"], **{row.secret_field: refused_secret}),
        step("shared with bob, view only: disable", identifier=ids["view_only"], state="absent",
             error=["1006", "can_edit"]),
        step("shared with bob, view only: nothing differs, so nothing is refused", changed=False,
             identifier=ids["view_only"], name="Carol view_only"),
        step("shared with bob, can_edit", changed=True, identifier=ids["editor"], **{field: value}),
        step("shared with bob's group devops, can_edit", changed=True, identifier=ids["group"], **{field: value}),
        step("carol's item is invisible to bob, so its name makes bob's own", changed=True, operation="created",
             **dict(row.new_item, name="Carol private")),
    ]
    module_steps = ModuleSteps.for_kind(row)

    results, run = module_steps.apply(playbook, steps, user="bob")

    module_steps.check(steps, results)
    assert [result.get("error_code") for result in results[:3]] == [1006] * 3
    assert row.module not in results[1]["msg"]  # the server's refusal, with the option to change
    items = stored(sim, row)
    for share in ("private", "view_only"):
        assert items[ids[share]] == before[ids[share]]
    for share in ("editor", "group"):
        assert (items[ids[share]][field], items[ids[share]]["owner"]) == (value, "carol")
    (own,) = [item for item in items.values() if item["owner"] == "bob"]
    assert own["name"] == "Carol private" and own["identifier"] not in ids.values()
    # The view-only update is refused by the server; the two edits are applied.
    assert writes(sim, row)["update"] == 3
    assert_not_shown(run.output, [refused_secret])


@EVERY_KIND
def test_each_field_updates_alone_and_leaves_the_others(playbook, sim, row):
    identifier = seed(sim, row)
    before = stored(sim, row)[identifier]
    changes = [step("set " + field, changed=True, operation="updated", identifier=identifier, **{field: value})
               for field, value, _stored in row.field_changes]
    # Every new value again in one task: all fields are already as wanted.
    repeat = step("all again", changed=False, operation="unchanged", identifier=identifier,
                  **{field: value for field, value, _stored in row.field_changes})
    module_steps = ModuleSteps.for_kind(row)

    results, run = module_steps.apply(playbook, changes + [repeat])

    module_steps.check(changes + [repeat], results)
    for (field, _value, _stored), result in zip(row.field_changes, results):
        assert sorted(result["diff"]["after"]) == [field]  # only the given field is compared and sent
    assert results[-1]["diff"]["before"] == results[-1]["diff"]["after"]
    # Every secret is masked, a TOTP token made from a new seed too.
    assert [results[-1][row.result_key][secret] for secret in row.secret_fields] == [MASK] * len(row.secret_fields)
    assert stored(sim, row)[identifier] == dict(before, **{field: value for field, _value, value in row.field_changes})
    assert writes(sim, row) == {"create": 0, "update": len(row.field_changes), "inactive": 0, "active": 0}
    assert_not_shown(run.output, [value for field, value, _stored in row.field_changes if field in row.secret_fields])


@EVERY_KIND
def test_rewrite_option_on_create_never_overwrites_an_existing_secret(playbook, sim, row):
    option, secret = row.rewrite_option
    # Secrets the option does not govern (the password's TOTP seed) are updated as any field.
    others = {field: new for field, (_old, new) in row.secret_changes.items() if field != secret}
    field, value = row.plain_change
    kept = seed(sim, row, name="Kept", **{secret: "rotated-elsewhere-Kd55"})
    rotated = seed(sim, row, name="Rotated", **{secret: "old-secret-Wm18"})
    steps = [
        step("on_create, other secret", changed=False, operation="unchanged", identifier=kept,
             **{secret: "initial-value-Tt09", option: "on_create"}),
        step("on_create, other secret and other fields", changed=True, operation="updated", identifier=kept,
             **dict(others, **{secret: "initial-value-Tt09", field: value, option: "on_create"})),
        step("always, other secret", changed=True, operation="updated", identifier=rotated,
             **{secret: "new-secret-Lp44", option: "always"}),
        step("always by default, same secret", changed=False, operation="unchanged", identifier=rotated,
             **{secret: "new-secret-Lp44"}),
        step("on_create of a new item", changed=True, operation="created",
             **dict(row.new_item, name="Fresh", **{secret: "first-value-Qa31", option: "on_create"})),
    ]
    module_steps = ModuleSteps.for_kind(row)

    results, run = module_steps.apply(playbook, steps)

    module_steps.check(steps, results)
    assert sorted(results[1]["diff"]["after"]) == sorted([field] + list(others))
    items = stored(sim, row)
    assert items[kept][secret] == "rotated-elsewhere-Kd55"
    assert items[kept][field] == value
    assert all(items[kept][other] == new for other, new in others.items())
    assert items[rotated][secret] == "new-secret-Lp44"
    assert items[results[4]["identifier"]][secret] == "first-value-Qa31"
    assert_not_shown(run.output, ("initial-value-Tt09", "new-secret-Lp44", "first-value-Qa31"))


def leak_playbook(row):
    """Every path a secret of ``row`` could slip out through, in one play: options, check mode,
    diffs, reads masked and in clear, the lookup, and refusals."""
    module, secret = row.module, row.secret_field
    rewrite = {"identifier": "{{ ids.seeded }}", secret: "{{ canary.rewritten }}"}
    tasks = [
        {"name": "Create, with the secret given as an option", module: dict(row.new_item, name="Leak test", **{
            secret: "{{ canary.created }}"}), "register": "created"},
        {"name": "Change the seeded item's secret in check mode", module: rewrite, "check_mode": True},
        {"name": "Then for real", module: rewrite},
        {"name": "Read every item (masked)", row.info_module: {}, "register": "listed"},
        {"name": "Read by name (masked)", row.info_module: {"name": "Leak test"}},
        {"name": "Read in clear, the documented way", "no_log": True, "register": "revealed",
         row.info_module: {"identifier": "{{ created.identifier }}", "reveal_secret": True}},
        {"name": "Use the secret through the lookup", "no_log": True,
         "ansible.builtin.set_fact": {"looked_up": "{{ lookup('%s', 'Leak test', by='name') }}" % module}},
        {"name": "Refused - update an item alice may only view (1006)", "ignore_errors": True,
         module: {"identifier": "{{ ids.view_only }}", secret: "{{ canary.refused }}"}},
        {"name": "Refused - read an item alice may not see (1006)", "ignore_errors": True,
         "ansible.builtin.set_fact": {"denied": "{{ lookup('%s', ids.hidden) }}" % module}},
        {"name": "The secrets were there to leak", "no_log": True, "ansible.builtin.assert": {"that": [
            "listed.%s | map(attribute='%s') | unique | list == ['%s']" % (row.results_key, secret, MASK),
            "revealed.%s.%s == canary.created" % (row.result_key, secret),
            "looked_up == canary.created"]}},
    ]
    return localhost_play("\n".join("- " + json.dumps(task) for task in tasks), vars_files=["secrets.yml"])


@EVERY_KIND
def test_no_secret_in_output_or_log_at_vvvv(playbook, sim, row):
    canary = {"created": "leak-created-canary-Ce61", "rewritten": "leak-rewritten-canary-Ux92",
              "refused": "leak-refused-canary-Mt55"}
    seeded = {"seeded": "leak-seeded-canary-Rr17", "view_only": "leak-viewonly-canary-Ow03",
              "hidden": "leak-hidden-canary-Jk28"}
    ids = {
        "seeded": seed(sim, row, name="Seeded", **{row.secret_field: seeded["seeded"]}),
        "view_only": seed(sim, row, owner="carol", name="View only", users_allowed=[{"username": "alice"}],
                          **{row.secret_field: seeded["view_only"]}),
        "hidden": seed(sim, row, owner="carol", name="Hidden", **{row.secret_field: seeded["hidden"]}),
    }
    secret_vars(playbook, canary=canary)

    result = run_playbook(playbook, leak_playbook(row), verbosity=4, diff=True, extra_vars={"ids": ids})

    assert result.stdout.count("fatal: [localhost]") == 2  # both refusals happened
    assert "1006" in result.output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result.output  # -vvvv did print the module arguments
    assert_not_shown(result.output, list(canary.values()) + list(seeded.values())
                     + [sim.users["alice"]["client_secret"]] + cached_tokens(playbook.home))
    assert stored(sim, row)[ids["seeded"]][row.secret_field] == canary["rewritten"]
