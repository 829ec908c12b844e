"""The AWX credential plugin's PAM Core kinds (pam_credential, pam_ssh_key), built, installed and called
as AWX does (see test_credential_plugin.py): every field AWX's Machine credential takes, every way of
selecting, custody only for a password read, and every error with what an AWX admin must change."""

import pytest

from awx_items import assert_failed, lookup
from pam_support import DEVICE, seed_credential, seed_device, ssh_key_pair

PASSWORD = "canary-machine-password-Uv38"
PASSPHRASE = "canary-key-passphrase-Wd17"


def a2a(sim, app="pam-rw"):
    return {"client_id": sim.applications[app]["client_id"], "client_secret": sim.applications[app]["client_secret"]}


@pytest.fixture
def pam_items(sim):
    """A device with a credential and an SSH key; their ids and values."""
    seed_device(sim)
    private, public = ssh_key_pair()
    credential = seed_credential(sim, username="root", content=PASSWORD, identifier="db-01-root")
    key = sim.control.pam_seed("key", hostname=DEVICE["hostname"], ip=DEVICE["ip"], identifier="db-01-deploy",
                               username="deploy", private_key=private, public_key=public, password=PASSPHRASE)
    sim.control.reset()  # the counters
    return {"credential": credential, "key": key, "private_key": private, "public_key": public}


def test_every_machine_credential_field_by_every_selection(call, described, sim, pam_items):
    credential = {"kind": "pam_credential"}
    key = {"kind": "pam_ssh_key"}
    calls = [
        dict(credential, identifier=str(pam_items["credential"])),
        dict(credential, identifier="db-01-root"),
        dict(credential, identifier="root@db-01", field="username"),
        dict(key, identifier="db-01-deploy"),
        dict(key, identifier=str(pam_items["key"]), field="passphrase"),
        dict(key, identifier="db-01-deploy", field="public_key"),
        dict(key, identifier="db-01-deploy", field="username"),
    ]
    outcomes = call(*[lookup(described, sim, metadata, **a2a(sim)) for metadata in calls])
    assert [outcome.get("value", outcome.get("error")) for outcome in outcomes] == [
        PASSWORD, PASSWORD, "root", pam_items["private_key"], PASSPHRASE, pam_items["public_key"], "deploy"]
    # the two password reads took custody; the username came from the list
    assert sim.control.pam_counters()["custody"]["taken"] == 2
    assert sim.control.pam_counters()["writes"] == 0


def test_pam_errors_say_what_an_awx_admin_must_change(call, described, sim, pam_items):
    seed_credential(sim, username="old", content="x", identifier="db-01-old", active=False)
    credential = {"kind": "pam_credential"}
    secrets = [PASSWORD, PASSPHRASE, sim.applications["pam-scoped"]["client_secret"]]
    missing, scoped, no_pam, mysafe_key, inactive, named, bad_field = call(
        lookup(described, sim, dict(credential, identifier="ghost"), **a2a(sim)),
        lookup(described, sim, dict(credential, identifier="db-01-root"), **a2a(sim, "pam-scoped")),
        lookup(described, sim, dict(credential, identifier="db-01-root"), **a2a(sim, "system-only")),
        lookup(described, sim, dict(credential, identifier="db-01-root")),
        lookup(described, sim, dict(credential, identifier=str(pam_items["credential"] + 2)), **a2a(sim)),
        lookup(described, sim, dict(credential, name="root"), **a2a(sim)),
        lookup(described, sim, dict(credential, identifier="db-01-root", field="private_key"), **a2a(sim)))
    assert_failed(missing, "Segura PAM Core lookup", "Check Identifier", "username@hostname", secrets=secrets)
    assert_failed(scoped, "PAM Core", "A2A > Applications > Authorizations", secrets=secrets)
    assert_failed(no_pam, "PAM Core resource", secrets=secrets)
    assert_failed(mysafe_key, "PAM Core resource", secrets=secrets)
    assert_failed(inactive, "Activate the credential in Segura", secrets=secrets)
    assert_failed(named, "A PAM Core credential has no name", "select the credential by identifier", secrets=secrets)
    assert_failed(bad_field, "'private_key' is not a field of a PAM Core credential", "password, username",
                  secrets=secrets)
    assert sim.control.pam_counters()["custody"]["taken"] == 0
