"""Tables, targets and the chart of a benchmark run (``bench/run.py`` measures)."""

LABELS = {
    "bare": "bare requests.Session loop, sequential (physical limit)",
    "bare8": "bare requests.Session, thread pool of 8",
    "lookup": "lookup in-process (plugin loader), one call of N terms",
    "lookup_pb": "ansible-playbook, one query() of N terms",
    "uri_pb": "ansible-playbook, uri: token task + loop of N GETs",
    "info_pb": "ansible-playbook, loop of N mysafe_api_secret_info",
    "apply": "ansible-playbook, apply N unchanged secrets",
    "startup": "ansible-playbook, one no-op task (fixed cost)",
}
CHART_STYLE = {  # approach -> (colour, marker)
    "bare": ("black", "o"), "bare8": ("grey", "o"), "lookup": ("tab:green", "s"),
    "lookup_pb": ("tab:olive", "s"), "uri_pb": ("tab:red", "^"), "info_pb": ("tab:blue", "v"),
}
LOOKUP_MAX_VS_BARE = 1.2
LOOKUP_MIN_SPEEDUP_VS_URI = 10.0


def _index(results):
    return {(m.approach, m.n): m for m in results}


def _seconds(value):
    return "%.3f s" % value if value < 10 else "%.1f s" % value


def _label(m, context):
    if m.approach == "apply":
        return "%s (%s)" % (LABELS["apply"], "role mysafe_api_secrets" if context["apply_with"] == "role"
                            else "loop of mysafe_api_secret")
    return LABELS[m.approach]


def results_table(results, context):
    """Markdown: one row per approach and N."""
    by_key = _index(results)
    lines = ["| approach | N | runs | median wall time | per secret | vs bare loop | CPU | requests | token requests "
             "| reads | writes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for m in sorted(results, key=lambda m: (list(LABELS).index(m.approach), m.n)):
        bare = by_key.get(("bare", m.n))
        ratio = "%.2fx" % (m.median / bare.median) if bare and m.approach != "bare" else "-"
        per_secret = "%.1f ms" % (1000 * m.median / m.n) if m.n else "-"
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %d | %d | %d | %d |" % (
            _label(m, context), m.n or "-", len(m.times), _seconds(m.median), per_secret, ratio,
            _seconds(m.cpu_median), m.requests, m.tokens, m.reads, m.writes))
    return "\n".join(lines)


def per_task(results, approach, metric="median"):
    """Seconds per loop iteration: the slope between the two largest N (fixed costs cancel out)."""
    points = sorted((m.n, getattr(m, metric)) for m in results if m.approach == approach)
    if len(points) < 2:
        return None
    (n1, t1), (n2, t2) = points[-2], points[-1]
    return (t2 - t1) / (n2 - n1)


def per_task_table(results):
    """Cost of one loop iteration, wall and CPU, of the uri loop and of the module loop."""
    rows = (("ansible.builtin.uri GET (token obtained once)", "uri_pb"),
            ("segura.pam.mysafe_api_secret_info", "info_pb"))
    slopes = {approach: (per_task(results, approach), per_task(results, approach, "cpu_median"))
              for _label_text, approach in rows}
    lines = ["| per loop iteration (slope between the two largest N) | wall s | CPU s |", "| --- | ---: | ---: |"]
    for text, approach in rows:
        lines.append("| %s | %.3f | %.3f |" % ((text,) + slopes[approach]))
    (uri_wall, uri_cpu), (info_wall, info_cpu) = slopes["uri_pb"], slopes["info_pb"]
    lines.append("| ratio mysafe_api_secret_info / uri | %.2fx | %.2fx |" % (info_wall / uri_wall, info_cpu / uri_cpu))
    startup = next((m for m in results if m.approach == "startup"), None)
    if startup is not None:
        lines.append("| fixed cost of an ansible-playbook run (one no-op task) | %.3f | %.3f |"
                     % (startup.median, startup.cpu_median))
    return "\n".join(lines)


