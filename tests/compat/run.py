"""`make compat`: the collection on every supported ansible-core minor, each in its own venv.

For each minor in VERSIONS, on the first Python that minor supports as a controller:
- a venv under build/compat/venvs with the latest patch of that minor and
  tests/compat/requirements.txt, kept between runs (keyed by minor, Python and requirements;
  re-resolved once a day so that new patches are picked up);
- in that venv: the unit tests, `ansible-doc` of every plugin and role, and the playbooks of
  tests/compat/smoke/, in parallel, each against its own simulator over HTTPS.
A version fails on any failed test or playbook and on any [WARNING] or [DEPRECATION WARNING]
it prints (deprecation warnings switched on).

Usage: python tests/compat/run.py [MINOR ...]   e.g. `run.py 2.16`; no argument: every minor.
Prints one PASSED / FAILED / SKIPPED line per minor; exits 1 when one failed. A minor with no
fitting Python is SKIPPED, which is not a pass.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests"))

from simulator import certs  # noqa: E402 - needs the path above
from simulator.control import SimulatorProcess  # noqa: E402 - needs the path above

# ansible-core minor -> the controller Pythons it supports, preferred first (3.11 is the
# project's own Python; 2.20 and later need 3.12 or newer on the controller).
VERSIONS = {
    "2.16": ("3.11", "3.12", "3.10"),
    "2.17": ("3.11", "3.12", "3.10"),
    "2.18": ("3.11", "3.12", "3.13"),
    "2.19": ("3.11", "3.12", "3.13"),
    "2.20": ("3.12", "3.13", "3.14"),
    "2.21": ("3.12", "3.13", "3.14"),
}
# The oldest ansible-core also runs with the oldest urllib3 the collection supports (requirements.txt).
OLDEST_DEPENDENCIES = {"2.16": ("urllib3~=1.26.0",)}
VENVS = REPO / "build" / "compat" / "venvs"
REQUIREMENTS = (HERE / "requirements.txt", REPO / "requirements.txt")
SMOKE_PLAYBOOKS = sorted((HERE / "smoke").glob("*.yml"))
REFRESH_AFTER_SECONDS = 24 * 3600
STEP_TIMEOUT_SECONDS = 600
WARNING = re.compile(r"^.*\[(?:DEPRECATION )?WARNING\].*$", re.MULTILINE)
# Warnings about ansible-core itself, not this collection: ansible-doc -t role on 2.20+ looks for
# roles in the core's internal collection too and complains that it has no version.
CORE_WARNINGS = (
    re.compile(r"Collection at '[^']*/ansible/_internal/ansible_collections/ansible/_protomatter' does not have "
               r"a MANIFEST\.json file"),
)
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


class StepResult(object):
    """One check of one version: a unit run, one plugin's docs or one smoke playbook."""

    def __init__(self, kind, name, problems, output, count=1):
        self.kind = kind
        self.name = name
        self.problems = problems
        self.output = output
        self.count = count

    @property
    def ok(self):
        return not self.problems


# -- interpreters and venvs ---------------------------------------------------------------------


def version_tuple(text):
    """(3, 12, 1) for "3.12.1"; anything but the numbers (a "-dev" suffix) is ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", text))


def python_candidates(python_minor):
    """Executables that may be Python ``python_minor``: PATH first (pyenv shims included), then
    pyenv's versions (newest patch first), then the usual system places."""
    name = "python" + python_minor
    on_path = shutil.which(name)
    if on_path:
        yield on_path
    installed = PYENV_ROOT.glob("versions/%s.*/bin/%s" % (python_minor, name))
    yield from (str(path) for path in sorted(installed, key=lambda path: version_tuple(path.parents[1].name),
                                             reverse=True))
    for directory in ("/usr/local/bin", "/usr/bin"):
        yield os.path.join(directory, name)


