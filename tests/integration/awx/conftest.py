"""Fixtures of the AWX credential plugin's tests: the wheel built and installed once per run, what
AWX discovers of it, and backend calls run in its venv."""

import pytest

from credential_plugin_support import plugin_environment, run_driver


@pytest.fixture(scope="session")
def plugin_env(tmp_path_factory, worker_id):
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    return plugin_environment(shared / "segura-awx-credential-plugin")


@pytest.fixture(scope="session")
def described(plugin_env, tmp_path_factory):
    """The driver's report without calls: what AWX discovers."""
    return run_driver(plugin_env, tmp_path_factory.mktemp("describe"))


@pytest.fixture
def call(plugin_env, described, sim, tmp_path):
    """Runs backend calls in the venv: call((inputs, metadata), ...) -> one outcome per call."""
    runs = []

    def run(*calls, **options):
        report = run_driver(plugin_env, tmp_path / str(len(runs)), calls, **options)
        runs.append(report)
        assert report["stderr"] == ""
        # no token cache (nor anything else) written under the job's home
        assert report["home_files"] == []
        return report["calls"]

    run.reports = runs
    return run
