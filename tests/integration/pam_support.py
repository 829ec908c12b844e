"""What the PAM Core tests share, defined once: run a playbook as an A2A application, seed the
simulator's devices, credentials and keys, and count what reached PAM Core.

PAM Core takes an A2A application's OAuth2 client (tests/simulator/a2a.json: ``pam-rw``,
``pam-ro``, ``pam-scoped``, ``system-only``), not a MySafe access key.
"""

from playbook_runner import localhost_play

DEVICE = dict(hostname="db-01", ip="10.20.0.7", type="Database", vendor="PostgreSQL", model="15", site="DC1")


def app_env(sim, app="pam-rw"):
    """The environment that makes the collection's plugins connect as A2A application ``app``."""
    creds = sim.applications[app]
    return {"SEGURA_CLIENT_ID": creds["client_id"], "SEGURA_CLIENT_SECRET": creds["client_secret"]}


def run_pam(playbook, tasks, app="pam-rw", env=None, **options):
    """Run ``tasks`` (YAML of a task list) on localhost as ``app``; options as PlaybookRunner.run."""
    return playbook.run(localhost_play(tasks, vars_files=options.pop("vars_files", ())),
                        env=dict(app_env(playbook.simulator, app), **(env or {})), **options)


def seed_device(sim, **fields):
    """A device (DEVICE with ``fields`` over it); returns its id."""
    return sim.control.pam_seed("device", **dict(DEVICE, **fields))


def seed_credential(sim, device=None, **fields):
    """A credential on ``device`` (a dict with hostname and ip; DEVICE by default); returns its id."""
    device = device or DEVICE
    return sim.control.pam_seed("credential", hostname=device["hostname"], ip=device["ip"], **fields)


def records(sim, plural):
    """The simulator's stored ``devices``, ``credentials`` or ``keys`` by id."""
    return {record["id"]: record for record in sim.control.pam_records(plural)}


def pam_writes(sim):
    """Write requests (upserts, activations, custody releases) that reached PAM Core."""
    return sim.control.pam_counters()["writes"]


def run_tasks(playbook, tasks, app="pam-rw", **options):
    """Run module tasks (a list of dicts, each ``{module: options}`` plus task keywords) on localhost
    as ``app``; returns (the run, each task's registered result). The tasks may fail: their results
    say so."""
    import json

    results_file = playbook.workdir / ("results_%d.json" % id(tasks))
    listed = [dict(task, register="result_%d" % index, ignore_errors=True) for index, task in enumerate(tasks)]
    listed.append({"ansible.builtin.copy": {
        "content": "{{ [%s] | to_json }}" % ", ".join("result_%d" % index for index in range(len(tasks))),
        "dest": str(results_file), "mode": "0600"}, "check_mode": False, "diff": False})
    run = run_pam(playbook, json.dumps(listed), app=app, **options)
    assert "Traceback" not in run.output, run
    return run, json.loads(results_file.read_text()) if results_file.exists() else None


def ssh_key_pair(comment="deploy@ci", passphrase=None):
    """(private key in OpenSSH PEM form, public key line): a new ed25519 pair, encrypted with ``passphrase``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    # PKCS8 when encrypted: an encrypted OpenSSH key needs bcrypt, which the test venv does not hold
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8 if passphrase
                                else serialization.PrivateFormat.OpenSSH,
                                serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                                else serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, "%s %s" % (public.decode(), comment)


class PamRow(object):
    """What the tests of every PAM Core kind need of one kind: its module, options that create an
    item (secrets as canaries), one field to change, and the simulator's record of it."""

    def __init__(self, kind, options, change, plural, needs_device=True):
        self.kind = kind
        self.module = kind.module
        self.options = options
        self.change = change
        self.plural = plural
        self.needs_device = needs_device
        self.secrets = [options[field] for field in kind.secret_fields if options.get(field)]

    def __repr__(self):
        return self.kind.name

    def record(self, sim):
        """The one stored record of this kind (the tests store one)."""
        (record,) = [r for r in records(sim, self.plural).values()
                     if self.kind.name == "device" or r.get("identifier") == self.options.get("identifier")]
        return record


def pam_rows():
    """One row per PAM Core kind of the kinds table (plugins/module_utils/_kinds.py: PAM_KINDS)."""
    from ansible_collections.segura.pam.plugins.module_utils._kinds import PAM_KINDS

    passphrase = "canary-passphrase-Mk30"
    private_key, public_key = ssh_key_pair(passphrase=passphrase)
    device = dict(hostname=DEVICE["hostname"], address=DEVICE["ip"])
    rows = {
        "device": PamRow(PAM_KINDS["device"], dict(hostname="app-01", address="10.30.0.1", type="Server",
                                                   vendor="Canonical", model="Ubuntu 24.04", site="DC1",
                                                   tags=["app"], connectivities=["SSH:22"]),
                         dict(site="DC2"), "devices", needs_device=False),
        "credential": PamRow(PAM_KINDS["credential"], dict(device, identifier="db-01-svc", username="svc",
                                                           password="canary-password-Jw42"),
                             dict(credential_type="Local Administrator"), "credentials"),
        "ssh_key": PamRow(PAM_KINDS["ssh_key"], dict(device, identifier="db-01-deploy-key", username="deploy",
                                                     private_key=private_key, public_key=public_key,
                                                     passphrase=passphrase),
                          dict(key_name="deploy key 2026"), "keys"),
    }
    assert set(rows) == set(PAM_KINDS), "a PAM kind of the table has no test row"
    return rows
