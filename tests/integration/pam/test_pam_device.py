"""pam_device and pam_device_info against the simulator: what each run costs (reads and writes, from
the simulator's PAM counters taken between the tasks of one playbook), the device's lifecycle on
every documented server variant, checks made before anything is sent, the permissions an A2A
application needs, and the info module's selection and exact filters."""

import pytest

from item_support import assert_not_shown, secret_vars
from pam_support import DEVICE, records, run_tasks, seed_credential, seed_device

MODULE = "segura.pam.pam_device"
INFO = "segura.pam.pam_device_info"
APP_01 = dict(hostname="app-01", address="10.30.0.1", type="Server", vendor="Canonical", model="Ubuntu 24.04",
              site="DC1", domains=["corp.lab"], tags=["app", "Web"], connectivities=["SSH:22", "HTTPS:443"])
# pam-core.md §11 q1, q9, q10, q22: the server variants a client must survive. ``pinned`` sets
# segura_pam_path on a server that serves iso/pam only.
# The lifecycle itself on the flagged and pre-3.33 servers is in test_pam_by_kind.py.
VARIANTS = {
    "hidden": ({}, {}),
    "api-only": ({"prefixes": "api"}, {}),
    "iso-only": ({"prefixes": "iso"}, {}),
    "pinned": ({"prefixes": "iso"}, {"segura_pam_path": "iso/pam"}),
}


def snapshot(sim, what="pam/counters"):
    """A task that reads the simulator's ``/_sim/<what>`` (uncounted) into the run's results."""
    return {"ansible.builtin.uri": {"url": "%s/_sim/%s" % (sim.url, what), "ca_path": str(sim.ca_path)},
            "check_mode": False}


def device_task(options, **keywords):
    return dict({MODULE: options}, **keywords)


def steps_with_counters(sim, steps):
    """``steps`` (tasks) each followed by a counters snapshot; returns the task list."""
    tasks = [snapshot(sim)]
    for step in steps:
        tasks += [step, snapshot(sim)]
    return tasks


def outcomes(results):
    """[(task result, {reads, writes} the task cost)] of a run of :func:`steps_with_counters`."""
    counters = [result["json"] for result in results[0::2]]
    return [(result, {"reads": after["reads"] - before["reads"], "writes": after["writes"] - before["writes"]})
            for result, before, after in zip(results[1::2], counters, counters[1:])]


