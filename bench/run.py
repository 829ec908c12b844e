"""`make bench`: how fast segura.pam reads and applies secrets, against the simulator.

Side by side, for N = 1, 20, 200 secrets, with 5 ms of simulated network latency per request:

1. the physical limit: a bare requests.Session (one token request + N GETs), sequential and
   with 8 threads;
2. the lookup reading the N secrets in one call, loaded in-process through Ansible's plugin
   loader (the lookup itself), and a whole ansible-playbook run with one query() of N terms;
3. what users do without the collection: ansible.builtin.uri, a token task + a loop of N GETs;
4. a loop of N mysafe_api_secret_info tasks (per-task cost against the uri loop);
5. applying 100 unchanged secrets (the role roles/mysafe_api_secrets, or a loop of the
   mysafe_api_secret module).

Prints a table and whether the targets are met, writes docs/benchmarks.md and
docs/benchmarks.png, and the raw numbers to bench/results/results.json.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO / "tests", REPO / "tests" / "integration", REPO / "bench"):
    sys.path.insert(0, str(extra))

from simulator.control import SimulatorProcess  # noqa: E402 - needs the paths above
from playbook_runner import PlaybookRunner  # noqa: E402
from harness import Bench  # noqa: E402
import report  # noqa: E402

LATENCY_MS = 5
SIZES = (1, 20, 200)
APPLY_COUNT = 100
ROLE_DIR = REPO / "roles" / "mysafe_api_secrets"
# Runs per measurement (the median is reported). Loops of 200 tasks take over a minute each
# on 2 cores, so they run twice (the uri and module loops taking turns); everything else often
# enough for a stable median.
RUNS_IN_PROCESS = 7
RUNS_PLAYBOOK = 3
RUNS_LONG_LOOP = 2
RUNS_APPLY = 2
LONG_LOOP = 100  # loops of more tasks than this count as long

# The playbooks (tasks only; bench.playbook() wraps them in a play on localhost). Loops of
# secrets carry no_log: true, as they should in real use; the same on every approach.
NOOP_TASKS = """\
- name: Nothing (the fixed cost of an ansible-playbook run)
  ansible.builtin.meta: noop
"""

LOOKUP_TASKS = """\
- name: Read the secrets with one query
  ansible.builtin.set_fact:
    secret_values: "{{ query('segura.pam.mysafe_api_secret', *ids) }}"
  no_log: true

- name: One value per secret
  ansible.builtin.assert:
    that: secret_values | length == ids | length
    quiet: true
"""

URI_TASKS = """\
- name: Get an access token
  ansible.builtin.uri:
    url: "{{ api.url }}/iso/oauth2/token"
    method: POST
    body_format: form-urlencoded
    body:
      grant_type: client_credentials
      client_id: "{{ api.client_id }}"
      client_secret: "{{ api.client_secret }}"
    validate_certs: true
    ca_path: "{{ api.ca_path }}"
  register: token
  no_log: true

- name: Read each secret
  ansible.builtin.uri:
    url: "{{ api.url }}/api/mysafe/secretapi/{{ item }}"
    headers:
      Authorization: "Bearer {{ token.json.access_token }}"
    validate_certs: true
    ca_path: "{{ api.ca_path }}"
  loop: "{{ ids }}"
  register: secrets
  no_log: true

- name: One answer per secret
  ansible.builtin.assert:
    that: secrets.results | length == ids | length
    quiet: true
"""

INFO_TASKS = """\
- name: Read each secret
  segura.pam.mysafe_api_secret_info:
    identifier: "{{ item }}"
    reveal_secret: true
  loop: "{{ ids }}"
  register: secrets
  no_log: true

- name: One answer per secret
  ansible.builtin.assert:
    that: secrets.results | length == ids | length
    quiet: true
"""

APPLY_MODULE_TASKS = """\
- name: Keep each secret as it is
  segura.pam.mysafe_api_secret:
    identifier: "{{ item.identifier }}"
    name: "{{ item.name }}"
    url: "{{ item.url }}"
    client_id: "{{ item.client_id }}"
    client_secret: "{{ item.client_secret }}"
    identifier_code: "{{ item.identifier_code }}"
    tags: "{{ item.tags }}"
    method: "{{ item.method }}"
    notes: "{{ item.notes }}"
  loop: "{{ secrets }}"
  register: applied
  no_log: true

- name: Nothing changed
  ansible.builtin.assert:
    that: applied is not changed
    quiet: true
"""

APPLY_ROLE_TASKS = """\
- name: Keep the secrets as they are, with the collection's role
  ansible.builtin.include_role:
    name: segura.pam.mysafe_api_secrets
  vars:
    mysafe_api_secrets: "{{ secrets }}"
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--apply-with", choices=("auto", "role", "module"), default="auto",
                        help="approach 5: the role roles/mysafe_api_secrets, or a loop of the "
                             "mysafe_api_secret module (auto: the role when it exists)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: N = 1 and 5, one run each, 10 secrets applied; "
                             "writes to .tmp/bench/quick instead of docs/ and bench/results/")
    parser.add_argument("--out", type=Path, help="where benchmarks.md and benchmarks.png go (default docs/)")
    return parser.parse_args()


