"""Shared fixtures for the integration tests: a live Segura simulator over HTTPS.

The repo's ``tests/`` directory goes on ``sys.path`` so the simulator helpers import as
``simulator.control`` (``tests/simulator`` is a package) no matter where pytest starts.
"""

import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from simulator.control import SimulatorProcess  # noqa: E402 - needs the path above


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
