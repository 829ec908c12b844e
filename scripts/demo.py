"""`make demo`: install the collection, start the simulator, run playbooks/demo.yml, stop.

Everything lives under .tmp/demo; the simulator serves HTTPS with a CA made for this run.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from simulator.control import SimulatorProcess  # noqa: E402 - needs the path above

BIN = Path(sys.executable).parent
WORK = REPO / ".tmp" / "demo"


def run(*command, **kwargs):
    print("+ " + " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "collections").mkdir(parents=True)
    run(BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", WORK, REPO, stdout=subprocess.DEVNULL)
    tarball = next(WORK.glob("segura-pam-*.tar.gz"))
    run(BIN / "ansible-galaxy", "collection", "install", "--force", "-p", WORK / "collections", tarball)
    with SimulatorProcess(WORK / "simulator") as simulator:
        print("Segura simulator listening on %s (CA %s)" % (simulator.url, simulator.ca_path), flush=True)
        alice = simulator.users["alice"]
        # PAM Core takes an A2A application's client (read and write), MySafe alice's access key
        pam_app = simulator.applications["pam-rw"]
        env = dict(os.environ,
                   HOME=str(WORK / "home"),
                   ANSIBLE_COLLECTIONS_PATH=str(WORK / "collections"),
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   ANSIBLE_LOCALHOST_WARNING="false",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                   SEGURA_URL=simulator.url,
                   SEGURA_CA_PATH=str(simulator.ca_path),
                   SEGURA_CLIENT_ID=alice["client_id"],
                   SEGURA_CLIENT_SECRET=alice["client_secret"],
                   SEGURA_PAM_CLIENT_ID=pam_app["client_id"],
                   SEGURA_PAM_CLIENT_SECRET=pam_app["client_secret"])
        run(BIN / "ansible-playbook", "segura.pam.demo", env=env)
        counters = simulator.control.counters()
        print("Simulator counted %(total)d requests: %(token)d token request(s), %(writes)d write(s)." % counters)
        print("Writes per kind: " + ", ".join("%s %d" % (kind, simulator.control.counters(kind)["writes"])
                                              for kind in ("secrets", "passwords", "notes")) + ".")
        print("PAM Core writes (upserts, deactivations, custody releases): %d; credentials still in custody: %d."
              % (simulator.control.pam_counters()["writes"], len(simulator.control.pam_custody())))


if __name__ == "__main__":
    main()
