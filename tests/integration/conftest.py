"""Shared fixtures for the integration tests: a live Segura simulator over HTTPS.

The simulator helpers import as ``simulator.control``: pytest.ini's ``pythonpath`` holds the
repo's ``tests/`` directory (``tests/simulator`` is a package), wherever pytest starts.
"""

import pytest

from simulator.control import SimulatorProcess


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    """One HTTPS simulator process for the whole session (one per xdist worker)."""
    with SimulatorProcess(tmp_path_factory.mktemp("segura-sim")) as process:
        yield process


@pytest.fixture
def sim(simulator):
    """The session simulator wiped clean: no secrets, counters, faults or latency."""
    simulator.control.reset(data=True)
    return simulator


@pytest.fixture
def playbook(sim, tmp_path):
    """Runs real ansible-playbook processes against the clean simulator (see playbook_runner.py)."""
    from playbook_runner import PlaybookRunner

    return PlaybookRunner(sim, tmp_path)
