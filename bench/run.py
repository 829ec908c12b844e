"""`make bench`: how fast segura.pam reads and applies secrets, against the simulator.

Side by side, with 5 ms of simulated network latency per request:

1. the physical limit: a bare requests session (one token request + N GETs), sequential and
   with 8 threads (N = 1, 20, 200);
2. the lookup reading the N secrets in one call, loaded in-process through Ansible's plugin
   loader (the lookup itself), and a whole ansible-playbook run with one query() of N terms;
3. what users do without the collection: ansible.builtin.uri, a token task + a loop of N GETs;
4. a loop of N mysafe_api_secret_info tasks (per-task cost against the uri loop);
5. applying secrets: a loop of the mysafe_api_secret module over 100 unchanged secrets (how the
   role worked before the bulk module), the role roles/mysafe_api_secrets with 100 unchanged and
   100 new secrets, and the bulk module mysafe_items with 1000 unchanged secrets at 5 ms
   and at 50 ms latency, taking turns with a no-op playbook (the fixed cost they are held to).

6. PAM in the field (bench/pam.py): the pam_inventory plugin against a static inventory of the same
   hosts and variables, and a play whose ansible_password comes from the pam_credential lookup.

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
from harness import Bench, Scenario, secret_items  # noqa: E402
import pam  # noqa: E402
import report  # noqa: E402

LATENCY_MS = 5
SLOW_LATENCY_MS = 50
SIZES = (1, 20, 200)
LOOP_COUNT = 100  # the module loop: the "before" of the bulk module
ROLE_COUNT = 100
BULK_COUNT = 1000
MAX_PARALLEL = 8  # the bulk module's and the role's default
# The users of the apply scenarios, each seeing only its own secrets (none are shared), so that
# "the API user sees those N" holds: alice owns the 200 secrets read by the approaches 1-4 and
# the module loop, bob the role's unchanged ones, dave the bulk module's. The role's "new"
# secrets are created by a user who owns none yet, a different one per run (there is no delete).
ROLE_USER = "bob"
BULK_USER = "dave"
NEW_USERS = ("carol", "admin")
# Runs per measurement (the median is reported). Loops of 200 tasks take over a minute each
# on 2 cores, so they run twice (the uri and module loops taking turns); everything else often
# enough for a stable median.
RUNS_IN_PROCESS = 7
RUNS_PLAYBOOK = 3
RUNS_LONG_LOOP = 2
RUNS_LOOP_APPLY = 2
LONG_LOOP = 100  # loops of more tasks than this count as long
QUICK = {"sizes": (1, 5), "loop": 10, "role": 10, "bulk": 50}

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

ROLE_TASKS = """\
- name: Apply the secrets with the collection's role
  ansible.builtin.include_role:
    name: segura.pam.mysafe_api_secrets
  vars:
    mysafe_api_secrets: "{{ secrets }}"

- name: Every secret went as expected
  ansible.builtin.assert:
    that: mysafe_api_secrets_summary[expected] == secrets | length
    quiet: true
"""

BULK_TASKS = """\
- name: Keep the secrets as they are, in one task
  segura.pam.mysafe_items:
    api_secrets: "{{ secrets }}"
    max_parallel: "{{ max_parallel }}"
  register: applied

- name: Nothing changed
  ansible.builtin.assert:
    that:
      - applied is not changed
      - applied.api_secrets.summary.unchanged == secrets | length
    quiet: true
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: N = 1 and 5, one run each, 10 secrets applied by the loop and "
                             "the role, 50 by the bulk module; writes to .tmp/bench/quick instead of docs/ "
                             "and bench/results/")
    parser.add_argument("--out", type=Path, help="where benchmarks.md and benchmarks.png go (default docs/)")
    return parser.parse_args()


def runs_for(n, playbook, quick):
    if quick:
        return 1
    if not playbook:
        return RUNS_IN_PROCESS
    return RUNS_LONG_LOOP if n > LONG_LOOP else RUNS_PLAYBOOK


