"""Connecting from real networks: proxies, token path, tenants, legacy variables, User-Agent, 429.

Real ansible-playbook runs against the simulator, reading one secret seeded before the run
with the module (segura.pam.mysafe_api_secret_info) and/or the lookup. The proxy in front of
the simulator is forward_proxy.py next to this file. See docs/connecting.md.
"""

import email.utils
import json
import re
import socket
import time
from pathlib import Path

import pytest
import requests
import yaml
from ansible.release import __version__ as ANSIBLE_CORE_VERSION
from forward_proxy import ForwardProxy
from simulator.control import SimulatorProcess

REPO = Path(__file__).resolve().parents[3]
COLLECTION_VERSION = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
USER_AGENT = "segura.pam/%s (ansible-core/%s)" % (COLLECTION_VERSION, ANSIBLE_CORE_VERSION)
SEEDED = {"name": "seeded", "url": "https://app.example.com", "client_id": "app-id",
          "client_secret": "seeded-client-secret"}
BOTH = ("module", "lookup")

# One task per consumer; %(lookup_options)s adds keyword arguments to the lookup call.
READ_TASKS = {
    "module": """
    - name: Read the secret with the module
      segura.pam.mysafe_api_secret_info:
        identifier: "{{ secret_id }}"
      register: module_result
      ignore_errors: %(may_fail)s
""",
    "lookup": """
    - name: Read its value with the lookup
      ansible.builtin.set_fact:
        looked_up: "{{ lookup('segura.pam.mysafe_api_secret', secret_id%(lookup_options)s) }}"
      register: lookup_result
      ignore_errors: %(may_fail)s
""",
}
SUCCEEDED = {
    "module": ["module_result.api_secret.name == 'seeded'"],
    "lookup": ["looked_up == 'seeded-client-secret'"],
}


def failed_naming(consumer, text):
    result = "%s_result" % consumer
    return ["%s is failed" % result, "%r in %s.msg" % (text, result)]


def reading_play(consumers=BOTH, options=None, fails_naming=None):
    """A play reading the seeded secret (``secret_id``) with each consumer, then asserting the outcome.

    ``options``: connection options given explicitly, as module_defaults of the group and as lookup
    keywords. ``fails_naming``: every consumer must fail with a message containing this text.
    """
    options = options or {}
    fields = {"may_fail": "true" if fails_naming else "false",
              "lookup_options": "".join(", %s=%r" % item for item in options.items())}
    name = "Read with the %s%s" % (" and ".join(consumers), " (%s)" % ", ".join(options) if options else "")
    lines = ["- name: %s" % json.dumps(name), "  hosts: localhost", "  gather_facts: false"]
    if options:
        lines += ["  module_defaults:", "    group/segura.pam.mysafe: %s" % json.dumps(options)]
    lines.append("  tasks:")
    tasks = "".join(READ_TASKS[consumer] % fields for consumer in consumers)
    conditions = [condition for consumer in consumers for condition in (
        failed_naming(consumer, fails_naming) if fails_naming else SUCCEEDED[consumer])]
    messages = " | ".join("%s: {{ %s_result.msg | default('no message') }}" % (c, c) for c in consumers)
    assertion = "\n".join(["", "    - name: Check the outcome", "      ansible.builtin.assert:",
                           "        fail_msg: %s" % json.dumps(messages), "        that:"]
                          + ["          - %s" % json.dumps(condition) for condition in conditions]) + "\n"
    return "\n".join(lines) + tasks + assertion


def seed_secret(simulator, tenant=None):
    """Store SEEDED as alice straight through the API; the run under test then starts from zero counters."""
    form = {"grant_type": "client_credentials", **simulator.users["alice"]}
    if tenant:
        form["tenant"] = tenant
    verify = simulator.ca_path or True  # per request: REQUESTS_CA_BUNDLE would override a session's
    token = requests.post(simulator.url + "/iso/oauth2/token", data=form, verify=verify, timeout=10)
    token.raise_for_status()
    created = requests.post(simulator.url + "/api/mysafe/secretapi", json=SEEDED, verify=verify, timeout=10,
                            headers={"Authorization": "Bearer " + token.json()["access_token"]})
    created.raise_for_status()
    simulator.control.reset(data=False)
    return int(created.json()["api_entity"]["identifier"])


def target(simulator):
    return "127.0.0.1:%d" % simulator.port


def retry_after(form, seconds):
    """A Retry-After value asking to wait ``seconds``: delta-seconds, or an HTTP date that far ahead."""
    if form == "seconds":
        return str(seconds)
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


@pytest.fixture
def secret_id(sim):
    return seed_secret(sim)


