"""`make compat`: the collection on every supported ansible-core minor, one nox session each.

nox makes and reuses one venv per session (under build/compat/nox); antsibull-nox supplies the
ansible-core facts: the minors `requires_ansible` in meta/runtime.yml admits, the controller
Pythons each supports and the pip requirement of its latest patch. What is ours is what runs in
each venv (tests/compat/): the unit tests, and the smoke playbooks and plugin docs against that
ansible-core with any warning an error.

    nox -s compat-2.16          one minor (`make compat V=2.16`)
    nox -t compat               every minor (`make compat`)

A minor for which no fitting Python runs is SKIPPED, which is not a pass (see
tests/compat/require_a_pass.py for the run that passed nothing).
"""

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import nox
from antsibull_nox.ansible import get_ansible_core_info, get_ansible_core_package_name, get_supported_core_versions
from antsibull_nox.utils import Version

# The newest minor released and tested; the oldest is `requires_ansible` in meta/runtime.yml.
NEWEST_CORE = Version.parse("2.21")
# The project's own Python: a minor that supports it runs on it, a newer one on its oldest Python.
PROJECT_PYTHON = Version.parse("3.11")
# The oldest minor also runs with the oldest requests and urllib3 the collection supports.
OLDEST_DEPENDENCIES = {Version.parse("2.16"): ("requests==2.32.0", "urllib3~=1.26.0")}
# What a session tested, printed before its tests.
VERSIONS_LINE = ("import importlib.metadata as m, platform; print('ansible-core %s (python %s, requests %s, urllib3 %s)' % "
                 "(m.version('ansible-core'), platform.python_version(), m.version('requests'), m.version('urllib3')))")
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")

nox.options.envdir = "build/compat/nox"
nox.options.reuse_venv = "yes"


def _version_key(path):
    return tuple(int(number) for number in re.findall(r"\d+", path.parents[1].name))


@functools.cache  # one probe per Python, however many minors share it
def working_python(version):
    """Path of a Python ``version`` that runs and can make venvs, or None: PATH first, then pyenv's
    installed versions, newest patch first (a pyenv shim on PATH fails for a version pyenv does not
    select, so every candidate is run once)."""
    name = "python%s" % version
    installed = sorted(PYENV_ROOT.glob("versions/%s.*/bin/%s" % (version, name)), key=_version_key, reverse=True)
    probe = "import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (%d, %d))" % (version.major, version.minor)
    for candidate in [shutil.which(name)] + [str(path) for path in installed]:
        if candidate and subprocess.run([candidate, "-c", probe], capture_output=True, check=False).returncode == 0:
            return candidate
    return None


def controller_python(core):
    """(interpreter path or None, the Python versions ``core`` runs on, preferred first)."""
    supported = get_ansible_core_info(core).controller_python_versions
    preferred = sorted(supported, key=lambda version: (version < PROJECT_PYTHON, version))
    for version in preferred:
        interpreter = working_python(version)
        if interpreter:
            return interpreter, preferred
    return None, preferred


def add_compat_session(core):
    interpreter, pythons = controller_python(core)
    requirements = [get_ansible_core_package_name(core, source="pypi").name,
                    *OLDEST_DEPENDENCIES.get(core, ())]

    def compat(session):
        if interpreter is None:
            session.skip("no Python %s found" % " / ".join(str(version) for version in pythons))
        session.install("--upgrade", "-r", "tests/compat/requirements.txt", *requirements)
        session.run("python", "-c", VERSIONS_LINE)
        session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "auto",
                    "tests/unit", "tests/compat", *session.posargs)

    compat.__doc__ = "ansible-core %s: unit tests, plugin docs and smoke playbooks" % core
    nox.session(name="compat-%s" % core, python=interpreter, tags=["compat"],
                venv_backend="venv" if interpreter else "none")(compat)


for supported_core in get_supported_core_versions(max_version=NEWEST_CORE):
    add_compat_session(supported_core)
