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