def targets(results):
    """[(target, what was measured, met)]."""
    by_key = _index(results)
    largest = max(m.n for m in results if m.approach == "bare")
    checks = []

    api_runs = [m for m in results if m.requests]
    worst = max(api_runs, key=lambda m: m.tokens)
    checks.append(("token requests per run: 1 per credential, in every case",
                   "at most %d (%s, N=%d)" % (worst.tokens, worst.approach, worst.n),
                   all(m.tokens == 1 for m in api_runs)))

    lookup, bare = by_key[("lookup", largest)], by_key[("bare", largest)]
    ratio = lookup.median / bare.median
    bare8 = by_key.get(("bare8", largest))
    checks.append(("lookup of %d secrets <= %.1fx the bare loop" % (largest, LOOKUP_MAX_VS_BARE),
                   "%.2fx (%s vs %s; %.2fx the 8-thread bare loop)" % (
                       ratio, _seconds(lookup.median), _seconds(bare.median),
                       lookup.median / bare8.median if bare8 else float("nan")),
                   ratio <= LOOKUP_MAX_VS_BARE))

    lookup_pb, uri_pb = by_key[("lookup_pb", largest)], by_key[("uri_pb", largest)]
    speedup = uri_pb.median / lookup_pb.median
    checks.append(("lookup vs uri playbook for %d secrets: >= %.0fx faster" % (largest, LOOKUP_MIN_SPEEDUP_VS_URI),
                   "%.1fx (whole runs: %s vs %s; in-process lookup %.0fx)" % (
                       speedup, _seconds(lookup_pb.median), _seconds(uri_pb.median),
                       uri_pb.median / by_key[("lookup", largest)].median),
                   speedup >= LOOKUP_MIN_SPEEDUP_VS_URI))

    uri, info = per_task(results, "uri_pb"), per_task(results, "info_pb")
    uri_cpu, info_cpu = per_task(results, "uri_pb", "cpu_median"), per_task(results, "info_pb", "cpu_median")
    checks.append(("mysafe_api_secret_info task no slower than an equivalent uri task",
                   "%.3f s vs %.3f s per task (%.2fx; CPU %.2fx)" % (info, uri, info / uri, info_cpu / uri_cpu),
                   info <= uri))

    apply = next(m for m in results if m.approach == "apply")
    checks.append(("%d unchanged secrets: zero writes and <= %d reads" % (apply.n, apply.n + 1),
                   "%d writes, %d reads, %d requests in all" % (apply.writes, apply.reads, apply.requests),
                   apply.writes == 0 and apply.reads <= apply.n + 1))
    return checks


def targets_table(results):
    lines = ["| target | measured | |", "| --- | --- | --- |"]
    for target, measured, met in targets(results):
        lines.append("| %s | %s | %s |" % (target, measured, "met" if met else "**NOT met**"))
    return "\n".join(lines)


def chart(results, path, context):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 7))
    for approach, (colour, marker) in CHART_STYLE.items():
        points = sorted((m.n, m.median) for m in results if m.approach == approach)
        if points:
            axes.plot(*zip(*points), color=colour, marker=marker, label=LABELS[approach])
    for m in results:
        if m.approach == "apply":
            axes.plot([m.n], [m.median], color="tab:purple", marker="D", linestyle="none",
                      label=_label(m, context).replace(" N ", " %d " % m.n))
        if m.approach == "startup":
            axes.axhline(m.median, color="tab:orange", linestyle=":", label=LABELS["startup"])
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("secrets read (N)")
    axes.set_ylabel("wall time, seconds (median)")
    axes.set_title("segura.pam against the simulator: %d ms latency per request, %d CPUs"
                   % (context["latency_ms"], context["cpus"]))
    ticks = sorted({m.n for m in results if m.n})
    axes.set_xticks(ticks, [str(t) for t in ticks])
    axes.minorticks_off()
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def console(results, context):
    return "\n\n".join((results_table(results, context), per_task_table(results), targets_table(results)))


DOCUMENT = """\
# Benchmarks

How long segura.pam takes to read and apply MySafe API secrets, next to the physical limit (a bare
HTTP client) and to what users write without the collection (`ansible.builtin.uri`). Generated by
`make bench` (`bench/run.py`) on {date}; the whole run took {elapsed:.0f} s.

![wall time against the number of secrets](benchmarks.png)

## Caveats

- Machine: {cpus} CPUs ({cpu_model}), {system}, Python {python}, ansible-core {ansible_core}.
  Load average (1 min) {load_before:.1f} at the start and {load_after:.1f} at the end of the run{load_note}
  The CPU column counts this side only (the benchmark process and the ansible-playbook processes it
  ran, not the simulator) and depends far less on what else runs on the machine.
- The Segura simulator (`tests/simulator`, HTTPS with its own CA) runs **on the same machine** and
  shares those {cpus} CPUs with Ansible; {latency_ms} ms are added to every API request (token requests
  included) to stand for the network. A real Segura server is farther away and slower per request: the
  parallel approaches gain more there, the per-task Ansible overhead matters relatively less.
- Medians of several runs; the loops of 200 tasks run twice (over a minute each), the uri and module
  loops taking turns so that a busy moment slows both alike. Every ansible-playbook
  run starts with an empty HOME, so its token cache starts empty (one token request per run).
- Requests, token requests, reads (read + list) and writes are the simulator's counters for one run
  (the highest of the runs).

## Results

{results}

"vs bare loop": median wall time divided by the sequential bare loop's for the same N.

{per_task}

## Targets

{targets}

## What the numbers mean

{insights}

## Reproduce

```sh
make bench                                 # creates .venv from requirements-dev.txt if needed
.venv/bin/python bench/run.py --quick      # smoke run: N = 1 and 5, one run each, not written to docs/
.venv/bin/python bench/run.py --apply-with module   # approach 5 with a loop of mysafe_api_secret
```

The raw timings and counters of the last run are in `bench/results/results.json` (not committed).
"""