@pytest.fixture
def read(playbook, secret_id):
    """``read(*plays, env=...)``: one ansible-playbook run of reading plays with ``secret_id`` set."""

    def run(*plays, env=None):
        return playbook.run("\n".join(plays), env=env, extra_vars={"secret_id": secret_id})

    return run


@pytest.fixture
def proxy():
    with ForwardProxy() as running:
        yield running


@pytest.fixture
def dead_url():
    """A URL whose port refuses connections: bound, never listening, held for the whole test."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        yield "http://127.0.0.1:%d" % placeholder.getsockname()[1]


# --------------------------------------------------------------------------- proxies

@pytest.mark.parametrize("source", ["option", "SEGURA_PROXY"])
def test_segura_proxy_wins_over_the_proxy_environment(read, sim, proxy, dead_url, source):
    """HTTPS_PROXY points to a dead port (and NO_PROXY names the server): segura_proxy is used all the same."""
    env = {"HTTPS_PROXY": dead_url}
    if source == "SEGURA_PROXY":
        env.update(SEGURA_PROXY=proxy.url, NO_PROXY="127.0.0.1")
    result = read(reading_play(options={"segura_proxy": proxy.url} if source == "option" else None), env=env)
    assert result.rc == 0, result
    tunnels = proxy.connects()
    assert list(tunnels) == [target(sim)] and tunnels[target(sim)] >= 2  # at least one per consumer
    assert sim.control.counters()["endpoints"]["read"] == 2


@pytest.mark.parametrize("consumer", BOTH)
def test_https_proxy_environment_applies_when_segura_proxy_is_unset(read, sim, proxy, consumer):
    result = read(reading_play([consumer]), env={"HTTPS_PROXY": proxy.url})
    assert result.rc == 0, result
    assert proxy.connects().get(target(sim), 0) >= 1
    assert sim.control.counters()["endpoints"]["read"] == 1


def test_no_proxy_bypasses_the_environment_proxy(read, sim, proxy):
    result = read(reading_play(), env={"HTTPS_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"})
    assert result.rc == 0, result
    assert proxy.connects() == {}
    assert sim.control.counters()["endpoints"]["read"] == 2


def test_proxy_credentials_stay_out_of_the_output(read, proxy):
    authenticated = proxy.url.replace("http://", "http://squid-user:proxy-pass-4y7r@")
    result = read(reading_play(options={"segura_proxy": authenticated}), env={"ANSIBLE_VERBOSITY": "3"})
    assert result.rc == 0, result
    assert "proxy-pass-4y7r" not in result.output


def test_segura_proxy_forwards_plain_http(playbook, proxy, tmp_path):
    """An http:// server: the proxy forwards each request itself, so it can count every one of them."""
    with SimulatorProcess(tmp_path / "plain-http", https=False) as plain:
        secret = seed_secret(plain)
        result = playbook.run(reading_play(), extra_vars={"secret_id": secret},
                              env={"SEGURA_URL": plain.url, "SEGURA_CA_PATH": None, "SEGURA_PROXY": proxy.url})
        assert result.rc == 0, result
        counters = plain.control.counters()
    assert counters["endpoints"]["read"] == 2
    assert proxy.forwarded() == {target(plain): counters["total"]}


# --------------------------------------------------------------------------- token path, tenant

def test_token_path(read, sim):
    """The option beats SEGURA_TOKEN_PATH; a wrong path fails naming segura_token_path; /api/oauth2/token works."""
    result = read(reading_play(options={"segura_token_path": "/oauth/token"}, fails_naming="segura_token_path"),
                  reading_play(), env={"SEGURA_TOKEN_PATH": "/api/oauth2/token"})
    assert result.rc == 0, result
    token_requests = [entry["path"] for entry in sim.control.requests() if entry["method"] == "POST"]
    # Wrong path: one attempt per consumer (a 404 is not retried); right path: one token shared by both.
    assert token_requests == ["/oauth/token", "/oauth/token", "/api/oauth2/token"]
    assert sim.control.counters()["endpoints"]["read"] == 2


@pytest.fixture
def tenant_sim(sim, tmp_path):
    """A multi-tenant server (tenant "acme") trusted through the same CA as ``sim``."""
    with SimulatorProcess(tmp_path / "tenant", ca=sim.pki, extra_args=["--tenant", "acme"]) as process:
        yield process


def read_from_tenant_server(playbook, tenant_sim, *plays):
    secret = seed_secret(tenant_sim, tenant="acme")
    return playbook.run("\n".join(plays), extra_vars={"secret_id": secret}, env={"SEGURA_URL": tenant_sim.url})


