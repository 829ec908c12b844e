"""The collection as Galaxy users get it: build the tarball, install it, read every plugin's docs."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
PLUGINS = [
    ("module", "segura.pam.mysafe_api_secret"),
    ("module", "segura.pam.mysafe_api_secret_info"),
    ("module", "segura.pam.segura_token"),
    ("lookup", "segura.pam.mysafe_api_secret"),
]


def run(*command, **kwargs):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("galaxy")
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", work, REPO)
    tarball = next(work.glob("segura-pam-*.tar.gz"))
    # --force: pytest-ansible puts the work tree on ANSIBLE_COLLECTIONS_PATH, so segura.pam looks installed
    run(BIN / "ansible-galaxy", "collection", "install", "--force", "-p", work / "collections", tarball)
    return work / "collections", tarball


def test_tarball_holds_collection_content_only(installed):
    _unused, tarball = installed
    names = run("tar", "-tzf", tarball).stdout.split()
    assert "plugins/modules/mysafe_api_secret.py" in names
    assert "meta/runtime.yml" in names
    for unwanted in (".venv/", ".git/", "build/", ".tmp/", "Makefile", "requirements-dev.txt", "collections/"):
        assert not any(name.startswith(unwanted) for name in names), unwanted


@pytest.mark.parametrize("plugin_type,name", PLUGINS)
def test_installed_plugin_docs_render(installed, plugin_type, name):
    collections, _unused = installed
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collections), "PATH": str(BIN), "HOME": str(collections.parent)}
    doc = run(BIN / "ansible-doc", "-t", plugin_type, name, env=env).stdout
    assert name in doc
    # the shared connection options reach every plugin through the doc fragment
    assert "segura_url" in doc and "segura_client_secret" in doc


def test_installed_action_group_lists_every_module(installed):
    collections, _unused = installed
    runtime = (collections / "ansible_collections/segura/pam/meta/runtime.yml").read_text()
    for plugin_type, name in PLUGINS:
        if plugin_type == "module":
            assert "- %s" % name.rsplit(".", 1)[1] in runtime