def insights(results, context):
    """The run's numbers put in words (markdown bullets)."""
    by_key = _index(results)
    largest = max(m.n for m in results if m.approach == "bare")
    bare, bare8, lookup = (by_key[(key, largest)] for key in ("bare", "bare8", "lookup"))
    lookup_pb, uri_pb = by_key[("lookup_pb", largest)], by_key[("uri_pb", largest)]
    startup = next(m for m in results if m.approach == "startup")
    apply = next(m for m in results if m.approach == "apply")
    uri, info = per_task(results, "uri_pb"), per_task(results, "info_pb")
    loops = [m for m in results if m.approach in ("uri_pb", "info_pb") and m.n == largest]
    spread = max(max(m.times) / min(m.times) - 1 for m in loops)  # run-to-run, in this run
    noise = max(spread, 0.05)
    tie = (" The two differ by %.0f %%, within the run-to-run noise of such loops (runs of the same %d-task"
           " loop differed by up to %.0f %% here): a tie." % (100 * abs(info / uri - 1), largest, 100 * spread)
           if abs(info / uri - 1) < noise else "")
    return "\n".join((
        "- The lookup reads its terms over up to 8 kept-alive connections (`max_parallel`) with one token:"
        " %d secrets in %s, %.1f ms per secret, against %.1f ms for the sequential bare loop and %.1f ms"
        " with 8 threads. Its own overhead (options, token cache file, thread pool) is a few"
        " milliseconds per call." % (largest, _seconds(lookup.median), 1000 * lookup.median / largest,
                                     1000 * bare.median / largest, 1000 * bare8.median / largest),
        "- A playbook with one `query()` of %d terms takes %s: the fixed cost of an ansible-playbook run"
        " (%s with one no-op task) plus the lookup. The uri playbook takes %s for the same secrets,"
        " because each loop iteration is a module run of its own." % (
            largest, _seconds(lookup_pb.median), _seconds(startup.median), _seconds(uri_pb.median)),
        "- A loop iteration costs %.2f s with uri and %.2f s with mysafe_api_secret_info, whatever the"
        " module does: Ansible forks a worker, builds and writes the AnsiballZ payload, starts a new"
        " Python that unpacks it and imports `ansible.module_utils.basic` plus the module's own"
        " dependencies (`requests` for segura.pam, `ansible.module_utils.urls` for uri), then makes one"
        " request of %d ms. The network is a small part of it; reading many secrets belongs in the lookup,"
        " or in one task.%s" % (uri, info, context["latency_ms"], tie),
        "- Applying %d unchanged secrets made %d reads, %d writes and %d token request(s) in %s (%.2f s per"
        " secret, the same per-iteration cost)."
        % (apply.n, apply.reads, apply.writes, apply.tokens, _seconds(apply.median), apply.median / apply.n),
        "- Every module run takes its token from the token cache (`~/.ansible/segura/tokens`; the role fetches"
        " one with segura.pam.segura_token and hands it to its tasks), so a loop of N tasks makes one token"
        " request per run, like a uri playbook that registers its token once.",
    ))


def render(results, context, chart_path):
    chart(results, chart_path, context)
    busy = max(context["load_before"], context["load_after"]) > context["cpus"]
    load_note = (": more than %d, so other processes competed for the CPUs and wall times are longer than on"
                 " an idle machine." % context["cpus"]) if busy else "."
    return DOCUMENT.format(load_note=load_note, results=results_table(results, context),
                           per_task=per_task_table(results), targets=targets_table(results),
                           insights=insights(results, context), **context)
