"""The lookup's origin-rule probes, shared by the connection-source and trust tests: a "rogue"
server that records every request reaching it (whatever an inventory editor or a managed node
would point the lookup to), the probe secret, and a play that looks it up and reports.
"""

import textwrap
from http.server import BaseHTTPRequestHandler

from playbook_runner import reported

SECRET_VALUE = "looked-up-value-Hq27"


class RecordingHandler(BaseHTTPRequestHandler):
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


def lookup_play(secret_id, lookup_options="", vars_block="", pre_tasks=""):
    return textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
        %s
          tasks:
        %s
            - name: Look the secret up
              ansible.builtin.set_fact:
                looked_up: "{{ lookup('segura.pam.mysafe_api_secret', %d%s) }}"
              register: probe
              ignore_errors: true

            - name: Report
              ansible.builtin.debug:
                msg: "PROBE {{ ('ok:' ~ looked_up) if probe is succeeded else probe.msg }}"
        """) % (textwrap.indent(vars_block, "  "), textwrap.indent(pre_tasks, "    "), secret_id, lookup_options)


def probe_line(result):
    return reported(result, "PROBE")