def runs_for(n, playbook, quick):
    if quick:
        return 1
    if not playbook:
        return RUNS_IN_PROCESS
    return RUNS_LONG_LOOP if n > LONG_LOOP else RUNS_PLAYBOOK


def measure_all(bench, sizes, apply_with, quick):
    """Every approach for every N, printing progress; returns the measurements in order."""
    results = []

    def record(measurement):
        results.append(measurement)
        print("  %-10s N=%-4d median %8.3f s (CPU %7.3f s) over %d run(s), %d requests, %d token, load %.1f" % (
            measurement.approach, measurement.n, measurement.median, measurement.cpu_median,
            len(measurement.times), measurement.requests, measurement.tokens, os.getloadavg()[0]), flush=True)

    api = {"url": bench.sim.url, "ca_path": str(bench.sim.ca_path), **bench.credentials}
    record(bench.measure("startup", 0, runs_for(1, True, quick),
                         bench.playbook("noop", NOOP_TASKS, {}), prepare=bench.fresh_home))

    started = time.perf_counter()
    bench.lookup_in_process(bench.ids[:1], bench.fresh_home())  # imports, untimed
    print("  (first in-process lookup call, with imports: %.3f s)" % (time.perf_counter() - started))

    for n in sizes:
        ids = bench.ids[:n]
        variables = {"ids": ids, "api": api}
        in_process, playbook_runs = runs_for(n, False, quick), runs_for(n, True, quick)
        record(bench.measure("bare", n, in_process, lambda _: bench.bare_sequential(ids)))
        record(bench.measure("bare8", n, in_process, lambda _: bench.bare_parallel(ids)))
        record(bench.measure("lookup", n, in_process, lambda home: bench.lookup_in_process(ids, home),
                             prepare=bench.fresh_home))
        # one query() is cheap at any N: as many runs as the short playbooks
        record(bench.measure("lookup_pb", n, runs_for(1, True, quick),
                             bench.playbook("lookup_pb_%d" % n, LOOKUP_TASKS, variables), prepare=bench.fresh_home))
        # The two loops are compared per task: their runs alternate.
        loops = {approach: bench.playbook("%s_%d" % (approach, n), tasks, variables)
                 for approach, tasks in (("uri_pb", URI_TASKS), ("info_pb", INFO_TASKS))}
        for measurement in bench.measure_alternating(loops, n, playbook_runs, prepare=bench.fresh_home):
            record(measurement)

    count = min(APPLY_COUNT, len(bench.secrets))
    tasks = APPLY_ROLE_TASKS if apply_with == "role" else APPLY_MODULE_TASKS
    # The secrets already hold exactly these fields (bench.seed): every run should write nothing.
    apply_run = bench.playbook("apply_%s" % apply_with, tasks, {"secrets": bench.secrets[:count]})
    record(bench.measure("apply", count, 1 if quick else RUNS_APPLY, apply_run, prepare=bench.fresh_home))
    return results


def machine():
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name")), "")
    except OSError:
        pass
    import ansible

    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "ansible_core": ansible.__version__, "system": "%s %s" % (platform.system(), platform.release())}


def main():
    args = parse_args()
    apply_with = args.apply_with
    if apply_with == "auto":
        apply_with = "role" if (ROLE_DIR / "tasks" / "main.yml").is_file() else "module"
    sizes = (1, 5) if args.quick else SIZES
    work = REPO / ".tmp" / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = args.out or (work / "quick" if args.quick else REPO / "docs")
    out.mkdir(parents=True, exist_ok=True)

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with SimulatorProcess(work / "simulator") as simulator:
        bench = Bench(simulator, PlaybookRunner(simulator, work / "playbooks"), work / "playbooks", LATENCY_MS)
        bench.seed(max(*sizes, 10 if args.quick else APPLY_COUNT))
        print("segura.pam benchmarks: simulator %s, %d ms latency per request, %d secrets, approach 5 with the %s"
              % (simulator.url, LATENCY_MS, len(bench.ids), apply_with), flush=True)
        results = measure_all(bench, sizes, apply_with, args.quick)
    elapsed = time.perf_counter() - started

    context = dict(machine(), latency_ms=LATENCY_MS, apply_with=apply_with, elapsed=elapsed, sizes=list(sizes),
                   date=time.strftime("%Y-%m-%d"), load_before=load_before, load_after=os.getloadavg()[0])
    # A smoke run keeps its raw numbers with its report, away from the last full run's.
    results_dir = out if args.quick else REPO / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "results.json").write_text(json.dumps(
        {"context": context, "measurements": [m.as_dict() for m in results]}, indent=1))
    text = report.render(results, context, out / "benchmarks.png")
    (out / "benchmarks.md").write_text(text)
    print()
    print(report.console(results, context))
    print("\nWrote %s and %s (%.0f s in all)." % (out / "benchmarks.md", out / "benchmarks.png", elapsed))


if __name__ == "__main__":
    main()
