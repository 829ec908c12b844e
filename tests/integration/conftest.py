"""Shared fixtures for the integration tests: a live Segura simulator over HTTPS.

The simulator helpers import as ``simulator.control``: pytest.ini's ``pythonpath`` holds the
repo's ``tests/`` directory (``tests/simulator`` is a package), wherever pytest starts.
"""

import threading
from http.server import ThreadingHTTPServer

import pytest

from lookup_origin import SECRET_VALUE, RecordingHandler
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


@pytest.fixture
def rogue():
    """``rogue.url`` and ``rogue.received``: every request that reached it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.received = []
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret_id(sim):
    """An API secret of the default user holding SECRET_VALUE; the counters reset after seeding."""
    identifier = sim.control.seed("secrets", name="probe", url="https://app.example.com", client_id="app-id",
                                  client_secret=SECRET_VALUE)
    sim.control.reset()
    return identifier
