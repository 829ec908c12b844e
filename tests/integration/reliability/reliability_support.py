"""Helpers shared by the reliability tests (imported by name: pytest puts this directory on sys.path).

- :class:`DirectApi`: set up secrets straight through the simulator's REST API, as another
  Segura client would, so the playbook under test starts from a known state.
- :func:`stub_server`: a tiny plain-HTTP server that answers like a misconfigured endpoint
  (HTML login page, plain text, truncated or unknown JSON).
- :func:`closed_port`, :func:`dump_task`: small utilities.
"""

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

SECRETS_PATH = "/api/mysafe/secretapi"


class DirectApi(object):
    """One simulator user's REST session (token fetched once); every call raises on failure."""

    def __init__(self, sim, user):
        self.sim = sim
        self.session = requests.Session()
        creds = sim.users[user]
        answer = self.session.post(sim.url + "/iso/oauth2/token", verify=sim.ca_path, timeout=10, data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]})
        answer.raise_for_status()
        self.token = answer.json()["access_token"]

    def _call(self, method, path, body=None):
        answer = self.session.request(method, self.sim.url + SECRETS_PATH + path, json=body, verify=self.sim.ca_path,
                                      timeout=10, headers={"Authorization": "Bearer " + self.token})
        answer.raise_for_status()
        return answer.json()

    def create(self, **fields):
        """Create a secret; returns its identifier (int)."""
        return int(self._call("POST", "", fields)["api_entity"]["identifier"])

    def disable(self, identifier):
        self._call("POST", "/inactive/%d" % identifier)


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dump_task(variables, dest):
    """A final task writing the named registered variables to ``dest`` as one JSON object.

    A dict, which is also one line of YAML once dumped as JSON. no_log keeps the dump itself out
    of the output; check_mode and diff off so it is always written, quietly.
    """
    content = "{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (name, name) for name in variables)
    return {"name": "Keep the registered results for the test", "no_log": True, "check_mode": False,
            "diff": False, "ansible.builtin.copy": {"content": content, "dest": dest, "mode": "0600"}}


# -- a server that is not Segura ---------------------------------------------------------------

TOKEN_BODY = json.dumps({"access_token": "stub-token", "token_type": "Bearer", "expires_in": 3600}).encode()
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>...</form></body></html>"
TRUNCATED = b'{"code": 200, "response": {"status": 200, "message": "Su'
UNKNOWN_ENVELOPE = json.dumps({"data": {"items": [], "total": 0}, "ok": True}).encode()

# first path segment -> (content type, body) of every API answer; the token request succeeds
# except under /html, a login page answering everything with HTML.
STUB_BODIES = {
    "html": ("text/html; charset=utf-8", LOGIN_PAGE),
    "text": ("text/plain", b"OK"),
    "truncated": ("application/json", TRUNCATED),
    "unknown": ("application/json", UNKNOWN_ENVELOPE),
    # Content-Length promises more than is sent before the connection closes.
    "cut": ("application/json", TRUNCATED),
}


class _StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command != "GET" and "oauth2/token" not in self.path:
            self.server.writes += 1
        kind = self.path.strip("/").split("/")[0]
        content_type, body = STUB_BODIES.get(kind, STUB_BODIES["text"])
        if kind != "html" and self.path.endswith("/oauth2/token"):
            content_type, body = "application/json", TOKEN_BODY
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        declared = len(body) + (500 if kind == "cut" and body is TRUNCATED else 0)
        self.send_header("Content-Length", str(declared))
        if declared != len(body):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_GET

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def stub_server():
    """Yields the stub's base URL (``http://127.0.0.1:PORT``); ``/html``, ``/text``... select the answer."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubHandler)
    server.daemon_threads = True
    server.writes = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        server.url = "http://127.0.0.1:%d" % server.server_address[1]
        yield server
    finally:
        server.shutdown()
        server.server_close()
