"""No credential in any message, at any verbosity, and no environment that changes what is sent.

Each run is made with -vvvv and its whole output (stdout, stderr, Ansible's log) is searched for
the secret values. The echoing gateway stands for a proxy or gateway that copies the request
(headers, form) into its error text.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from playbook_runner import localhost_play

TOKEN_ECHOED = "echoed-bearer-token-Nw42"
PROXY_PASSWORD = "proxy-pa55-Kd81"
PROXY_USER = "proxyuser-Tq5"
NETRC_PASSWORD = "netrc-password-Lm09"


class EchoHandler(BaseHTTPRequestHandler):
    """Answers every request with an error whose text repeats the request."""

    def do_POST(self):  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8", "replace")
        if self.path.endswith("/token"):
            fields = {key: values[0] for key, values in parse_qs(form).items()}
            body = {"error": "invalid_request", "error_description": "rejected form %s (%s)" % (form, fields)}
            return self.answer(400, body)
        return self.answer(404, {"message": "no route for %s with %s" % (self.path, dict(self.headers))})

    do_GET = do_POST

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - base class signature
        pass


@pytest.fixture
def echo_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def run_both_consumers(playbook, connection, **run_options):
    """A module task and a lookup task, both allowed to fail, with ``connection`` as their options.

    The values come from a vars file: Ansible shows the lines around a failing task, which must
    hold no secret themselves.
    """
    (playbook.workdir / "connection.yml").write_text(json.dumps({"probe_connection": connection}))
    options = "\n".join('            %s: "{{ probe_connection.%s }}"' % (key, key) for key in connection)
    keywords = "".join(", %s=probe_connection.%s" % (key, key) for key in connection)
    return playbook.run("""
    - hosts: localhost
      gather_facts: false
      vars_files:
        - connection.yml
      tasks:
        - name: Module
          segura.pam.mysafe_api_secret_info:
            identifier: 1
%s
          register: module_result
          ignore_errors: true

        - name: Lookup
          ansible.builtin.set_fact:
            looked_up: "{{ lookup('segura.pam.mysafe_api_secret', 1%s) }}"
          register: lookup_result
          ignore_errors: true

        - name: Report
          ansible.builtin.debug:
            msg: "MODULE {{ module_result.msg | default('ok') }} LOOKUP {{ lookup_result.msg | default('ok') }}"
""" % (options, keywords), verbosity=4, **run_options)


def assert_absent(result, *secrets):
    output = result.output
    for secret in secrets:
        assert secret not in output, "%r leaked" % secret


def test_an_echoing_gateway_never_gets_the_client_secret_printed(playbook, sim, echo_url):
    secret = sim.users["alice"]["client_secret"]

    result = run_both_consumers(playbook, {"segura_url": echo_url, "segura_token_cache": False},
                                env={"SEGURA_URL": echo_url, "SEGURA_CA_PATH": None})

    assert result.rc == 0, result.output
    assert result.output.count("Segura refused the token request") >= 2  # module and lookup both failed
    assert_absent(result, secret)


def test_an_echoing_gateway_never_gets_the_bearer_token_printed(playbook, echo_url):
    result = run_both_consumers(playbook, {"segura_url": echo_url, "segura_token": TOKEN_ECHOED},
                                env={"SEGURA_URL": None, "SEGURA_CA_PATH": None, "SEGURA_CLIENT_ID": None,
                                     "SEGURA_CLIENT_SECRET": None})

    assert result.rc == 0, result.output
    assert result.output.count("gateway found no route") >= 2
    assert_absent(result, TOKEN_ECHOED)


@pytest.fixture
def fresh_token(sim):
    answer = requests.post(sim.url + "/iso/oauth2/token", verify=sim.ca_path, timeout=10,
                           data=dict(grant_type="client_credentials", **sim.users["alice"]))
    answer.raise_for_status()
    sim.control.reset()  # the runs under test start from zero counters
    return answer.json()["access_token"]


def test_a_token_given_as_a_yaml_block_works(playbook, sim, fresh_token):
    seeded = sim.control.seed("secrets", name="blocky", url="https://app.example.com", client_id="app-id",
                              client_secret="block-secret")
    result = playbook.run("""
    - hosts: localhost
      gather_facts: false
      vars:
        segura_token: |
          %s
      module_defaults:
        group/segura.pam.mysafe:
          segura_token: "{{ segura_token }}"
      tasks:
        - segura.pam.mysafe_api_secret_info:
            identifier: %d
          register: read
        - ansible.builtin.assert:
            that:
              - read.api_secret.name == 'blocky'
              - lookup('segura.pam.mysafe_api_secret', %d) == 'block-secret'
    """ % (fresh_token, seeded, seeded), env={"SEGURA_CLIENT_ID": None, "SEGURA_CLIENT_SECRET": None})

    assert result.rc == 0, result.output


def test_a_token_with_a_line_break_inside_is_refused_without_printing_it(playbook, sim, fresh_token):
    broken = fresh_token[:8] + "\n" + fresh_token[8:]

    result = run_both_consumers(playbook, {"segura_token": broken},
                                env={"SEGURA_CLIENT_ID": None, "SEGURA_CLIENT_SECRET": None})

    assert result.rc == 0, result.output
    assert result.output.count("segura_token is not a usable access token") >= 2
    assert_absent(result, fresh_token[8:], json.dumps(broken)[1:-1])
    assert sim.control.counters()["total"] == 0


@pytest.mark.parametrize("proxy", [
    "http://%s:%s#x@proxy.example.com:3128" % (PROXY_USER, PROXY_PASSWORD),
    "http://%s:%s@proxy.example.com:notaport" % (PROXY_USER, PROXY_PASSWORD),
    "socks9://%s:%s@proxy.example.com" % (PROXY_USER, PROXY_PASSWORD),
], ids=["fragment", "bad-port", "bad-scheme"])
def test_a_malformed_proxy_url_is_refused_without_its_user_info(playbook, sim, proxy):
    result = run_both_consumers(playbook, {"segura_proxy": proxy})

    assert result.rc == 0, result.output
    assert result.output.count("segura_proxy 'socks9://********@" if "socks9" in proxy
                               else "segura_proxy 'http://********@") >= 2
    assert_absent(result, PROXY_PASSWORD, PROXY_USER)
    assert sim.control.counters()["total"] == 0


def test_a_netrc_default_entry_is_never_sent_to_segura(playbook, sim):
    seeded = sim.control.seed("secrets", name="netrc", url="https://app.example.com", client_id="app-id",
                              client_secret="netrc-case-secret")
    netrc = playbook.home / ".netrc"
    netrc.write_text("default login netrc-user password %s\n" % NETRC_PASSWORD)
    netrc.chmod(0o600)

    result = playbook.run(localhost_play("""
        - segura.pam.mysafe_api_secret_info:
            identifier: %d
          register: read
        - ansible.builtin.assert:
            that:
              - read.api_secret.name == 'netrc'
              - lookup('segura.pam.mysafe_api_secret', %d, segura_token_cache=false) == 'netrc-case-secret'
    """) % (seeded, seeded), verbosity=4)

    # The simulator, like servers that accept client_secret_basic, takes Basic credentials over the
    # form: a netrc entry sent along would have been refused as an unknown client.
    assert result.rc == 0, result.output
    assert_absent(result, NETRC_PASSWORD)
