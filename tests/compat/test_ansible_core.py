"""The collection on the ansible-core of the running venv (one per minor, made by noxfile.py).

- every module, lookup and role renders with `ansible-doc`, the connection options of the
  doc fragment (modules, lookup) or the entry point (role) included;
- every playbook of tests/compat/smoke/ runs with `ansible-playbook` against its own simulator
  over HTTPS.

A command fails its test on a non-zero exit and on any [WARNING] or [DEPRECATION WARNING] it
prints (deprecation warnings on): what a newer ansible-core deprecates shows here first.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

from simulator import certs  # tests/ is on the path through pytest.ini's pythonpath
from simulator.control import SimulatorProcess

# The ansible-core of this venv, next to the Python that runs pytest.
ANSIBLE_BIN = Path(sys.executable).parent
COMMAND_TIMEOUT_SECONDS = 600
WARNING = re.compile(r"^.*\[(?:DEPRECATION )?WARNING\].*$", re.MULTILINE)
# Warnings about ansible-core itself, not this collection: ansible-doc -t role on 2.20+ looks for
# roles in the core's internal collection too and complains that it has no version.
CORE_WARNINGS = (
    re.compile(r"Collection at '[^']*/ansible/_internal/ansible_collections/ansible/_protomatter' does not have "
               r"a MANIFEST\.json file"),
)
SMOKE_PLAYBOOKS = sorted((HERE / "smoke").glob("*.yml"))


def documented_plugins():
    """(ansible-doc type, FQCN, a text its rendering must show) for every plugin and role: the
    connection options come from a doc fragment, so seeing one proves the fragment resolved."""
    plugins = [("module", path.stem, "segura_url") for path in sorted((REPO / "plugins" / "modules").glob("*.py"))]
    plugins += [("lookup", path.stem, "segura_url") for path in sorted((REPO / "plugins" / "lookup").glob("*.py"))]
    plugins += [("role", path.name, "ENTRY POINT") for path in sorted((REPO / "roles").iterdir()) if path.is_dir()]
    return [pytest.param(kind, "segura.pam." + name, marker, id="%s segura.pam.%s" % (kind, name))
            for kind, name, marker in plugins]


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """The repo as ansible_collections/segura/pam, outside the work tree (so that nothing walking
    the work tree loops through the link)."""
    root = tmp_path_factory.mktemp("collections")
    link = root / "ansible_collections" / "segura" / "pam"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO, target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """One CA for every simulator of this worker."""
    return certs.make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def run_ansible(collections_path, tmp_path):
    """Runs an ansible command of this venv in a clean environment (own HOME and inventory, only
    this collection, deprecation warnings on); returns its output, after failing the test on a
    non-zero exit or a warning."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSIBLE_", "SEGURA_", "SENHASEGURA_"))}
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    (tmp_path / "home").mkdir()
    env.update({
        "HOME": str(tmp_path / "home"),
        "PATH": "%s%s%s" % (ANSIBLE_BIN, os.pathsep, env.get("PATH", "")),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_INVENTORY": str(inventory),
        "ANSIBLE_DEPRECATION_WARNINGS": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
    })

    def run(command, *args):
        completed = subprocess.run([str(ANSIBLE_BIN / command), *args], cwd=str(tmp_path), env=env,
                                   capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False)
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, "%s exited %d:\n%s" % (command, completed.returncode, output)
        warnings = [line.strip() for line in WARNING.findall(output)
                    if not any(known.search(line) for known in CORE_WARNINGS)]
        assert not warnings, "%s printed warnings:\n%s\n\n%s" % (command, "\n".join(warnings), output)
        return output

    return run


@pytest.mark.parametrize("kind, fqcn, marker", documented_plugins())
def test_plugin_docs_render(run_ansible, kind, fqcn, marker):
    output = run_ansible("ansible-doc", "-t", kind, fqcn).lower()
    assert fqcn.lower() in output
    assert marker.lower() in output


@pytest.mark.parametrize("playbook", SMOKE_PLAYBOOKS, ids=lambda path: path.name)
def test_smoke_playbook(run_ansible, pki, tmp_path, playbook):
    with SimulatorProcess(tmp_path / "simulator", ca=pki) as simulator:
        facts = tmp_path / "simulator.json"
        facts.write_text(json.dumps({"sim_url": simulator.url, "sim_ca_path": simulator.ca_path,
                                     "sim_users": simulator.users}))
        run_ansible("ansible-playbook", str(playbook), "-e", "@%s" % facts)


def test_every_check_is_collected():
    """A glob or a directory that went missing must not make the run pass with nothing checked."""
    assert SMOKE_PLAYBOOKS, "no playbook in %s" % (HERE / "smoke")
    assert {plugin.values[0] for plugin in documented_plugins()} == {"module", "lookup", "role"}
