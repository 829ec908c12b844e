"""pam_items against the simulator: devices, credentials and SSH keys in one task, on the bulk path
mysafe_items uses (every element checked first, devices before what depends on them, one list per
kind, exclusive tags with the device cascade shown first)."""

import pytest

from item_support import assert_not_shown, secret_vars
from pam_support import records, run_tasks, seed_credential, seed_device

CANARIES = ["canary-web-01-Zq81", "canary-web-02-Xv27"]


def hosts(count):
    return [dict(hostname="web-%02d" % number, address="10.0.1.%d" % number, type="Server", vendor="Canonical",
                 model="Ubuntu 24.04", site="DC1", tags=["managed"], connectivities=["SSH:22"])
            for number in range(1, count + 1)]


def credentials(count, password="{{ web_passwords[%d] }}"):
    return [dict(identifier="web-%02d-deploy" % number, username="deploy", hostname="web-%02d" % number,
                 address="10.0.1.%d" % number, password=password % (number - 1))
            for number in range(1, count + 1)]


def items(**lists):
    return {"segura.pam.pam_items": lists}


def counters(sim):
    return sim.control.pam_counters()


def test_devices_and_their_credentials_in_one_task_then_nothing_to_do(sim, playbook):
    secret_vars(playbook, web_passwords=CANARIES)
    task = items(devices=hosts(2), credentials=credentials(2))
    run, (result,) = run_tasks(playbook, [task], vars_files=["secrets.yml"], verbosity=4)
    assert not result.get("failed"), result
    assert result["devices"]["summary"]["created"] == 2
    assert result["credentials"]["summary"]["created"] == 2
    assert [r["hostname"] for r in result["devices"]["results"]] == ["web-01", "web-02"]
    stored = sorted((c["identifier"], c["content"]) for c in records(sim, "credentials").values())
    assert stored == [("web-01-deploy", CANARIES[0]), ("web-02-deploy", CANARIES[1])]
    assert_not_shown(run.output, CANARIES)

    before = counters(sim)
    _run, (again,) = run_tasks(playbook, [task], vars_files=["secrets.yml"])
    after = counters(sim)
    assert again["changed"] is False
    assert again["credentials"]["summary"]["unchanged"] == 2
    assert after["writes"] == before["writes"]
    assert after["custody"]["taken"] == before["custody"]["taken"], "a credential was read without need"
    kinds = after["kinds"]
    assert kinds["devices"]["list"] - before["kinds"]["devices"]["list"] == 1
    assert kinds["credentials"]["list"] - before["kinds"]["credentials"]["list"] == 1
    # the devices are read once each (their list lacks domains and connectivities); credentials are not
    assert kinds["devices"]["read"] - before["kinds"]["devices"]["read"] == 2
    assert kinds["credentials"]["read"] == before["kinds"]["credentials"]["read"]


def test_one_invalid_element_sends_nothing_and_names_every_problem(sim, playbook):
    devices = hosts(2)
    devices[1]["connectivities"] = ["SSH-22"]
    creds = credentials(1, password="x%d")
    creds.append(dict(password="y"))  # selects nothing
    _run, (result,) = run_tasks(playbook, [items(devices=devices, credentials=creds)])
    assert result["failed"]
    assert "devices[1] (hostname 'web-02')" in result["msg"] and "SSH-22" in result["msg"]
    assert "credentials[1] selects nothing" in result["msg"]
    assert counters(sim)["total"] == 0


def test_a_failed_element_does_not_stop_the_others(sim, playbook):
    seed_device(sim)
    creds = [dict(identifier="db-app", username="app", hostname="db-01", address="10.20.0.7", password="x"),
             dict(identifier="ghost-app", username="app", hostname="ghost", address="10.9.9.9", password="y")]
    _run, (result,) = run_tasks(playbook, [items(credentials=creds)])
    assert result["failed"]
    assert "credentials[1] (identifier 'ghost-app')" in result["msg"] and "pam_device" in result["msg"]
    outcome = result["credentials"]["results"]
    assert [r["operation"] for r in outcome] == ["created", None] and outcome[1]["failed"]
    assert sorted(c["identifier"] for c in records(sim, "credentials").values()) == ["db-app"]


def test_exclusive_device_tag_shows_the_cascade_in_check_mode_then_deactivates(sim, playbook):
    seed_device(sim, hostname="old-01", ip="10.0.9.9", device_tags="managed")
    seed_credential(sim, device={"hostname": "old-01", "ip": "10.0.9.9"}, username="root", identifier="old-root")
    seed_device(sim, hostname="theirs-01", ip="10.0.9.8", device_tags="other")
    task = items(devices=hosts(1), exclusive_tags={"devices": "managed"})
    _run, (checked,) = run_tasks(playbook, [task], check=True, diff=True)
    excluded = checked["devices"]["excluded"]
    assert [(e["hostname"], e["operation"]) for e in excluded] == [("old-01", "disabled")]
    assert counters(sim)["writes"] == 0
    assert "old-root" in _run.stdout, "the diff must list the credential the device takes along"

    _run, (applied,) = run_tasks(playbook, [task])
    assert applied["changed"]
    devices = {d["hostname"]: d for d in records(sim, "devices").values()}
    assert devices["old-01"]["active"] is False and devices["theirs-01"]["active"] is True
    assert [c["active"] for c in records(sim, "credentials").values()] == [False]

    _run, (again,) = run_tasks(playbook, [task])
    assert again["changed"] is False and again["devices"]["excluded"] == []


@pytest.mark.parametrize("option", ["credentials"])
def test_no_exclusive_tag_for_credentials_whose_tags_no_answer_shows(sim, playbook, option):
    _run, (result,) = run_tasks(playbook, [items(exclusive_tags={option: "managed"})])
    assert result["failed"] and "exclusive_tags" in result["msg"] and option in result["msg"]
    assert counters(sim)["total"] == 0
