"""What every PAM Core item module does, parametrized over the kinds table: the lifecycle (create,
nothing to do, update one field, deactivate, activate) on every documented server variant, check
mode, a read-only authorization, and the -vvvv leak proof."""

import json

import pytest

from item_support import assert_not_shown, secret_vars
from pam_support import pam_rows, pam_writes, run_tasks, seed_device

ROWS = pam_rows()
# The server variants whose answers tell whether an item is active (pam-core.md §11 q3-5, 10):
# inactive items hidden from the lists (the simulator's default), or listed with an `active` flag;
# and the older servers: iso/pam only, pre-3.33 shapes, 200 on create.
VARIANTS = {
    "hidden": {},
    "flagged": {"inactive_listed": True, "active_flag": True},
    "pre-3.33": {"prefixes": "iso", "shapes": "pre-3.33", "create_status": 200},
}


def secret_options(row, playbook):
    """The row's options with its secrets passed in a vars file (never on the command line)."""
    secrets = dict((field, row.options[field]) for field in row.kind.secret_fields if field in row.options)
    secret_vars(playbook, **secrets)
    return dict(row.options, **dict((field, "{{ %s }}" % field) for field in secrets))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("row", ROWS.values(), ids=list(ROWS))
def test_lifecycle(sim, playbook, row, variant):
    sim.control.pam_switches(**VARIANTS[variant])
    if row.needs_device:
        seed_device(sim)
    options = secret_options(row, playbook)
    selector = dict((field, options[field]) for field in (row.kind.code_field,))
    steps = [
        ("check create", dict(options), {"check_mode": True}),
        ("create", dict(options), {}),
        ("again", dict(options), {}),
        ("update", dict(options, **row.change), {}),
        ("deactivate", dict(selector, state="absent"), {}),
        ("deactivate again", dict(selector, state="absent"), {}),
        ("activate", dict(options, **row.change), {}),
        ("activate again", dict(options, **row.change), {}),
    ]
    tasks = [dict({row.module: step_options}, name=label, **keywords) for label, step_options, keywords in steps]
    run, results = run_tasks(playbook, tasks, vars_files=["secrets.yml"])
    outcome = [(label, result.get("operation"), result.get("changed"), result.get("msg"))
               for (label, _o, _k), result in zip(steps, results)]
    assert [operation for _l, operation, _c, _m in outcome] == [
        "created", "created", "unchanged", "updated", "disabled", "unchanged", "enabled", "unchanged"], outcome
    assert [changed for _l, _o, changed, _m in outcome] == [True, True, False, True, True, False, True, False]
    record = row.record(sim)
    assert record["active"] is True
    for field, value in row.change.items():
        assert record[field] == value
    assert_not_shown(run.output, row.secrets)


@pytest.mark.parametrize("row", ROWS.values(), ids=list(ROWS))
def test_a_read_only_authorization_writes_nothing_and_says_what_to_grant(sim, playbook, row):
    if row.needs_device:
        seed_device(sim)
    options = secret_options(row, playbook)
    run, (checked, refused) = run_tasks(playbook, [dict({row.module: options}, check_mode=True),
                                                   {row.module: options}], app="pam-ro", vars_files=["secrets.yml"])
    assert checked["changed"] and checked["operation"] == "created" and not checked.get("failed"), checked
    assert refused["failed"] and "1039" in refused["msg"] and "Read and write" in refused["msg"], refused
    assert "A2A > Applications" in refused["msg"]
    assert pam_writes(sim) == 1, "one write was refused; nothing else may be sent"
    code = row.kind.code_field
    assert [r for r in sim.control.pam_records(row.plural) if r.get(code) == options[code]] == []


@pytest.mark.parametrize("row", [row for row in ROWS.values() if row.secrets], ids=lambda row: row.kind.name)
def test_secrets_never_shown_even_at_vvvv_in_diff_mode(sim, playbook, row):
    seed_device(sim)
    options = secret_options(row, playbook)
    run, results = run_tasks(playbook, [{row.module: options}, dict({row.module: options}, check_mode=True)],
                             vars_files=["secrets.yml"], verbosity=4, diff=True)
    assert [r["operation"] for r in results] == ["created", "unchanged"], results
    assert_not_shown(run.output + json.dumps(results), row.secrets)
    assert_not_shown(run.output, {"the A2A client secret": sim.applications["pam-rw"]["client_secret"]})