def pam_prefixes(sim):
    """The PAM Core paths requested so far, by prefix: {"api/pam": n, "iso/pam": n}."""
    paths = [entry["path"] for entry in sim.control.requests()]
    return dict((prefix, sum(1 for path in paths if path.startswith("/%s/" % prefix)))
                for prefix in ("api/pam", "iso/pam"))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_lifecycle_costs_at_most_two_reads_and_one_write(sim, playbook, variant):
    switches, connection = VARIANTS[variant]
    sim.control.pam_switches(**switches)
    sim.control.pam_domains("corp.lab")
    options = dict(APP_01, **connection)
    present = [
        device_task(options),
        device_task(options),
        device_task(dict(options, site="DC2")),
        # sets: order and the protocol's case do not count
        device_task(dict(options, site="DC2", tags=["Web", "app"], connectivities=["https:443", "ssh:22"])),
    ]
    run, results = run_tasks(playbook, steps_with_counters(sim, present))
    (created, create_cost), (again, again_cost), (updated, update_cost), (as_sets, sets_cost) = outcomes(results)
    assert [r["operation"] for r in (created, again, updated, as_sets)] == [
        "created", "unchanged", "updated", "unchanged"], results
    # the list, the read of the new device, and the not-found probe of its hostname
    assert create_cost["writes"] == 1 and create_cost["reads"] <= 3, create_cost
    assert created["device"]["connectivities"] == ["SSH:22", "HTTPS:443"] and created["id"] == 1
    assert again_cost["writes"] == 0 and again_cost["reads"] <= 2
    assert again["changed"] is False
    assert update_cost["writes"] == 1 and update_cost["reads"] <= 2
    before, after = updated["diff"]["before"], updated["diff"]["after"]
    assert [field for field in after if before.get(field) != after[field]] == ["site"], updated["diff"]
    assert (before["site"], after["site"]) == ("DC1", "DC2")
    assert sets_cost["writes"] == 0 and sets_cost["reads"] <= 2
    (stored,) = records(sim, "devices").values()
    assert stored["site"] == "DC2" and stored["active"] is True

    first_run = pam_prefixes(sim)
    on_device = dict(hostname="app-01", ip=APP_01["address"])
    seed_credential(sim, on_device, username="svc", identifier="app-01-svc", content="pw")
    seed_credential(sim, on_device, username="root", identifier="app-01-root", content="pw")
    selector = dict(hostname="app-01", **connection)
    absent_present = [
        device_task(dict(selector, state="absent"), check_mode=True, diff=True),
        device_task(dict(selector, state="absent")),
        device_task(dict(selector, state="absent")),
        device_task(dict(options, site="DC2")),
        device_task(dict(options, site="DC2")),
    ]
    _run, results = run_tasks(playbook, steps_with_counters(sim, absent_present))
    (checked, checked_cost), (absent, _c), (absent_again, again_cost), (enabled, _e), (present_again, last_cost) = \
        outcomes(results)
    assert [r["operation"] for r in (checked, absent, absent_again, enabled, present_again)] == [
        "disabled", "disabled", "unchanged", "enabled", "unchanged"], results
    assert checked_cost["writes"] == 0
    assert sorted(c["identifier"] for c in checked["diff"]["after"]["deactivates"]) == ["app-01-root", "app-01-svc"]
    assert checked["diff"]["before"] == {"active": True, "deactivates": []}
    assert again_cost["writes"] == 0 and last_cost["writes"] == 0
    assert records(sim, "devices")[1]["active"] is True
    # the cascade, which reactivating the device does not reverse (decision 4)
    assert [c["active"] for c in records(sim, "credentials").values()] == [False, False]

    # one module task, one client: at most one refused request each (iso-only), none when pinned
    module_tasks = len(present) + len(absent_present)
    prefixes = pam_prefixes(sim)
    if variant == "iso-only":
        assert first_run["api/pam"] == len(present) and prefixes["api/pam"] == module_tasks, prefixes
    elif variant == "pinned":
        assert prefixes["api/pam"] == 0, prefixes
    else:  # api/pam answered: iso/pam never tried
        assert prefixes["iso/pam"] == 0, prefixes
    assert "Traceback" not in run.output


def test_checks_before_sending_and_what_create_needs(sim, playbook):
    sim.control.pam_domains("corp.lab")
    seed_device(sim)
    tasks = [
        device_task(dict(APP_01, connectivities=["SSH:22", "ssh"])),
        snapshot(sim, "requests"),
        device_task({"hostname": "new-01"}),
        snapshot(sim),
        device_task(dict(APP_01, domains=["unknown.lab"])),
        device_task({"hostname": DEVICE["hostname"], "domains": ["unknown.lab"]}),
    ]
    _run, (invalid, requests, missing, counters, unknown_domain, unknown_on_update) = run_tasks(playbook, tasks)
    assert invalid["failed"] and "connectivities" in invalid["msg"] and "'ssh'" in invalid["msg"], invalid
    assert "PROTOCOL:PORT" in invalid["msg"]
    assert requests["json"]["requests"] == [], "an invalid option sent a request"
    assert missing["failed"] and "address, type, vendor, model, site are required" in missing["msg"], missing
    assert counters["json"]["writes"] == 0
    for failed in (unknown_domain, unknown_on_update):
        assert failed["failed"] and "1029" in failed["msg"] and "Register the domain" in failed["msg"], failed
    assert sorted(r["hostname"] for r in records(sim, "devices").values()) == [DEVICE["hostname"]]
    assert records(sim, "devices")[1].get("device_domain", "") == ""


