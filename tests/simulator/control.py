"""Start/stop the Segura simulator as a subprocess and drive its ``/_sim/`` control API.

Shared by integration tests, benchmarks and the demo so they all run the simulator the
same way. Import it as ``simulator.control`` with the repo's ``tests/`` directory on
``sys.path`` (see README.md next to this file).
"""

import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

try:
    from . import certs
except ImportError:  # loaded as a top-level module with tests/simulator itself on sys.path
    import certs

HERE = Path(__file__).resolve().parent
SERVER_SCRIPT = HERE / "segura_sim.py"
DEFAULT_USERS = HERE / "users.json"
DEFAULT_APPLICATIONS = HERE / "a2a.json"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class SimulatorControl:
    """Thin client for the simulator's control interface (never counted by the simulator)."""

    def __init__(self, url, ca_path=None, timeout=10.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        # Passed per request: requests lets REQUESTS_CA_BUNDLE override Session.verify.
        self.verify = ca_path or True
        self.session = requests.Session()

    def _call(self, method, name, body=None):
        response = self.session.request(method, f"{self.url}/_sim/{name}", json=body,
                                        timeout=self.timeout, verify=self.verify)
        if response.status_code >= 400:  # say why: the simulator's answer names the problem
            raise requests.HTTPError(
                f"{method} /_sim/{name}: {response.status_code} {response.text}", response=response)
        return response.json()

    def health(self):
        return self._call("GET", "health")

    def counters(self, kind=None):
        """All API requests; with ``kind`` ("secrets", "passwords", "notes") that kind's only."""
        return self._call("GET", f"counters/{kind}" if kind else "counters")

    def requests(self):
        """The last 100 API requests, oldest first: ``{"method", "path", "user_agent"}`` each."""
        return self._call("GET", "requests")["requests"]

    def reset(self, data=False):
        """Zero counters, clear the request log, faults, latency and clock; ``data=True`` deletes
        every stored item too."""
        return self._call("POST", "reset", {"data": data})

    def fault(self, kind, count=1, **opts):
        """Queue a fault rule, e.g. ``fault("502", endpoint="create", after_write=True)``."""
        return self._call("POST", "faults", {"kind": str(kind), "count": count, **opts})

    def faults(self):
        return self._call("GET", "faults")["faults"]

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def expire_tokens(self):
        return self._call("POST", "expire-tokens")

    def latency(self, ms):
        return self._call("POST", "latency", {"ms": ms})

    def clock(self, epoch):
        """Compute TOTP tokens at ``epoch`` seconds from now on; ``None``: the real time again."""
        return self._call("POST", "clock", {"time": epoch})

    def items(self, kind):
        """All stored items of ``kind`` (owner, active, values included), sorted by identifier."""
        return self._call("GET", kind)[kind]

    def secrets(self):
        return self.items("secrets")

    def passwords(self):
        return self.items("passwords")

    def notes(self):
        return self.items("notes")

    def seed(self, kind, owner="alice", active=True, **fields):
        """Store one item of ``kind`` as ``owner`` with the API's own checks, without counting a
        request; returns its identifier (an int). A share naming an unknown user or group raises
        ValueError (the item is stored without it, as the API does, reporting ``shared_error``)."""
        stored = self._call("POST", kind, {**fields, "owner": owner, "active": active})
        if stored["shared_error"]:
            raise ValueError(f"seeding {kind}: {stored['shared_error']}")
        return stored["identifier"]

    # ---- PAM Core (``/_sim/pam/...``)
    def pam_records(self, plural):
        """Stored PAM records (``devices``, ``credentials``, ``keys``) with every field: active,
        secrets, ``custody`` and ``authorized`` application names; ids as ints."""
        return self._call("GET", f"pam/{plural}")[plural]

    def pam_seed(self, resource, **fields):
        """Store one ``device``, ``credential`` or ``key`` through the API's upsert rules,
        uncounted; extra fields: ``active`` (default true), ``created_by`` (application, default
        ``pam-rw``), ``authorized`` and ``custody`` (application names). Returns the id (int)."""
        return self._call("POST", f"pam/{resource}s", fields)["id"]

    def pam_counters(self):
        return self._call("GET", "pam/counters")

    def pam_custody(self):
        """``[{"id", "identifier", "holders"}]`` of every credential held in custody."""
        return self._call("GET", "pam/custody")["custody"]

    def pam_domains(self, *names):
        """Register domains (``device_domain`` and ``domain`` must name registered ones)."""
        return self._call("POST", "pam/domains", {"domains": list(names)})["domains"]

    def pam_switches(self, **values):
        """Set PAM Core switches (README.md); without arguments, read them. ``reset`` restores
        the values the server started with."""
        if not values:
            return self._call("GET", "pam/switches")
        return self._call("POST", "pam/switches", values)

    def close(self):
        self.session.close()


class SimulatorProcess:
    """The simulator as a child process on a free port; a context manager.

    ``ca`` is an existing PKI mapping (``ca``, ``cert``, ``key`` as from
    ``certs.make_pki``) to reuse; when omitted and ``https`` is true a fresh one is made.
    """

    def __init__(self, tmpdir, https=True, ca=None, extra_args=()):
        self.tmpdir = Path(tmpdir)
        self.https = https
        self.pki = ca
        self.extra_args = [str(a) for a in extra_args]
        self.process = None
        self.workdir = self.port = self.url = self.control = None
        self.log_path = None
        self._log = None
        self.users = self._load_users()
        self.applications = self._load_applications()

    @property
    def ca_path(self):
        return self.pki["ca"] if self.https and self.pki else None

    def _file_argument(self, option, default):
        """The file given to the server with ``option`` in extra_args, else ``default``."""
        args = self.extra_args
        return Path(args[args.index(option) + 1]) if option in args else default

    def _load_users(self):
        path = self._file_argument("--users", DEFAULT_USERS)
        users = json.loads(path.read_text(encoding="utf-8"))["users"]
        return {u["username"]: {"client_id": u["client_id"], "client_secret": u["client_secret"]}
                for u in users}

    def _load_applications(self):
        path = self._file_argument("--a2a", DEFAULT_APPLICATIONS)
        applications = json.loads(path.read_text(encoding="utf-8"))["applications"]
        return {a["name"]: {"client_id": a["client_id"], "client_secret": a["client_secret"]}
                for a in applications}

    def start(self):
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        self.workdir = Path(tempfile.mkdtemp(prefix="segura-sim-", dir=self.tmpdir))
        port_file = self.workdir / "port"
        command = [sys.executable, str(SERVER_SCRIPT), "--host", "127.0.0.1", "--port", "0",
                   "--port-file", str(port_file)]
        if self.https:
            if self.pki is None:
                self.pki = certs.make_pki(self.workdir / "pki")
            command += ["--cert", self.pki["cert"], "--key", self.pki["key"]]
        command += self.extra_args
        self.log_path = self.workdir / "simulator.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        try:
            self.port = self._wait_for_port(port_file)
        except BaseException:
            self.stop()
            raise
        scheme = "https" if self.https else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.control = SimulatorControl(self.url, self.ca_path)
        return self

    def _wait_for_port(self, port_file):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if port_file.exists():
                return int(port_file.read_text().strip())
            if self.process.poll() is not None:
                raise RuntimeError(f"simulator exited with {self.process.returncode}:\n"
                                   f"{self.log_path.read_text(errors='replace')}")
            time.sleep(0.02)
        raise RuntimeError(f"simulator did not start within {START_TIMEOUT}s; log: {self.log_path}")

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; return the exit code (None if not started)."""
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.process.returncode if self.process is not None else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