def probe_python(executable, python_minor):
    """(interpreter, full version) when ``executable`` really runs as ``python_minor`` and can make
    venvs (a pyenv shim may exist for a version pyenv cannot select), else None. The interpreter is
    the real one behind a shim or link."""
    if not os.access(executable, os.X_OK):
        return None
    script = "import sys, venv, ensurepip; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"
    try:
        completed = subprocess.run([executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = completed.stdout.split()
    if completed.returncode or len(lines) != 2 or lines[1].rsplit(".", 1)[0] != python_minor:
        return None
    return os.path.realpath(lines[0]), lines[1]


def find_python(python_minors):
    """(interpreter, full version) of the first working Python in preference order, or None."""
    for python_minor in python_minors:
        for executable in python_candidates(python_minor):
            found = probe_python(executable, python_minor)
            if found:
                return found
    return None


def venv_path(minor, python, python_version):
    key = hashlib.sha256(("%s\n%s\n%s\n" % (python, python_version, OLDEST_DEPENDENCIES.get(minor, ()))).encode())
    for requirements in REQUIREMENTS:
        key.update(requirements.read_bytes())
    return VENVS / ("ansible-core-%s-py%s-%s" % (minor, python_version, key.hexdigest()[:12]))


def ensure_venv(minor, python, python_version, log):
    """The venv for ``minor`` with the latest patch (resolved by pip); returns (path, "<ansible-core version>
    (python <version>, urllib3 <version>)")."""
    path = venv_path(minor, python, python_version)
    stamp = path / ".ansible-core-version"
    if stamp.exists() and time.time() - stamp.stat().st_mtime < REFRESH_AFTER_SECONDS:
        return path, stamp.read_text().strip()
    if not path.exists():
        for outdated in VENVS.glob("ansible-core-%s-*" % minor):  # other Python or requirements
            shutil.rmtree(outdated)
        run_logged([python, "-m", "venv", str(path)], log)
    venv_python = str(path / "bin" / "python")
    run_logged([venv_python, "-m", "pip", "install", "--quiet", "--upgrade", "ansible-core~=%s.0" % minor,
                "-r", str(REQUIREMENTS[0])] + list(OLDEST_DEPENDENCIES.get(minor, ())), log)
    version = subprocess.run([venv_python, "-c", "import platform, urllib3; from ansible.release import __version__; "
                              "print('%s (python %s, urllib3 %s)' % (__version__, platform.python_version(), "
                              "urllib3.__version__))"], capture_output=True, text=True, check=True).stdout.strip()
    stamp.write_text(version + "\n")
    return path, version


def run_logged(command, log):
    with open(log, "a", encoding="utf-8") as out:
        out.write("+ %s\n" % " ".join(command))
        out.flush()
        subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=STEP_TIMEOUT_SECONDS)


# -- the checks ---------------------------------------------------------------------------------


def ansible_env(venv, workdir, collections):
    """A clean Ansible environment: own HOME and inventory, only this collection, warnings on."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSIBLE_", "SEGURA_", "SENHASEGURA_"))}
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    inventory = workdir / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % (venv / "bin" / "python"))
    env.update({
        "HOME": str(home),
        "PATH": "%s%s%s" % (venv / "bin", os.pathsep, env.get("PATH", "")),
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_INVENTORY": str(inventory),
        "ANSIBLE_DEPRECATION_WARNINGS": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
    })
    return env


def run_checked(command, env, cwd):
    """(problems, output) of one command: a non-zero exit and every warning line are problems."""
    try:
        completed = subprocess.run(command, cwd=str(cwd), env=env, capture_output=True, text=True,
                                   timeout=STEP_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return ["timed out after %ds" % STEP_TIMEOUT_SECONDS], ""
    output = completed.stdout + completed.stderr
    problems = ["exit code %d" % completed.returncode] if completed.returncode else []
    problems += ["printed %r" % line.strip() for line in WARNING.findall(output)
                 if not any(known.search(line) for known in CORE_WARNINGS)]
    return problems, output


def unit_tests(venv, workdir):
    report = workdir / "junit.xml"
    env = dict(os.environ, PATH="%s%s%s" % (venv / "bin", os.pathsep, os.environ.get("PATH", "")))
    command = [str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/unit",
               "--junitxml", str(report)]
    problems, output = run_checked(command, env, REPO)
    if not report.exists():
        return StepResult("unit", "tests/unit", problems + ["pytest wrote no report"], output, 0)
    suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total, failed, errors, skipped = (int(suite.get(name, 0)) for name in ("tests", "failures", "errors", "skipped"))
    if failed or errors:
        problems.append("%d failed, %d errors" % (failed, errors))
    if total == 0:
        problems.append("no unit test ran")
    return StepResult("unit", "tests/unit", problems, output, total - failed - errors - skipped)


def documented_plugins():
    """(ansible-doc type, FQCN, a text its rendering must show) for every plugin and role: the
    connection options come from a doc fragment, so seeing one proves the fragment resolved."""
    plugins = [("module", path.stem, "segura_url") for path in sorted((REPO / "plugins" / "modules").glob("*.py"))]
    plugins += [("lookup", path.stem, "segura_url") for path in sorted((REPO / "plugins" / "lookup").glob("*.py"))]
    plugins += [("role", path.name, "ENTRY POINT") for path in sorted((REPO / "roles").iterdir()) if path.is_dir()]
    return [(kind, "segura.pam." + name, marker) for kind, name, marker in plugins]


def plugin_doc(venv, workdir, shared, kind, fqcn, marker):
    command = [str(venv / "bin" / "ansible-doc"), "-t", kind, fqcn]
    problems, output = run_checked(command, ansible_env(venv, workdir, shared.collections), workdir)
    missing = [text for text in (fqcn.lower(), marker.lower()) if text not in output.lower()]
    problems += ["the rendering lacks %r" % text for text in missing]
    return StepResult("docs", "%s %s" % (kind, fqcn), problems, output)


def smoke_playbook(venv, workdir, shared, playbook):
    with SimulatorProcess(workdir / "simulator", ca=shared.pki) as simulator:
        facts = workdir / "simulator.json"
        facts.write_text(json.dumps({"sim_url": simulator.url, "sim_ca_path": simulator.ca_path,
                                     "sim_users": simulator.users}))
        command = [str(venv / "bin" / "ansible-playbook"), str(playbook), "-e", "@%s" % facts]
        problems, output = run_checked(command, ansible_env(venv, workdir, shared.collections), workdir)
    return StepResult("smoke", playbook.name, problems, output)


# -- one version --------------------------------------------------------------------------------


class SharedRun(object):
    """What every version of one run shares, in a temporary directory outside the repo (so that
    nothing walking the work tree loops through the collection link): the link, the simulators'
    CA and the logs (kept when something fails)."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="segura-compat-"))
        self.collections = self.root / "collections"
        link = self.collections / "ansible_collections" / "segura" / "pam"
        link.parent.mkdir(parents=True)
        link.symlink_to(REPO, target_is_directory=True)
        self.pki = certs.make_pki(self.root / "pki")


def workers():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)


