"""What every benchmark shares: the simulator with seeded secrets, timing with counters, and
the ways of reading secrets being compared (bare requests, the lookup in-process, playbooks,
with the CPU time and peak memory of each ansible-playbook process tree).

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
import threading
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
    latency_ms: float = 0
    times: list = field(default_factory=list)
    cpu: list = field(default_factory=list)  # CPU seconds of this process and its finished children
    counters: list = field(default_factory=list)
    # playbook runs only: KiB, the largest process of the ansible-playbook tree (exact, from wait4)
    # and the whole tree's resident memory summed (sampled, only where asked for)
    largest_rss: list = field(default_factory=list)
    tree_rss: list = field(default_factory=list)

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
    def lists(self):
        return self._most(lambda c: c["endpoints"]["list"])

    @property
    def item_reads(self):
        return self._most(lambda c: c["endpoints"]["read"])

    @property
    def creates(self):
        return self._most(lambda c: c["endpoints"]["create"])

    @property
    def peak_largest_rss(self):
        return max(self.largest_rss) if self.largest_rss else None

    @property
    def peak_tree_rss(self):
        return max(self.tree_rss) if self.tree_rss else None

    @property
    def writes(self):
        return self._most(lambda c: c["writes"])

    def as_dict(self):
        return {"approach": self.approach, "n": self.n, "latency_ms": self.latency_ms, "times": self.times,
                "cpu": self.cpu, "counters": self.counters, "largest_rss_kib": self.largest_rss,
                "tree_rss_kib": self.tree_rss}


def cpu_seconds():
    """CPU used so far by this process (all threads) and by its children that have ended.

    Wall time is what users wait for; CPU time shows the work itself when other processes
    compete for the machine's cores.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@dataclass
class Scenario:
    """What ``Bench.measure_rounds`` runs: ``action(prepared)`` ``runs`` times at ``latency_ms``
    (None: the benchmark's latency)."""

    approach: str
    n: int
    action: object
    runs: int
    latency_ms: float = None


class PlaybookFailed(RuntimeError):
    pass


