"""Run real ``ansible-playbook`` processes against the simulator, as a user would.

The collection is made importable as ``segura.pam`` through a symlink to the work tree, and
every run gets its own HOME, so token caches and Ansible's own state never leak between tests.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class PlaybookResult(object):
    def __init__(self, completed, log_path):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.log_path = log_path

    @property
    def output(self):
        """Everything the run printed or logged, for leak checks."""
        log = self.log_path.read_text() if self.log_path.exists() else ""
        return "\n".join((self.stdout, self.stderr, log))

    def __repr__(self):
        return "PlaybookResult(rc=%d)\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.stdout[-6000:], self.stderr[-3000:])


class PlaybookRunner(object):
    """``runner.run(yaml_text, user='alice')`` writes the playbook and runs it.

    Connection options reach the plugins the way most users set them: SEGURA_* environment
    variables (the test may override or remove any of them with ``env``).
    """

    def __init__(self, simulator, workdir):
        self.simulator = simulator
        self.workdir = Path(workdir)
        collections = self.workdir / "collections" / "ansible_collections" / "segura"
        collections.mkdir(parents=True, exist_ok=True)
        link = collections / "pam"
        if not link.exists():
            link.symlink_to(REPO, target_is_directory=True)
        self.collections_path = self.workdir / "collections"
        self.home = self.workdir / "home"
        self.home.mkdir(exist_ok=True)
        self.inventory = self.workdir / "inventory.ini"
        self.inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        self._count = 0

    def env(self, user="alice", **overrides):
        creds = self.simulator.users[user]
        env = dict(os.environ)
        for name in list(env):
            if name.startswith(("SEGURA_", "SENHASEGURA_", "ANSIBLE_")):
                del env[name]
        env.update({
            "HOME": str(self.home),
            "PATH": "%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections_path),
            "ANSIBLE_INVENTORY": str(self.inventory),
            "ANSIBLE_HOST_KEY_CHECKING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "SEGURA_URL": self.simulator.url,
            "SEGURA_CA_PATH": str(self.simulator.ca_path),
            "SEGURA_CLIENT_ID": creds["client_id"],
            "SEGURA_CLIENT_SECRET": creds["client_secret"],
            "SEGURA_TIMEOUT": "5",
        })
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = str(value)
        return env

    def run(self, playbook, user="alice", args=(), env=None, extra_vars=None, verbosity=0, check=False,
            diff=False, timeout=300):
        self._count += 1
        path = self.workdir / ("playbook_%03d.yml" % self._count)
        path.write_text(textwrap.dedent(playbook))
        log_path = self.workdir / ("ansible_%03d.log" % self._count)
        command = [str(BIN / "ansible-playbook"), str(path)]
        if verbosity:
            command.append("-" + "v" * verbosity)
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        command += list(args)
        environment = self.env(user, ANSIBLE_LOG_PATH=str(log_path), **(env or {}))
        completed = subprocess.run(command, cwd=str(self.workdir), env=environment, capture_output=True, check=False,
                                   text=True, timeout=timeout)
        return PlaybookResult(completed, log_path)


def localhost_play(tasks, vars_files=()):
    """The text of a playbook of one play on localhost without facts, as most tests write them:
    ``tasks`` is the YAML of its task list (at any indentation); ``vars_files`` are play vars files."""
    header = "- hosts: localhost\n  gather_facts: false\n"
    if vars_files:
        header += "  vars_files: [%s]\n" % ", ".join(vars_files)
    return header + "  tasks:\n" + textwrap.indent(textwrap.dedent(tasks).strip("\n"), "    ") + "\n"


def reported(result, marker):
    """What a successful run's ``debug`` task said after ``marker`` (its msg starts with it), with
    the quotes the callback's JSON escaped given back."""
    assert result.rc == 0, result.output
    line = next(line for line in result.stdout.splitlines() if '"msg": "%s ' % marker in line)
    return line.split(marker + " ", 1)[1][:-1].replace('\\"', '"')