def check_version(minor, venv, shared):
    """Every check of one venv, in parallel; returns the StepResults (each check's output is
    also written to output.log in its own directory)."""
    root = shared.root / minor
    checks = [(root / "unit", unit_tests, ())]
    checks += [(root / "docs" / fqcn, plugin_doc, (shared, kind, fqcn, marker))
               for kind, fqcn, marker in documented_plugins()]
    checks += [(root / "smoke" / path.stem, smoke_playbook, (shared, path)) for path in SMOKE_PLAYBOOKS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers()) as pool:
        running = []
        for workdir, check, args in checks:
            workdir.mkdir(parents=True, exist_ok=True)
            running.append((workdir, pool.submit(check, venv, workdir, *args)))
        results = []
        for workdir, future in running:
            results.append(future.result())
            (workdir / "output.log").write_text(results[-1].output)
    return results


def report_failure(results, logs):
    for result in results:
        if result.ok:
            continue
        print("  %s %s: %s" % (result.kind, result.name, "; ".join(result.problems)))
        tail = result.output.strip().splitlines()[-30:]
        print("\n".join("    | " + line for line in tail))
    print("  logs: %s" % logs)


def run_version(minor, shared):
    """Print the version's line; return "passed", "failed" or "skipped"."""
    python_minors = VERSIONS[minor]
    found = find_python(python_minors)
    if found is None:
        print("SKIPPED ansible-core %s: no Python >= %s found" % (minor, min(python_minors, key=version_tuple)),
              flush=True)
        return "skipped"
    python, python_version = found
    log = shared.root / ("venv-%s.log" % minor)
    started = time.monotonic()
    try:
        venv, core_version = ensure_venv(minor, python, python_version, log)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        print("FAILED ansible-core %s (python %s): no venv: %s; log %s" % (minor, python_version, error, log),
              flush=True)
        return "failed"
    venv_seconds = time.monotonic() - started
    results = check_version(minor, venv, shared)
    counts = {kind: sum(r.count for r in results if r.kind == kind and r.ok) for kind in ("unit", "smoke", "docs")}
    passed = all(result.ok for result in results)
    print("%s ansible-core %s: %d unit, %d smoke, %d docs  [venv %.0fs, checks %.0fs]" % (
        "PASSED" if passed else "FAILED", core_version, counts["unit"], counts["smoke"],
        counts["docs"], venv_seconds, time.monotonic() - started - venv_seconds), flush=True)
    if not passed:
        report_failure(results, shared.root / minor)
    return "passed" if passed else "failed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("minors", nargs="*", metavar="MINOR", help="ansible-core minors, e.g. 2.16 (default: all)")
    minors = parser.parse_args().minors or list(VERSIONS)
    unknown = [minor for minor in minors if minor not in VERSIONS]
    if unknown:
        parser.error("unknown ansible-core minor(s) %s; tested: %s" % (", ".join(unknown), ", ".join(VERSIONS)))
    shared = SharedRun()
    started = time.monotonic()
    outcomes = [run_version(minor, shared) for minor in minors]
    print("compat: %d passed, %d failed, %d skipped of %d ansible-core versions in %.0fs" % (
        outcomes.count("passed"), outcomes.count("failed"), outcomes.count("skipped"), len(minors),
        time.monotonic() - started))
    if "failed" in outcomes:
        return 1
    shutil.rmtree(shared.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
