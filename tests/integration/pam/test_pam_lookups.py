"""The segura.pam.pam_credential and pam_ssh_key lookups, and pam_credential_custody, against the simulator:
every term form, the fields, one token and one list for many terms, custody taken by password reads only
and released by the module, and the -vvvv leak proof."""

import json

import pytest

from item_support import assert_not_shown
from pam_support import DEVICE, run_tasks, seed_credential, seed_device, ssh_key_pair

PASSWORDS = {"root": "canary-root-Ty61", "app@corp": "canary-app-Hq05"}


@pytest.fixture
def credentials(sim):
    seed_device(sim)
    return dict((username, seed_credential(sim, username=username, content=password,
                                           identifier="db-01-%s" % username.split("@", maxsplit=1)[0]))
                for username, password in PASSWORDS.items())


def looked_up(expression, **options):
    return {"ansible.builtin.set_fact": {"value": "{{ %s }}" % expression}, **options}


def custody(sim):
    return sorted(entry["identifier"] for entry in sim.control.pam_custody())


@pytest.mark.parametrize("variant", [{}, {"prefixes": "iso", "shapes": "pre-3.33"}], ids=["3.33", "pre-3.33-iso"])
def test_every_term_form_with_one_token_and_one_list(sim, playbook, credentials, variant):
    sim.control.reset()  # the counters, after seeding (the switches too: set them after)
    sim.control.pam_switches(**variant)
    query = ("query('segura.pam.pam_credential', %d, 'db-01-root', 'app@corp@db-01')" % credentials["root"])
    run, results = run_tasks(playbook, [looked_up(query)], verbosity=4)
    assert results[0]["ansible_facts"]["value"] == [PASSWORDS["root"], PASSWORDS["root"], PASSWORDS["app@corp"]]
    counters = sim.control.pam_counters()
    assert counters["kinds"]["credentials"]["list"] == 1
    assert sim.control.counters()["endpoints"]["token"] == 1
    assert custody(sim) == ["db-01-app", "db-01-root"]
    assert_not_shown(run.output.replace(json.dumps(results), ""), [sim.applications["pam-rw"]["client_secret"]])


def test_username_hostname_and_address_take_no_custody(sim, playbook, credentials):
    tasks = [looked_up("lookup('segura.pam.pam_credential', 'db-01-root', field=%r)" % field)
             for field in ("username", "hostname", "address")]
    _run, results = run_tasks(playbook, tasks)
    assert [r["ansible_facts"]["value"] for r in results] == ["root", DEVICE["hostname"], DEVICE["ip"]]
    assert custody(sim) == []


def test_on_missing_warn_leaves_the_term_out_and_error_names_it(sim, playbook, credentials):
    _run, (warned, failed) = run_tasks(playbook, [
        looked_up("query('segura.pam.pam_credential', 'nobody@db-01', 'db-01-root', on_missing='warn')"),
        looked_up("lookup('segura.pam.pam_credential', 'ghost-id')")])
    assert warned["ansible_facts"]["value"] == [PASSWORDS["root"]]
    assert failed["failed"] and "'ghost-id'" in failed["msg"] and "pam_credential_info" in failed["msg"]


def test_a_deactivated_credential_follows_on_inactive(sim, playbook):
    seed_device(sim)
    seed_credential(sim, username="old", content="x", identifier="db-01-old", active=False)
    _run, (skipped, failed) = run_tasks(playbook, [
        looked_up("query('segura.pam.pam_credential', 'db-01-old', on_inactive='skip')"),
        looked_up("lookup('segura.pam.pam_credential', 'db-01-old')")])
    assert skipped["ansible_facts"]["value"] == []
    assert failed["failed"] and "deactivated" in failed["msg"]


def test_custody_released_by_the_module_and_again_is_no_change(sim, playbook, credentials):
    release = {"segura.pam.pam_credential_custody": {"credentials": ["db-01-root", "app@corp@db-01"]}}
    _run, results = run_tasks(playbook, [
        looked_up("query('segura.pam.pam_credential', 'db-01-root', 'db-01-app')"),
        dict(release, check_mode=True), release, release])
    _lookup, checked, released, again = results
    assert checked["changed"]
    assert released["changed"] and [c["released"] for c in released["credentials"]] == [True, True]
    assert [c["id"] for c in released["credentials"]] == [credentials["root"], credentials["app@corp"]]
    assert again["changed"] is False and [c["released"] for c in again["credentials"]] == [False, False]
    assert custody(sim) == []


def test_check_mode_releases_nothing(sim, playbook, credentials):
    _run, (_lookup, checked) = run_tasks(playbook, [
        looked_up("lookup('segura.pam.pam_credential', 'db-01-root')"),
        {"segura.pam.pam_credential_custody": {"credentials": ["db-01-root"]}, "check_mode": True}])
    assert checked["changed"] and checked["credentials"][0]["released"] is True
    assert custody(sim) == ["db-01-root"]
    assert sim.control.pam_counters()["kinds"]["credentials"]["custody_release"] == 0


def test_a_read_only_authorization_cannot_release(sim, playbook, credentials):
    _run, (_lookup, refused) = run_tasks(playbook, [
        looked_up("lookup('segura.pam.pam_credential', 'db-01-root')"),
        {"segura.pam.pam_credential_custody": {"credentials": ["db-01-root"]}}], app="pam-ro")
    assert refused["failed"] and "1039" in refused["msg"] and "Read and write" in refused["msg"]
    assert _lookup["ansible_facts"]["value"] == PASSWORDS["root"], "reading needs only read"


def test_ssh_key_fields_by_id_or_identifier(sim, playbook):
    seed_device(sim)
    private, public = ssh_key_pair()
    key_id = sim.control.pam_seed("key", hostname=DEVICE["hostname"], ip=DEVICE["ip"], identifier="deploy-key",
                                  username="deploy", private_key=private, public_key=public,
                                  password="canary-passphrase-Ld93")
    run, results = run_tasks(playbook, [
        looked_up("query('segura.pam.pam_ssh_key', %d, 'deploy-key')" % key_id),
        looked_up("lookup('segura.pam.pam_ssh_key', 'deploy-key', field='public_key')"),
        looked_up("lookup('segura.pam.pam_ssh_key', 'deploy-key', field='passphrase')"),
        looked_up("lookup('segura.pam.pam_ssh_key', 'deploy-key', field='all').identifier")], verbosity=4)
    assert [r["ansible_facts"]["value"] for r in results] == [
        [private, private], public, "canary-passphrase-Ld93", "deploy-key"]
    assert custody(sim) == []
    assert_not_shown(run.output.replace(json.dumps(results), ""), [sim.applications["pam-rw"]["client_secret"]])


def test_looked_up_passwords_are_never_shown_even_at_vvvv(sim, playbook, credentials):
    run, (used, failed) = run_tasks(playbook, [
        {"ansible.builtin.debug": {"msg": "{{ query('segura.pam.pam_credential', 'db-01-root', 'app@corp@db-01') "
                                          "| map('length') | list }}"}},
        looked_up("lookup('segura.pam.pam_credential', 'db-01-root', field='nope')")], verbosity=4)
    assert used["msg"] == [len(password) for password in PASSWORDS.values()]
    assert failed["failed"] and "field" in failed["msg"]
    assert_not_shown(run.output, list(PASSWORDS.values()) + [sim.applications["pam-rw"]["client_secret"]])