def measure_all(bench, sizes, counts, quick):
    """Every approach for every N, printing progress; returns the measurements in order."""
    results = []

    def record(measurement):
        results.append(measurement)
        memory = ", peak RSS %s" % report.memory(measurement) if measurement.largest_rss else ""
        print("  %-14s N=%-4d %2d ms median %8.3f s (CPU %7.3f s) over %d run(s), %d requests, %d token%s, load %.1f"
              % (measurement.approach, measurement.n, measurement.latency_ms, measurement.median,
                 measurement.cpu_median, len(measurement.times), measurement.requests, measurement.tokens,
                 memory, os.getloadavg()[0]), flush=True)

    api = {"url": bench.sim.url, "ca_path": str(bench.sim.ca_path), **bench.credentials}
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

    # The secrets already hold exactly these fields (bench.seed): every run should write nothing.
    loop = bench.playbook("apply_loop", APPLY_MODULE_TASKS, {"secrets": bench.secrets[:counts["loop"]]})
    record(bench.measure("apply_loop", counts["loop"], 1 if quick else RUNS_LOOP_APPLY, loop,
                         prepare=bench.fresh_home))

    for measurement in bench.measure_rounds(apply_scenarios(bench, counts, quick), prepare=bench.fresh_home):
        record(measurement)
    return results


def apply_scenarios(bench, counts, quick):
    """The role and the bulk module, in turns with the no-op playbook they are held to. Their
    items select secrets by identifier_code, as a vars file kept as code does."""
    runs = 1 if quick else RUNS_PLAYBOOK

    def by_code(secrets):
        return [{key: value for key, value in secret.items() if key != "identifier"} for secret in secrets]

    unchanged = by_code(bench.seed_secrets(ROLE_USER, counts["role"]))
    role_unchanged = bench.playbook("role_unchanged", ROLE_TASKS, {"secrets": unchanged, "expected": "unchanged"},
                                    user=ROLE_USER, sample_tree=True)
    new_users = NEW_USERS[:runs]
    role_new_runs = iter([bench.playbook("role_new_%s" % user, ROLE_TASKS,
                                         {"secrets": secret_items(counts["role"], "new"), "expected": "created"},
                                         user=user, sample_tree=True) for user in new_users])

    def role_new(home):  # each run as a user who owns no secret yet
        return next(role_new_runs)(home)

    bulk_variables = {"secrets": by_code(bench.seed_secrets(BULK_USER, counts["bulk"])), "max_parallel": MAX_PARALLEL}
    bulk = bench.playbook("bulk", BULK_TASKS, bulk_variables, user=BULK_USER, sample_tree=True)
    return [
        Scenario("startup", 0, bench.playbook("noop", NOOP_TASKS, {}), runs),
        Scenario("role_unchanged", counts["role"], role_unchanged, runs),
        Scenario("role_new", counts["role"], role_new, len(new_users)),
        Scenario("bulk", counts["bulk"], bulk, runs),
        Scenario("bulk_slow", counts["bulk"], bulk, runs, SLOW_LATENCY_MS),
    ]


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
    counts = dict(QUICK) if args.quick else {"sizes": SIZES, "loop": LOOP_COUNT, "role": ROLE_COUNT,
                                             "bulk": BULK_COUNT}
    sizes = counts.pop("sizes")
    work = REPO / ".tmp" / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = args.out or (work / "quick" if args.quick else REPO / "docs")
    out.mkdir(parents=True, exist_ok=True)

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with SimulatorProcess(work / "simulator") as simulator:
        bench = Bench(simulator, PlaybookRunner(simulator, work / "playbooks"), work / "playbooks", LATENCY_MS)
        bench.seed(max(*sizes, counts["loop"]))
        print("segura.pam benchmarks: simulator %s, %d ms latency per request (%d ms for the slow bulk run); "
              "loop %d, role %d, bulk module %d secrets" % (
                  simulator.url, LATENCY_MS, SLOW_LATENCY_MS, counts["loop"], counts["role"], counts["bulk"]),
              flush=True)
        results = measure_all(bench, sizes, counts, args.quick)
        pam_results = pam.PamBench(bench, args.quick).measure_all()
    elapsed = time.perf_counter() - started

    context = dict(machine(), latency_ms=LATENCY_MS, slow_latency_ms=SLOW_LATENCY_MS, max_parallel=MAX_PARALLEL,
                   elapsed=elapsed, sizes=list(sizes), date=time.strftime("%Y-%m-%d"), load_before=load_before,
                   load_after=os.getloadavg()[0])
    # A smoke run keeps its raw numbers with its report, away from the last full run's.
    results_dir = out if args.quick else REPO / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "results.json").write_text(json.dumps(
        {"context": context, "measurements": [m.as_dict() for m in results + pam_results]}, indent=1))
    text = report.render(results, context, out / "benchmarks.png") + "\n" + pam.section(pam_results)
    (out / "benchmarks.md").write_text(text)
    print()
    print(report.console(results, context))
    print(pam.section(pam_results))
    print("\nWrote %s and %s (%.0f s in all)." % (out / "benchmarks.md", out / "benchmarks.png", elapsed))


if __name__ == "__main__":
    main()
