"""pam_ssh_key beyond the lifecycle every PAM kind shares (test_pam_by_kind.py): the key pair checked
before sending, a new pair with update_private_key, linked devices, the tag shapes of Segura versions."""

import pytest

from item_support import assert_not_shown, secret_vars
from pam_support import DEVICE, records, run_tasks, seed_device, ssh_key_pair


def key_options(private_key, public_key, **more):
    return dict(identifier="deploy-key", hostname=DEVICE["hostname"], address=DEVICE["ip"], username="deploy",
                private_key=private_key, public_key=public_key, **more)


def stored_key(sim):
    (key,) = records(sim, "keys").values()
    return key


def test_a_mismatched_pair_fails_before_any_request(sim, playbook):
    private, _public = ssh_key_pair()
    _other, public = ssh_key_pair()
    secret_vars(playbook, private_key=private)
    _run, (result,) = run_tasks(playbook, [{"segura.pam.pam_ssh_key": key_options("{{ private_key }}", public)}],
                                vars_files=["secrets.yml"])
    assert result["failed"] and "private_key and public_key do not belong together" in result["msg"]
    assert sim.control.pam_counters()["total"] == 0


def test_a_new_pair_replaces_the_stored_one_only_with_update_private_key_always(sim, playbook):
    seed_device(sim)
    first, first_public = ssh_key_pair()
    second, second_public = ssh_key_pair()
    secret_vars(playbook, first=first, second=second)
    tasks = [{"segura.pam.pam_ssh_key": key_options("{{ first }}", first_public)},
             {"segura.pam.pam_ssh_key": key_options("{{ second }}", second_public)},
             {"segura.pam.pam_ssh_key": key_options("{{ second }}", second_public, update_private_key="always")},
             {"segura.pam.pam_ssh_key": key_options("{{ second }}", second_public, update_private_key="always")}]
    run, results = run_tasks(playbook, tasks, vars_files=["secrets.yml"], diff=True, verbosity=3)
    assert [r["operation"] for r in results] == ["created", "unchanged", "updated", "unchanged"], results
    assert results[2]["diff"]["after"]["private_key"] == "******** (changed)"
    key = stored_key(sim)
    assert key["private_key"] == second and key["public_key"] == second_public
    assert_not_shown(run.output, [first, second])


@pytest.mark.parametrize("key_tags", ["array", "string"])
def test_tags_and_linked_devices_compare_as_sets_on_every_version(sim, playbook, key_tags):
    sim.control.pam_switches(key_tags=key_tags)
    seed_device(sim)
    seed_device(sim, hostname="db-02", ip="10.20.0.8")
    private, public = ssh_key_pair()
    secret_vars(playbook, private_key=private)
    options = key_options("{{ private_key }}", public, tags=["ci", "deploy"], devices=["db-02", "ghost-01"])
    reordered = dict(options, tags=["deploy", "ci"])
    _run, results = run_tasks(playbook, [{"segura.pam.pam_ssh_key": options},
                                         {"segura.pam.pam_ssh_key": dict(reordered, devices=["db-02"])}],
                              vars_files=["secrets.yml"])
    created, again = results
    assert created["operation"] == "created"
    assert any("ghost-01" in warning and "1011" in warning for warning in created["warnings"]), created
    assert again["operation"] == "unchanged", again
    assert created["ssh_key"]["devices"] == ["db-02"]