def _tree_rss_kib(root):
    """Resident memory of ``root`` and all its descendants, in KiB (from /proc; psutil is not a
    dependency)."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        parents[int(entry)] = int(fields[1])  # fields after "(comm)": state, ppid, ...
        rss[int(entry)] = int(fields[21])  # rss in pages
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(frontier)
    return sum(rss.get(pid, 0) for pid in tree) * os.sysconf("SC_PAGE_SIZE") // 1024


class TreeMemorySampler(threading.Thread):
    """The highest summed RSS of a process tree, sampled every ``interval`` seconds."""

    def __init__(self, pid, interval=0.05):
        super(TreeMemorySampler, self).__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))
            self.done.wait(self.interval)

    def stop(self):
        self.done.set()
        self.join()
        return self.peak_kib


def run_measured(command, sample_tree=False, timeout=1800, **popen):
    """Run ``command`` to its end (killed after ``timeout`` s); (returncode, stdout, stderr,
    largest_rss_kib, tree_rss_kib or None).

    wait4 gives the child's own rusage with its reaped descendants folded in: ru_maxrss is the
    resident peak of the largest process of the tree (the controller, a worker or the module).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, **popen)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        sampler = TreeMemorySampler(process.pid) if sample_tree else None
        if sampler:
            sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        watchdog.cancel()
        tree_peak = sampler.stop() if sampler else None
        out.seek(0)
        err.seek(0)
        return (process.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                usage.ru_maxrss, tree_peak)


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
        """Start from an empty simulator with ``count`` secrets owned by the benchmark user."""
        self.sim.control.reset(data=True)
        self.secrets = self.seed_secrets(USER, count)
        self.ids = [secret["identifier"] for secret in self.secrets]

    def seed_secrets(self, owner, count, prefix="bench"):
        """Store ``count`` secrets owned by ``owner`` through the simulator's control API (with the
        API's checks, uncounted, no latency); returns them as items of the modules, identifier
        included."""
        secrets = []
        for item in secret_items(count, prefix):
            body = dict(item, tags=",".join(item["tags"]))
            secrets.append(dict(item, identifier=self.sim.control.seed("secrets", owner=owner, **body)))
        return secrets

    def _session(self, pool=1):
        """A bare requests session (the HTTP library under the collection's client), its pool sized
        for ``pool`` threads, with a fresh token: what any client has to do first."""
        session = requests.Session()
        session.mount("https://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool))
        form = dict(grant_type="client_credentials", **self.credentials)
        # verify given per request: a session's own would lose to REQUESTS_CA_BUNDLE
        response = session.post(self.sim.url + TOKEN_PATH, data=form, timeout=10, verify=str(self.sim.ca_path))
        if response.status_code != 200:
            raise RuntimeError("token request answered %d" % response.status_code)
        return session, {"Authorization": "Bearer " + response.json()["access_token"]}

    def fresh_home(self):
        """An empty HOME, so the token cache (~/.ansible/segura/tokens) starts empty."""
        return tempfile.mkdtemp(prefix="home-", dir=self.workdir)

    # -- measuring -------------------------------------------------------------------------

    def measure(self, approach, n, runs, action, prepare=None, latency_ms=None):
        """Time ``action(prepared)`` ``runs`` times; ``prepare()`` runs untimed before each.
        ``latency_ms``: the simulator's latency for these runs (default: the benchmark's)."""
        return self.measure_alternating({approach: action}, n, runs, prepare, latency_ms)[0]

    def measure_alternating(self, actions, n, runs, prepare=None, latency_ms=None):
        """Runs of several approaches ({name: action}) taken in turn, so that a busy spell of the
        machine slows them alike; returns one Measurement per approach."""
        return self.measure_rounds([Scenario(approach, n, action, runs, latency_ms)
                                    for approach, action in actions.items()], prepare)

    def measure_rounds(self, scenarios, prepare=None):
        """Like measure_alternating, for scenarios of their own N, latency and number of runs: in
        each round every scenario with runs left runs once."""
        results = [Measurement(s.approach, s.n, self.latency_ms if s.latency_ms is None else s.latency_ms)
                   for s in scenarios]
        for round_number in range(max(s.runs for s in scenarios)):
            for scenario, result in zip(scenarios, results):
                if round_number < scenario.runs:
                    self._run_once(result, scenario.action, prepare() if prepare else None)
        self.sim.control.reset()
        return results

    def _run_once(self, result, action, prepared):
        self.sim.control.reset()  # zero counters; also clears latency
        self.sim.control.latency(result.latency_ms)
        start, cpu_start = time.perf_counter(), cpu_seconds()
        memory = action(prepared)
        result.times.append(time.perf_counter() - start)
        result.cpu.append(cpu_seconds() - cpu_start)
        counters = self.sim.control.counters()
        counters["pam"] = self.sim.control.pam_counters()  # PAM Core requests are counted apart
        result.counters.append(counters)
        if memory:  # playbook runs: (largest process, tree sum or None), KiB
            result.largest_rss.append(memory[0])
            if memory[1] is not None:
                result.tree_rss.append(memory[1])

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
        response = session.get("%s%s/%d" % (self.sim.url, SECRETS_PATH, identifier), headers=headers, timeout=10,
                               verify=str(self.sim.ca_path))
        if response.status_code != 200:
            raise RuntimeError("read answered %d" % response.status_code)
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

    def playbook(self, name, tasks, variables, user=USER, sample_tree=False):
        """Write a one-play playbook and its variables; returns a runner for ``measure`` that
        connects as ``user`` and returns the run's peak memory (``sample_tree``: the tree's sum
        too)."""
        path = self.workdir / ("%s.yml" % name)
        play = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + textwrap.indent(textwrap.dedent(tasks), "    ")
        path.write_text(play)
        vars_path = self.workdir / ("%s.vars.json" % name)
        vars_path.write_text(json.dumps(variables))
        command = [str(Path(sys.executable).parent / "ansible-playbook"), str(path), "-e", "@%s" % vars_path]

        def run(home):
            env = self.runner.env(user, HOME=home)
            returncode, stdout, stderr, largest, tree = run_measured(command, sample_tree, cwd=str(self.workdir),
                                                                     env=env)
            if returncode != 0:
                raise PlaybookFailed("%s failed (rc %d):\n%s\n%s" % (path.name, returncode, stdout[-4000:],
                                                                     stderr[-4000:]))
            return largest, tree
        return run


def secret_items(count, prefix="bench"):
    """``count`` API secrets as items of the modules: every field set, selected by identifier_code."""
    return [{"name": "%s-%03d" % (prefix, number), "url": "https://app%03d.example.com" % number,
             "client_id": "client-%03d" % number, "client_secret": "value-%03d-9f2b" % number,
             "identifier_code": "%s-%03d" % (prefix, number), "tags": [prefix], "method": "get",
             "notes": "benchmark secret"} for number in range(1, count + 1)]
