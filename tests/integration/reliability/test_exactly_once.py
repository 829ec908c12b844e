"""Exactly-once writes: a create that may have reached Segura is never sent a second time blindly.

- Through a proxy, a connection dropped after the request went out is reported by urllib3 as a
  proxy error, like a tunnel that never opened: what counts is what reached the wire.
- A create of a secret selected by name that the server applies late (after the client gave up
  and listed the secrets again) is not repeated: the task fails saying how to check.
"""

import sys
import time
from pathlib import Path

import pytest
from playbook_runner import reported

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connecting"))
from forward_proxy import ForwardProxy  # noqa: E402 - needs the path above

LATE_SECONDS = 3

CREATE = """
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Create the secret
          segura.pam.mysafe_api_secret:
            %(selector)s
            name: exactly-once
            url: https://app.example.com
            client_id: app-id
            client_secret: exactly-once-secret-Vb31
            %(connection)s
          register: created
          ignore_errors: true

        - name: Report
          ansible.builtin.debug:
            msg: "OUTCOME {{ created.operation | default('failed') }} | {{ created.msg | default('') }}"
"""


def outcome(result):
    operation, _bar, message = reported(result, "OUTCOME").partition(" | ")
    return operation, message


@pytest.fixture
def proxy():
    with ForwardProxy() as running:
        yield running


@pytest.mark.parametrize("selector", ["identifier_code: exactly-once", ""], ids=["by-code", "by-name"])
def test_a_create_dropped_through_the_proxy_after_sending_is_not_sent_again(playbook, sim, proxy, selector):
    sim.control.fault("drop", endpoint="create", after_write=True)  # applied, then the connection dies

    result = playbook.run(CREATE % {"selector": selector, "connection": "segura_proxy: %s" % proxy.url})

    operation, message = outcome(result)
    assert (operation, message) == ("created", "")
    assert [s["name"] for s in sim.control.secrets()] == ["exactly-once"]
    assert sim.control.counters()["endpoints"]["create"] == 1
    assert sum(proxy.connects().values()) >= 1  # it did go through the proxy


def test_a_create_by_name_applied_late_is_never_repeated(playbook, sim):
    sim.control.fault("stall", endpoint="create", apply_late=True, stall_seconds=LATE_SECONDS)

    result = playbook.run(CREATE % {"selector": "", "connection": "segura_timeout: 1"})

    operation, message = outcome(result)
    assert operation == "failed"
    assert "Creating the API secret named 'exactly-once' may have been applied" in message
    assert "not created a second time" in message and "identifier_code" in message
    assert sim.control.counters()["endpoints"]["create"] == 1
    deadline = time.time() + LATE_SECONDS + 5
    while not sim.control.secrets() and time.time() < deadline:
        time.sleep(0.2)
    assert [s["name"] for s in sim.control.secrets()] == ["exactly-once"]  # the late one, alone
