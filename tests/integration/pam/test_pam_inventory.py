"""The inventory plugin segura.pam.pam_inventory: ``ansible-inventory --list`` against the simulator.

Every option is exercised on real runs: filters, include_inactive, hostnames, credentials, the
constructed options, the cache; with one list request per kind per refresh, none from the cache,
and no secret in any output or cache file.
"""

import json
import subprocess

from pam_support import app_env, seed_credential, seed_device
from playbook_runner import BIN

CANARY_PASSWORD = "canary-inventory-password-Qz81"
WEB = dict(hostname="web-01", ip="10.0.0.11", type="Linux", vendor="Canonical", model="Ubuntu 24.04", site="DC1",
           device_tags="prod,web")
WEB2 = dict(WEB, hostname="web-02", ip="10.0.0.12", device_tags="web")
DB = dict(hostname="db-01", ip="10.0.0.21", type="Database", vendor="PostgreSQL", model="16", site="DC2",
          device_tags="prod")


def seed(sim):
    """Three devices, two credentials on web-01 (one with a canary password), one on db-01; counters reset."""
    for device in (WEB, WEB2, DB):
        seed_device(sim, **device)
    seed_credential(sim, WEB, identifier="web-01-root", username="root", content=CANARY_PASSWORD,
                    credential_type="Local Administrator")
    seed_credential(sim, WEB, identifier="web-01-app", username="app", content=CANARY_PASSWORD + "-2")
    seed_credential(sim, DB, identifier="db-01-pg", username="postgres", content=CANARY_PASSWORD + "-3")
    sim.control.reset()


def inventory(playbook, source, name="segura.yml", verbosity=0, app="pam-rw", env=None, args=()):
    """(completed ansible-inventory --list run, its JSON or None) over the inventory file ``source``."""
    path = playbook.workdir / name
    path.write_text(source)
    listing = playbook.workdir / "listed.json"
    listing.unlink(missing_ok=True)
    command = [str(BIN / "ansible-inventory"), "-i", str(path), "--list", "--output", str(listing)]
    command += (["-" + "v" * verbosity] if verbosity else []) + list(args)
    environment = playbook.env(**dict(app_env(playbook.simulator, app), ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
                                      **(env or {})))
    run = subprocess.run(command, cwd=str(playbook.workdir), env=environment, capture_output=True, text=True,
                         timeout=120, check=False)
    assert "Traceback" not in run.stderr, run.stderr
    listed = json.loads(listing.read_text()) if run.returncode == 0 else None
    return run, listed


