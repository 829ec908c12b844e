"""What every benchmark shares: the simulator with seeded secrets, timing with counters, and
the ways of reading secrets being compared (bare requests, the lookup in-process, playbooks).

``bench/run.py`` decides what to measure and how often; ``bench/report.py`` shows it.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

SECRETS_PATH = "/api/mysafe/secretapi"
TOKEN_PATH = "/iso/oauth2/token"
USER = "alice"


@dataclass
class Measurement:
    """Repeated runs of one approach for one N: wall times and the simulator's counters."""

    approach: str
    n: int
    times: list = field(default_factory=list)
    cpu: list = field(default_factory=list)  # CPU seconds of this process and its finished children
    counters: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def cpu_median(self):
        return statistics.median(self.cpu)

    def _most(self, pick):
        return max(pick(c) for c in self.counters)

    @property
    def requests(self):
        return self._most(lambda c: c["total"])

    @property
    def tokens(self):
        return self._most(lambda c: c["token"])

    @property
    def reads(self):
        return self._most(lambda c: c["endpoints"]["read"] + c["endpoints"]["list"])

    @property
    def writes(self):
        return self._most(lambda c: c["writes"])

    def as_dict(self):
        return {"approach": self.approach, "n": self.n, "times": self.times, "cpu": self.cpu,
                "counters": self.counters}


def cpu_seconds():
    """CPU used so far by this process (all threads) and by its children that have ended.

    Wall time is what users wait for; CPU time shows the work itself when other processes
    compete for the machine's cores.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class PlaybookFailed(RuntimeError):
    pass


class Bench(object):
    """Runs approaches against one simulator; every measured run starts from zeroed counters."""

    def __init__(self, simulator, runner, workdir, latency_ms):
        self.sim = simulator
        self.runner = runner  # tests/integration/playbook_runner.PlaybookRunner: env, inventory, collection link
        self.workdir = Path(workdir)
        self.latency_ms = latency_ms
        self.credentials = simulator.users[USER]
        self.ids = []
        self.secrets = []
        self._lookup = None

    # -- setup -----------------------------------------------------------------------------

    def seed(self, count):
        """Create ``count`` secrets owned by the benchmark user (no latency, not measured)."""
        self.sim.control.reset(data=True)
        session, headers = self._session()
        for number in range(1, count + 1):
            body = {"name": "bench-%03d" % number, "url": "https://app%03d.example.com" % number,
                    "client_id": "client-%03d" % number, "client_secret": "value-%03d-9f2b" % number,
                    "identifier_code": "bench-%03d" % number, "tags": "bench", "method": "get",
                    "notes": "benchmark secret"}
            response = session.post(self.sim.url + SECRETS_PATH, json=body, headers=headers,
                                    verify=self.sim.ca_path, timeout=10)
            response.raise_for_status()
            identifier = int(response.json()["api_entity"]["identifier"])
            self.ids.append(identifier)
            self.secrets.append(dict(body, identifier=identifier, tags=["bench"]))
        session.close()

    def _session(self, pool=None):
        """A requests.Session with a fresh token: what any client has to do first."""
        session = requests.Session()
        if pool:
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool)
            session.mount("https://", adapter)
        form = dict(grant_type="client_credentials", **self.credentials)
        # verify= per request: REQUESTS_CA_BUNDLE in the environment overrides Session.verify.
        response = session.post(self.sim.url + TOKEN_PATH, data=form, verify=self.sim.ca_path, timeout=10)
        response.raise_for_status()
        return session, {"Authorization": "Bearer " + response.json()["access_token"]}

    def fresh_home(self):
        """An empty HOME, so the token cache (~/.ansible/segura/tokens) starts empty."""
        return tempfile.mkdtemp(prefix="home-", dir=self.workdir)

    # -- measuring -------------------------------------------------------------------------

    def measure(self, approach, n, runs, action, prepare=None):
        """Time ``action(prepared)`` ``runs`` times; ``prepare()`` runs untimed before each."""
        return self.measure_alternating({approach: action}, n, runs, prepare)[0]

    def measure_alternating(self, actions, n, runs, prepare=None):
        """Runs of several approaches ({name: action}) taken in turn, so that a busy spell of the
        machine slows them alike; returns one Measurement per approach."""
        results = {approach: Measurement(approach, n) for approach in actions}
        for _run in range(runs):
            for approach, action in actions.items():
                self._run_once(results[approach], action, prepare() if prepare else None)
        self.sim.control.reset()
        return list(results.values())

    def _run_once(self, result, action, prepared):
        self.sim.control.reset()  # zero counters; also clears latency
        self.sim.control.latency(self.latency_ms)
        start, cpu_start = time.perf_counter(), cpu_seconds()
        action(prepared)
        result.times.append(time.perf_counter() - start)
        result.cpu.append(cpu_seconds() - cpu_start)
        result.counters.append(self.sim.control.counters())

    # -- approach 1: the physical limit ----------------------------------------------------

    def bare_sequential(self, ids):
        session, headers = self._session()
        for identifier in ids:
            self._read(session, headers, identifier)
        session.close()

    def bare_parallel(self, ids, workers=8):
        session, headers = self._session(pool=workers)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda identifier: self._read(session, headers, identifier), ids))
        session.close()

    def _read(self, session, headers, identifier):
        response = session.get("%s%s/%d" % (self.sim.url, SECRETS_PATH, identifier), headers=headers,
                               verify=self.sim.ca_path, timeout=10)
        response.raise_for_status()
        return response.json()["api_secret_entity"]["client_secret"]

    # -- approach 2: the lookup, in-process through Ansible's plugin loader ----------------

    def lookup_plugin(self):
        """The collection's lookup as Ansible loads it (imports happen on the first call)."""
        if self._lookup is None:
            from ansible.plugins.loader import init_plugin_loader, lookup_loader

            init_plugin_loader([str(self.runner.collections_path)])
            self._lookup = lookup_loader.get("segura.pam.mysafe_api_secret")
        return self._lookup

    def lookup_in_process(self, ids, home):
        os.environ["HOME"] = home  # the token cache directory is resolved when the client is built
        values = self.lookup_plugin().run(
            list(ids), variables={}, segura_url=self.sim.url, segura_ca_path=str(self.sim.ca_path),
            segura_client_id=self.credentials["client_id"], segura_client_secret=self.credentials["client_secret"],
            segura_timeout=10)
        if len(values) != len(ids):
            raise RuntimeError("the lookup returned %d values for %d terms" % (len(values), len(ids)))

    # -- approaches 2-5 as playbooks --------------------------------------------------------

    def playbook(self, name, tasks, variables):
        """Write a one-play playbook and its variables; returns a runner for ``measure``."""
        path = self.workdir / ("%s.yml" % name)
        play = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + textwrap.indent(textwrap.dedent(tasks), "    ")
        path.write_text(play)
        vars_path = self.workdir / ("%s.vars.json" % name)
        vars_path.write_text(json.dumps(variables))
        command = [str(Path(sys.executable).parent / "ansible-playbook"), str(path), "-e", "@%s" % vars_path]

        def run(home):
            env = self.runner.env(USER, HOME=home)
            completed = subprocess.run(command, cwd=str(self.workdir), env=env, capture_output=True, text=True,
                                       timeout=1800, check=False)
            if completed.returncode != 0:
                raise PlaybookFailed("%s failed (rc %d):\n%s\n%s" % (path.name, completed.returncode,
                                                                     completed.stdout[-4000:],
                                                                     completed.stderr[-4000:]))
        return run
