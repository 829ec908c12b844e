"""Migrating from senhasegura.pam 1.0.0: its module names, under this namespace, are routed to the
modules that replace them (meta/runtime.yml) with a deprecation warning naming the new module, and its
option names (connection included) are aliases, so that a playbook needs only its namespace changed."""

import json
from pathlib import Path

import pytest

from item_support import assert_not_shown, secret_vars
from pam_support import records, run_pam, seed_device

MODULES = Path(__file__).resolve().parents[3] / "plugins" / "modules"
# The connection reaches the old modules as task options, under senhasegura.pam's names; only the CA
# stays in the environment (senhasegura.pam had no CA option).
NO_CONNECTION_ENV = {"SEGURA_URL": None, "SEGURA_CLIENT_ID": None, "SEGURA_CLIENT_SECRET": None,
                     "ANSIBLE_DEPRECATION_WARNINGS": "true"}


def old_connection(playbook, app="pam-rw", **secrets):
    """senhasegura.pam's connection options of ``app``; its client secret and ``secrets`` go to a vars file."""
    creds = playbook.simulator.applications[app]
    secret_vars(playbook, client_secret=creds["client_secret"], **secrets)
    return dict(system_url=playbook.simulator.url, client_id=creds["client_id"],
                client_secret="{{ client_secret }}", validate_certs=True)


def run_old_tasks(playbook, tasks, **secrets):
    """Run ``tasks`` (dicts) with the old connection options, at -vvv; ``secrets`` are vars (canaries) the
    tasks use. Returns (the run, registered results)."""
    connection = old_connection(playbook, **secrets)
    listed = [dict(task, register="result_%d" % index) for index, task in enumerate(tasks)]
    for task in listed:
        module = next(key for key in task if key.startswith("segura.pam."))
        task[module] = dict(connection, **task[module])
    listed.append({"ansible.builtin.copy": {
        "content": "{{ [%s] | to_json }}" % ", ".join("result_%d" % index for index in range(len(tasks))),
        "dest": str(playbook.workdir / "results.json"), "mode": "0600"}})
    run = run_pam(playbook, json.dumps(listed), env=NO_CONNECTION_ENV, vars_files=["secrets.yml"], verbosity=3)
    assert run.rc == 0, run
    assert "Traceback" not in run.output, run
    assert_not_shown(run.output, [playbook.simulator.applications["pam-rw"]["client_secret"]] + list(secrets.values()))
    return run, json.loads((playbook.workdir / "results.json").read_text())


def deprecation_of(run, old, new):
    """The deprecation warning of ``old`` names ``new``."""
    text = " ".join(run.output.split())
    assert "[DEPRECATION WARNING]" in text, run
    assert "segura.pam.%s has been deprecated" % old in text, run
    assert "Use segura.pam.%s" % new in text, run


def test_senhasegura_device_runs_as_pam_device(sim, playbook):
    sim.control.pam_domains("CORP")
    old = dict(hostname="example-002", address="192.168.10.20", type="Server", vendor="Red Hat",
               model="Red Hat Enterprise Linux", site="Cloud", connectivities=["SSH:22", "HTTPS:443"],
               tags=["rhel", "cloud"], domain="CORP")
    run, results = run_old_tasks(playbook, [
        {"segura.pam.senhasegura_device": dict(old, state="present")},
        {"segura.pam.senhasegura_device": dict(old, state="present")},
        # senhasegura_device required the address to deactivate too
        {"segura.pam.senhasegura_device": dict(hostname="example-002", address="192.168.10.20", state="absent")},
    ])
    deprecation_of(run, "senhasegura_device", "pam_device")
    assert [(r["operation"], r["changed"]) for r in results] == [
        ("created", True), ("unchanged", False), ("disabled", True)], results
    assert results[0]["device"]["domains"] == ["CORP"]
    assert sorted(results[0]["device"]["connectivities"]) == ["HTTPS:443", "SSH:22"]
    (record,) = records(sim, "devices").values()
    assert (record["hostname"], record["ip"], record["site"], record["active"]) == (
        "example-002", "192.168.10.20", "Cloud", False)


@pytest.mark.skipif(not (MODULES / "pam_credential.py").exists() or not (MODULES / "pam_credential_info.py").exists(),
                    reason="pam_credential and pam_credential_info are not written yet")
def test_senhasegura_credential_modules_run_as_pam_credential(sim, playbook):
    seed_device(sim, hostname="example-001", ip="192.168.10.10")
    run, results = run_old_tasks(playbook, [
        {"segura.pam.senhasegura_credential": dict(
            state="present", identifier="example_credential", device_hostname="example-001",
            device_address="192.168.10.10", type="Local User", username="ansible",
            password="{{ password }}", tags=["ansible"], additional_info="Created by Ansible")},
        {"segura.pam.senhasegura_credential_info": dict(identifier="example_credential")},
        {"segura.pam.senhasegura_credential_info": dict(id_credential="{{ result_0.id }}")},
        {"segura.pam.senhasegura_credential": dict(state="absent", identifier="example_credential")},
    ], password="canary-old-password-Qx81")
    deprecation_of(run, "senhasegura_credential", "pam_credential")
    deprecation_of(run, "senhasegura_credential_info", "pam_credential_info")
    assert [r.get("operation") for r in results] == ["created", None, None, "disabled"], results
    assert results[1]["credential"]["id"] == results[2]["credential"]["id"] == results[0]["id"]
    (record,) = records(sim, "credentials").values()
    assert (record["username"], record["additional"], record["active"]) == ("ansible", "Created by Ansible", False)