def plain(value):
    """``value`` with Ansible's mark of an unsafe string (``{"__ansible_unsafe": text}``) taken off."""
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else {
            key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def hostvars(listed):
    return plain(listed["_meta"]["hostvars"])


def members(listed, group):
    return set(listed.get(group, {}).get("hosts", []))


def list_counts(sim):
    kinds = sim.control.pam_counters()["kinds"]
    return {plural: kinds[plural]["list"] for plural in ("devices", "credentials")}


def test_hosts_filters_credentials_and_constructed_options(sim, playbook):
    seed(sim)
    run, listed = inventory(playbook, """
plugin: segura.pam.pam_inventory
credentials: true
filters: {type: Linux, tags: [web]}
compose:
  ansible_user: segura_credentials[0].username
  device_site: segura_device.site | lower
groups:
  production: "'prod' in segura_device.tags"
keyed_groups:
  - key: segura_device.vendor
    prefix: vendor
  - key: segura_device.model
leading_separator: false
""", verbosity=4)
    assert run.returncode == 0, run.stderr
    found = hostvars(listed)
    assert set(found) == {"web-01", "web-02"}  # db-01 is not Linux
    web = found["web-01"]
    # Segura's data reaches Ansible marked unsafe: never rendered as a template
    assert listed["_meta"]["hostvars"]["web-01"]["segura_device"]["hostname"] == {"__ansible_unsafe": "web-01"}
    assert web["ansible_host"] == "10.0.0.11"
    assert web["segura_device"] == {"id": web["segura_device"]["id"], "hostname": "web-01", "address": "10.0.0.11",
                                    "type": "Linux", "vendor": "Canonical", "model": "Ubuntu 24.04", "site": "DC1",
                                    "tags": ["prod", "web"], "active": True}
    assert [c["identifier"] for c in web["segura_credentials"]] == ["web-01-root", "web-01-app"]
    assert set(web["segura_credentials"][0]) == {"id", "identifier", "username", "credential_type"}
    assert web["segura_credentials"][0]["credential_type"] == "Local Administrator"
    assert found["web-02"]["segura_credentials"] == []
    assert web["ansible_user"] == "root" and "ansible_user" not in found["web-02"]  # strict: false skips it
    assert web["device_site"] == "dc1"
    assert members(listed, "production") == {"web-01"}
    assert members(listed, "vendor_Canonical") == {"web-01", "web-02"}
    assert members(listed, "Ubuntu_24_04") == {"web-01", "web-02"}  # not _Ubuntu_24_04
    # one list request per kind, whatever the hosts; no read, so no custody
    assert list_counts(sim) == {"devices": 1, "credentials": 1}
    counters = sim.control.pam_counters()
    assert counters["reads"] == 2 and counters["custody"]["taken"] == 0
    secret = sim.applications["pam-rw"]["client_secret"]
    shown = run.stdout + run.stderr + json.dumps(listed)
    assert "pam_inventory" in run.stdout  # -vvvv did tell its story
    for value in (CANARY_PASSWORD, secret, "Bearer"):
        assert value not in shown


def test_filters_all_must_hold_and_hostnames_address(sim, playbook):
    seed(sim)
    run, listed = inventory(playbook, """
plugin: segura.pam.pam_inventory
hostnames: [address]
filters: {site: DC1, vendor: Canonical, model: Ubuntu 24.04, tags: [prod, web]}
""", name="pam.yml", args=["-e", "segura_url=https://127.0.0.1:9"])  # not named *segura.yml: its plugin line
    assert run.returncode == 0, run.stderr
    assert set(hostvars(listed)) == {"10.0.0.11"}
    assert "segura_credentials" not in hostvars(listed)["10.0.0.11"]
    assert list_counts(sim) == {"devices": 1, "credentials": 0}  # credentials: false lists none
    # an inventory source takes no variables: extra vars did not send the credentials elsewhere
    run, _listed = inventory(playbook, "plugin: segura.pam.pam_inventory\nfilters: {rack: A}\n")
    assert run.returncode != 0 and "unknown rack" in run.stderr
    # two devices at one address: the first listed names the host, and a warning says so
    seed_device(sim, **{**WEB, "hostname": "web-01-mgmt"})
    run, listed = inventory(playbook, "plugin: segura.pam.pam_inventory\nhostnames: [address]\n")
    assert hostvars(listed)["10.0.0.11"]["segura_device"]["hostname"] == "web-01"
    assert set(hostvars(listed)) == {"10.0.0.11", "10.0.0.12", "10.0.0.21"}
    assert "more than one device is named 10.0.0.11" in run.stderr


def test_inactive_devices(sim, playbook):
    seed(sim)
    seed_device(sim, **{**WEB, "hostname": "old-01", "ip": "10.0.0.99", "active": False})
    seed_credential(sim, dict(hostname="old-01", ip="10.0.0.99"), identifier="old-01-root", username="root",
                    active=False)
    sim.control.pam_switches(inactive_listed=True, active_flag=True)
    source = "plugin: segura.pam.pam_inventory\ncredentials: true\n"
    _run, hidden = inventory(playbook, source)
    assert set(hostvars(hidden)) == {"web-01", "web-02", "db-01"}
    run, shown = inventory(playbook, source + "include_inactive: true\n")
    assert run.returncode == 0, run.stderr
    old = hostvars(shown)["old-01"]
    assert old["segura_device"]["active"] is False and hostvars(shown)["web-01"]["segura_device"]["active"] is True
    assert [c["identifier"] for c in old["segura_credentials"]] == ["old-01-root"]
    # a server that hides inactive devices does not list them, whatever include_inactive says
    sim.control.pam_switches(inactive_listed=False)
    _run, hiding = inventory(playbook, source + "include_inactive: true\n")
    assert set(hostvars(hiding)) == {"web-01", "web-02", "db-01"}


def test_verify_file_claims_segura_names_and_its_plugin_line(tmp_path):
    from ansible_collections.segura.pam.plugins.inventory.pam_inventory import InventoryModule

    files = {"prod.segura.yml": "plugin: other\n", "pam.yaml": "# PAM\nplugin: 'segura.pam.pam_inventory'\n",
             "hosts.yml": "all:\n  hosts: {plugin: {}}\n", "pam.ini": "plugin: segura.pam.pam_inventory\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    claimed = {name for name in files if InventoryModule().verify_file(str(tmp_path / name))}
    assert claimed == {"prod.segura.yml", "pam.yaml"}


def test_strict_fails_on_a_broken_expression(sim, playbook):
    seed(sim)
    run, _listed = inventory(playbook, """
plugin: segura.pam.pam_inventory
strict: true
compose:
  ansible_user: segura_credentials[0].username
""")
    assert run.returncode != 0 and "segura_credentials" in run.stderr


def test_cache_serves_a_refresh_without_requests_and_holds_no_secret(sim, playbook):
    seed(sim)
    cache_dir = playbook.workdir / "inventory-cache"
    source = """
plugin: segura.pam.pam_inventory
credentials: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: %s
cache_timeout: 600
""" % cache_dir
    first_run, first = inventory(playbook, source)
    assert first_run.returncode == 0, first_run.stderr
    assert list_counts(sim) == {"devices": 1, "credentials": 1}
    sim.control.reset()
    second_run, second = inventory(playbook, source)
    assert second_run.returncode == 0, second_run.stderr
    assert second == first
    assert sim.control.pam_counters()["total"] == 0 and sim.control.counters()["token"] == 0
    cached = "".join(path.read_text() for path in cache_dir.iterdir())
    assert "web-01-root" in cached
    for secret in (CANARY_PASSWORD, sim.applications["pam-rw"]["client_secret"]):
        assert secret not in cached
