"""pam_credential and pam_credential_info beyond the lifecycle every PAM kind shares
(test_pam_by_kind.py): custody only where a password must be compared, the fields no answer shows,
a missing device, the checks before sending, and the info module's selections."""

from item_support import assert_not_shown, secret_vars
from pam_support import DEVICE, records, run_tasks, seed_credential, seed_device

SELECTOR = dict(identifier="db-01-app", username="app", hostname=DEVICE["hostname"], address=DEVICE["ip"])


def credential(**options):
    return {"segura.pam.pam_credential": dict(SELECTOR, **options)}


def custody_taken(sim):
    return sim.control.pam_counters()["custody"]["taken"]


def test_the_password_is_read_only_to_compare_it(sim, playbook):
    seed_device(sim)
    secret_vars(playbook, first="canary-first-Rb27", second="canary-second-Nw84")
    tasks = [credential(password="{{ first }}"),
             credential(password="{{ second }}"),
             credential(password="{{ second }}", update_password="always"),
             credential(password="{{ second }}", update_password="always")]
    run, results = run_tasks(playbook, tasks, vars_files=["secrets.yml"], diff=True, verbosity=4)
    assert [r["operation"] for r in results] == ["created", "unchanged", "updated", "unchanged"], results
    assert results[2]["diff"]["after"]["password"] == "******** (changed)"
    (stored,) = records(sim, "credentials").values()
    assert stored["content"] == "canary-second-Nw84"
    assert custody_taken(sim) == 2, "only the two update_password=always runs read the password"
    assert_not_shown(run.output, ["canary-first-Rb27", "canary-second-Nw84"])


def test_fields_no_answer_shows_are_never_a_change_but_said_and_written_with_the_next_one(sim, playbook):
    seed_device(sim)
    seed_credential(sim, username="app", identifier="db-01-app", content="x")
    _run, (tagged, changed) = run_tasks(playbook, [
        credential(tags=["payments"], additional="primary"),
        credential(tags=["payments"], additional="primary", credential_type="Local Administrator")])
    assert tagged["changed"] is False
    assert any("tags" in warning and "additional" in warning for warning in tagged["warnings"]), tagged
    assert changed["operation"] == "updated"
    (stored,) = records(sim, "credentials").values()
    assert (stored["tags"], stored["additional"], stored["credential_type"]) == (
        "payments", "primary", "Local Administrator")


def test_a_missing_device_fails_naming_it_and_stores_nothing(sim, playbook):
    _run, (result,) = run_tasks(playbook, [credential(password="x")])
    assert result["failed"] and "1011" in result["msg"] and "pam_device" in result["msg"]
    assert records(sim, "credentials") == {}


def test_an_invalid_identifier_fails_before_any_request(sim, playbook):
    _run, (result,) = run_tasks(playbook, [credential(identifier="db 01/app", password="x")])
    assert result["failed"] and "identifier" in result["msg"] and "letters, digits" in result["msg"]
    assert sim.control.pam_counters()["total"] == 0


def test_info_selects_one_or_lists_without_custody_unless_revealed(sim, playbook):
    seed_device(sim)
    seed_device(sim, hostname="db-02", ip="10.20.0.8")
    seed_credential(sim, username="app", identifier="db-01-app", content="canary-info-Gd52")
    seed_credential(sim, username="root", identifier="db-01-root", content="y", credential_type="Local Administrator")
    seed_credential(sim, device={"hostname": "db-02", "ip": "10.20.0.8"}, username="app", identifier="db-02-app",
                    content="z")
    info = "segura.pam.pam_credential_info"
    run, results = run_tasks(playbook, [
        {info: {"identifier": "db-01-app"}},
        {info: {"username": "app", "hostname": "db-02"}},
        {info: {"hostname": "db-01"}},
        {info: {"credential_type": "Local Administrator"}},
        {info: {"username": "app"}},
        {info: {"identifier": "db-01-app", "reveal_secret": True}},
        {info: {"username": "app", "reveal_secret": True}}])
    one, by_name, on_db01, admins, apps, revealed, refused = results
    assert one["credential"]["username"] == "app" and "password" not in one["credential"]
    assert by_name["credential"]["identifier"] == "db-02-app"
    assert sorted(c["identifier"] for c in on_db01["credentials"]) == ["db-01-app", "db-01-root"]
    assert [c["identifier"] for c in admins["credentials"]] == ["db-01-root"]
    assert sorted(c["identifier"] for c in apps["credentials"]) == ["db-01-app", "db-02-app"]
    assert all("password" not in c for c in apps["credentials"])
    assert revealed["credential"]["password"] == "canary-info-Gd52"
    assert refused["failed"] and "reveal_secret" in refused["msg"]
    assert custody_taken(sim) == 1
