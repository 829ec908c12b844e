"""The token cache under a HOME another local user controls, or that cannot be written.

Real ansible-playbook runs (two module tasks and a lookup, three processes that each need a
token): with a HOME the run must not trust (world-writable like /tmp, another user's as with sudo
without -H, a directory another user planted a link in) or cannot use (read-only, missing), every
task still succeeds, one warning says why the cache is off, each process requests its own token,
and nothing is written where the other user could read it.
"""

import contextlib
import os
import re
import subprocess

import pytest
from playbook_runner import localhost_play

OTHER_UID = 65534  # nobody
WARNING = "segura.pam token cache not used: "
PLAYBOOK = localhost_play("""
        - name: A module task
          segura.pam.mysafe_api_secret_info:
            identifier: "{{ identifier }}"
        - name: Another module task, another process
          segura.pam.mysafe_api_secret_info:
            identifier: "{{ identifier }}"
        - name: The lookup, in the controller
          ansible.builtin.assert:
            that: lookup('segura.pam.mysafe_api_secret', identifier) == 'cache-safety-value'
            quiet: true
""")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another local user")


def run(playbook, sim, home):
    """Run PLAYBOOK with ``home`` as HOME (Ansible's own temp files elsewhere); it must succeed.

    Returns what it printed, each warning on one line (Ansible wraps long ones).
    """
    identifier = sim.control.seed("secrets", name="Cache safety", url="https://cache.example.com",
                                  client_id="cache-app", client_secret="cache-safety-value")
    ansible_temp = playbook.workdir / "ansible-temp"
    ansible_temp.mkdir(exist_ok=True)
    sim.control.reset()
    result = playbook.run(PLAYBOOK, extra_vars={"identifier": identifier}, env={
        "HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(ansible_temp), "ANSIBLE_REMOTE_TEMP": str(ansible_temp)})
    assert result.rc == 0, result
    return re.sub(r"\s*\n\s*", " ", result.stdout + result.stderr)


def files_under(path):
    return sorted(os.path.join(root, name) for root, _dirs, names in os.walk(str(path)) for name in names)


@contextlib.contextmanager
def read_only(path):
    """``path`` cannot be written, even by root (immutable attribute; plain mode bits otherwise)."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
            pytest.skip("chattr +i is not supported here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        os.chmod(path, 0o555)
        try:
            yield
        finally:
            os.chmod(path, 0o755)


def test_a_home_of_the_users_own_shares_one_token(playbook, sim):
    output = run(playbook, sim, playbook.home)

    assert WARNING not in output
    assert sim.control.counters()["token"] == 1
    assert len(list((playbook.home / ".ansible" / "segura" / "tokens").glob("*.json"))) == 1


@pytest.mark.parametrize("mode", [0o777, 0o1777], ids=["world-writable", "sticky-like-tmp"])
def test_a_world_writable_home_runs_without_the_cache(playbook, sim, tmp_path, mode):
    home = tmp_path / "shared-home"
    home.mkdir()
    os.chmod(home, mode)

    output = run(playbook, sim, home)
    assert output.count(WARNING) == 1, output
    assert "%s is writable by other users (mode %04o)" % (home, mode) in output
    assert sim.control.counters()["token"] == 3  # each process kept its own token in memory
    assert files_under(home) == []


@as_root
def test_links_another_user_planted_in_a_shared_home_are_not_followed(playbook, sim, tmp_path):
    # HOME=/tmp without a sticky bit: another user made HOME/.ansible first and linked
    # HOME/.ansible/segura to a directory of theirs, to collect the tokens written there.
    home, loot = tmp_path / "shared-home", tmp_path / "loot"
    (home / ".ansible").mkdir(parents=True)
    loot.mkdir()
    (home / ".ansible" / "segura").symlink_to(loot, target_is_directory=True)
    for path in (home, home / ".ansible", loot):
        os.chmod(path, 0o777)
    for path in (home / ".ansible", home / ".ansible" / "segura", loot):
        os.lchown(path, OTHER_UID, OTHER_UID)

    output = run(playbook, sim, home)
    assert output.count(WARNING) == 1, output
    assert "%s is writable by other users (mode 0777)" % home in output
    assert files_under(loot) == []
    assert sim.control.counters()["token"] == 3


@as_root
def test_another_users_home_runs_without_the_cache(playbook, sim, tmp_path):
    # sudo without -H: the task runs as root with the invoking user's HOME
    home = tmp_path / "alice-home"
    home.mkdir()
    os.chown(home, OTHER_UID, OTHER_UID)

    output = run(playbook, sim, home)
    assert output.count(WARNING) == 1, output
    assert "%s belongs to uid %d, not to the user running the task (uid 0)" % (home, OTHER_UID) in output
    assert files_under(home) == []


def test_a_read_only_home_runs_without_the_cache(playbook, sim, tmp_path):
    home = tmp_path / "read-only-home"
    home.mkdir()

    with read_only(home):
        output = run(playbook, sim, home)
    assert output.count(WARNING) == 1, output
    assert "%s cannot be created" % (home / ".ansible") in output
    assert files_under(home) == []


def test_a_missing_home_runs_without_the_cache(playbook, sim, tmp_path):
    home = tmp_path / "no-such-home"

    output = run(playbook, sim, home)
    assert output.count(WARNING) == 1, output
    assert "the home directory %s does not exist" % home in output
    assert not home.exists()