def test_tenant_is_required_by_a_multi_tenant_server(playbook, tenant_sim):
    result = read_from_tenant_server(playbook, tenant_sim, reading_play(fails_naming="segura_tenant"),
                                     reading_play(options={"segura_tenant": "acme"}))
    assert result.rc == 0, result
    counters = tenant_sim.control.counters()
    assert counters["endpoints"]["read"] == 2
    assert counters["token"] == 3  # refused twice, then one token shared by both consumers


def test_wrong_tenant_names_segura_tenant(playbook, tenant_sim):
    result = read_from_tenant_server(
        playbook, tenant_sim, reading_play(options={"segura_tenant": "globex"}, fails_naming="segura_tenant"))
    assert result.rc == 0, result


# --------------------------------------------------------------------------- legacy SENHASEGURA_* variables

def legacy_environment(sim, url, user="alice", keep_segura=False):
    creds = sim.users[user]
    env = {"SENHASEGURA_URL": url, "SENHASEGURA_CLIENT_ID": creds["client_id"],
           "SENHASEGURA_CLIENT_SECRET": creds["client_secret"]}
    if not keep_segura:
        env.update(SEGURA_URL=None, SEGURA_CLIENT_ID=None, SEGURA_CLIENT_SECRET=None)
    return env


def test_senhasegura_variables_alone_are_enough(read, sim):
    result = read(reading_play(), env=legacy_environment(sim, sim.url))
    assert result.rc == 0, result
    assert sim.control.counters()["endpoints"]["read"] == 2


# The lookup's env lists must name SENHASEGURA_* first: Ansible's config uses the LAST one that is set.
@pytest.mark.parametrize("consumer", BOTH)
def test_segura_variables_win_over_senhasegura(read, sim, dead_url, consumer):
    """Every SENHASEGURA_* value is wrong (dead URL, unknown client): only SEGURA_* can make the read work."""
    env = legacy_environment(sim, dead_url.replace("http:", "https:"), keep_segura=True)
    env.update(SENHASEGURA_CLIENT_ID="unknown-client-id", SENHASEGURA_CLIENT_SECRET="wrong-secret")
    result = read(reading_play([consumer]), env=env)
    assert result.rc == 0, result
    assert sim.control.counters()["endpoints"]["read"] == 1


# --------------------------------------------------------------------------- User-Agent, TLS warning

def test_every_request_carries_the_user_agent(read, sim, secret_id):
    assert re.fullmatch(r"segura\.pam/\d+\.\d+\.\d+ \(ansible-core/2\.\d+\.\d+\S*\)", USER_AGENT)
    # No token cache: each consumer requests its own token, so token requests of both are seen.
    result = read(reading_play(), env={"SEGURA_TOKEN_CACHE": "false"})
    assert result.rc == 0, result
    logged = sim.control.requests()
    assert [(entry["method"], entry["path"]) for entry in logged] == [
        ("POST", "/iso/oauth2/token"), ("GET", "/api/mysafe/secretapi/%d" % secret_id),
    ] * 2
    assert {entry["user_agent"] for entry in logged} == {USER_AGENT}


def test_validate_certs_false_warns_once_per_run(read, sim):
    """Four clients each warn; Ansible shows identical warnings once."""
    result = read(reading_play(), reading_play(), env={"SEGURA_VALIDATE_CERTS": "false", "SEGURA_CA_PATH": None})
    assert result.rc == 0, result
    warnings = [line for line in result.stderr.splitlines() if "segura_validate_certs is false" in line]
    assert len(warnings) == 1, result
    assert "the certificate of %s is not verified" % sim.url in warnings[0]
    assert sim.control.counters()["endpoints"]["read"] == 4


# --------------------------------------------------------------------------- HTTP 429

@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_rate_limited_read_waits_and_succeeds(read, sim, form):
    sim.control.fault("429", count=2, endpoint="read", retry_after=retry_after(form, 1))
    result = read(reading_play())
    assert result.rc == 0, result
    counters = sim.control.counters()
    # The module's read was refused twice and retried; the lookup's read found no fault left.
    assert (counters["endpoints"]["read"], counters["faults_injected"]) == (4, 2)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_beyond_segura_timeout_fails_at_once(read, sim, form):
    sim.control.fault("429", endpoint="read", rate=1.0, retry_after=retry_after(form, 60))
    result = read(reading_play(fails_naming="beyond segura_timeout"))
    assert result.rc == 0, result
    assert "HTTP 429" in result.stdout
    # No retry: waiting would outlast segura_timeout (5 s in these runs).
    assert sim.control.counters()["endpoints"]["read"] == 2
