"""Fixtures of the trust tests: a rogue server that records what reaches it, and a secret to look up."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET_VALUE = "looked-up-value-Tr4s"


class RecordingHandler(BaseHTTPRequestHandler):
    """Answers every request with a token refusal, after noting it."""

    def do_POST(self):  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append((self.command, self.path, self.rfile.read(length)))
        body = b'{"error": "invalid_client"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_CONNECT = do_POST

    def log_message(self, format, *args):  # noqa: A002 - base class signature
        pass


@pytest.fixture
def rogue():
    """``rogue.url`` and ``rogue.received``: every request that reached it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.received = []
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret_value():
    return SECRET_VALUE


@pytest.fixture
def secret_id(sim):
    identifier = sim.control.seed("secrets", name="probe", url="https://app.example.com", client_id="app-id",
                                  client_secret=SECRET_VALUE)
    sim.control.reset()
    return identifier


@pytest.fixture
def lookup_play(secret_id):
    """``lookup_play(vars_block='')``: a play that looks the secret up and prints ``PROBE ok:<value>`` or
    ``PROBE <the lookup's message>``, read by :func:`probe_line`."""
    def play(vars_block=""):
        return """
            - hosts: localhost
              gather_facts: false
              %s
              tasks:
                - name: Look the secret up
                  ansible.builtin.set_fact:
                    looked_up: "{{ lookup('segura.pam.mysafe_api_secret', %d) }}"
                  register: probe
                  ignore_errors: true

                - name: Report
                  ansible.builtin.debug:
                    msg: "PROBE {{ ('ok:' ~ looked_up) if probe is succeeded else probe.msg }}"
            """ % (vars_block, secret_id)

    return play


@pytest.fixture
def probe_line():
    """``probe_line(result)``: what the play of :func:`lookup_play` printed after ``PROBE``."""
    def line_of(result):
        assert result.rc == 0, result
        line = next(line for line in result.stdout.splitlines() if '"msg": "PROBE ' in line)
        return line.split("PROBE ", 1)[1][:-1].replace('\\"', '"')

    return line_of