def test_permissions_a_read_only_application_system_only_and_a_mysafe_user(sim, playbook):
    secret_vars(playbook, **dict(("%s_secret" % name.replace("-", "_"), sim.applications[name]["client_secret"])
                                 for name in ("pam-ro", "system-only")),
                alice_secret=sim.users["alice"]["client_secret"])

    def as_(client_id, secret_var, **keywords):
        return device_task(dict(APP_01, domains=[], segura_client_id=client_id,
                                segura_client_secret="{{ %s }}" % secret_var), **keywords)

    tasks = [as_(sim.applications["pam-ro"]["client_id"], "pam_ro_secret", check_mode=True),
             as_(sim.applications["pam-ro"]["client_id"], "pam_ro_secret"),
             as_(sim.applications["system-only"]["client_id"], "system_only_secret"),
             as_(sim.users["alice"]["client_id"], "alice_secret")]
    run, (checked, read_only, system_only, mysafe_user) = run_tasks(playbook, tasks, vars_files=["secrets.yml"])
    assert checked["operation"] == "created" and checked["changed"] and not checked.get("failed"), checked
    assert read_only["failed"] and "1039" in read_only["msg"] and "Read and write" in read_only["msg"], read_only
    for failed in (system_only, mysafe_user):
        assert failed["failed"] and "PAM Core resource" in failed["msg"], failed
    assert records(sim, "devices") == {}
    assert sim.control.pam_counters()["writes"] == 1, "only the read-only application's one refused write"


def test_info_one_device_in_full_exact_filters_and_an_inactive_one(sim, playbook):
    sim.control.pam_domains("corp.lab")
    seed_device(sim, device_domain="corp.lab", device_tags="db,payments", connectivities="SSH:22,PostgreSQL:5432")
    seed_device(sim, hostname="web-01", ip="10.20.0.8", type="Server", vendor="Canonical", model="Ubuntu 24.04",
                site="DC1-old", device_tags="web,payments-old")
    seed_device(sim, hostname="old-01", ip="10.20.0.9", active=False)
    tasks = [{INFO: {"hostname": "db-01"}}, {INFO: {"id": 2}}, {INFO: {"hostname": "old-01"}},
             {INFO: {}}, {INFO: {"site": "DC1"}}, {INFO: {"type": "Server"}}, {INFO: {"vendor": "PostgreSQL"}},
             {INFO: {"model": "Ubuntu 24.04"}}, {INFO: {"tag": "payments"}}, {INFO: {"site": "DC"}}]
    _run, results = run_tasks(playbook, tasks)
    by_hostname, by_id, inactive = (r["device"] for r in results[:3])
    assert by_hostname == {"id": 1, "hostname": "db-01", "address": "10.20.0.7", "type": "Database",
                           "vendor": "PostgreSQL", "model": "15", "site": "DC1", "domains": ["corp.lab"],
                           "tags": ["db", "payments"], "connectivities": ["SSH:22", "PostgreSQL:5432"],
                           "active": True}
    assert by_id["hostname"] == "web-01" and by_id["active"] is True
    assert inactive["hostname"] == "old-01" and inactive["active"] is False
    listed = [sorted(device["hostname"] for device in result["devices"]) for result in results[3:]]
    # the simulator hides inactive devices from its list by default
    assert listed == [["db-01", "web-01"], ["db-01"], ["web-01"], ["db-01"], ["web-01"], ["db-01"], []]
    assert sim.control.pam_counters()["writes"] == 0


def test_the_client_secret_is_never_shown_at_vvvv(sim, playbook):
    secret = sim.applications["pam-rw"]["client_secret"]
    secret_vars(playbook, pam_secret=secret)
    connection = {"segura_client_secret": "{{ pam_secret }}"}
    tasks = [device_task(dict(APP_01, domains=[], **connection), diff=True),
             device_task(dict(hostname="app-01", state="absent", **connection), check_mode=True, diff=True),
             {INFO: dict(hostname="app-01", **connection)}]
    run, results = run_tasks(playbook, tasks, vars_files=["secrets.yml"], verbosity=4,
                             env={"SEGURA_CLIENT_SECRET": None})
    assert [r.get("operation") for r in results[:2]] == ["created", "disabled"], results
    assert results[2]["device"]["hostname"] == "app-01"
    assert_not_shown(run.output, {"the A2A client secret": secret})
