"""What tests of every kind do with the simulator and the playbooks they run, defined once:
seed items, read what is stored, count writes, act as another user, pass secrets in a vars file,
prove that no secret value was printed.
"""

import json
from pathlib import Path

from kinds import ROWS

WRITE_ENDPOINTS = ("create", "update", "inactive", "active")


def _row(kind):
    return ROWS[kind] if isinstance(kind, str) else kind


def seed(sim, kind, owner="alice", active=True, sample=True, **fields):
    """Store one item of ``kind`` (a row or its name) as ``owner``, uncounted: the kind's sample
    with ``fields`` over it (``sample=False``: ``fields`` alone); returns its identifier."""
    row = _row(kind)
    return sim.control.seed(row.sim_name, owner=owner, active=active, **dict(row.sample if sample else {}, **fields))


def stored(sim, kind):
    """The simulator's items of ``kind`` by identifier (owner, active and clear values included)."""
    return {item["identifier"]: item for item in sim.control.items(_row(kind).sim_name)}


def writes(sim, kind):
    """Write requests that reached the endpoints of ``kind``, by endpoint."""
    endpoints = sim.control.counters(_row(kind).sim_name)["endpoints"]
    return {endpoint: endpoints[endpoint] for endpoint in WRITE_ENDPOINTS}


def as_user(sim, user):
    """The connection of ``user``, for a ``module_defaults`` block or lookup keywords."""
    creds = sim.users[user]
    return {"segura_client_id": creds["client_id"], "segura_client_secret": creds["client_secret"]}


def secret_vars(playbook, **values):
    """Values for ``vars_files: [secrets.yml]`` (beside the playbooks): at -vvv and more
    ansible-playbook prints its command line, so canaries never travel in ``-e``."""
    (playbook.workdir / "secrets.yml").write_text(json.dumps(values))


def cached_tokens(home):
    """Access tokens kept in the collection's token cache under ``home``."""
    directory = Path(home) / ".ansible" / "segura" / "tokens"
    return [json.loads(path.read_text())["access_token"] for path in sorted(directory.glob("*.json"))]


def assert_not_shown(text, values, where="the run's output"):
    """No value of ``values`` appears in ``text``: canaries, or a mapping label -> value, so that a
    failure names a real secret (an OAuth client secret, a bearer token) without showing it."""
    labelled = values if isinstance(values, dict) else {value: value for value in values}
    shown = sorted(label for label, value in labelled.items() if value in text)
    assert not shown, "%s shows: %s" % (where, ", ".join(shown))


def run_read_only(playbook, sim, text, extra_vars, **options):
    """Run a playbook of reads that must succeed, print no traceback and send no write at all."""
    result = playbook.run(text, extra_vars=extra_vars, **options)
    assert result.rc == 0, result
    assert "Traceback" not in result.output
    assert sim.control.counters()["writes"] == 0
    return result
