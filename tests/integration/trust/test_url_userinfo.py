"""The user info of segura_url (a gateway's credentials) shows in no message (docs/security.md).

The "validate_certs is false" and "plain HTTP" warnings, and the errors that name the server, show
the URL as ``https://********@host``: not in the output at ``-vvvv``, not in a registered result's
``warnings`` or ``msg``, not in ANSIBLE_LOG_PATH, for modules and the lookup.
"""

import json

import pytest

from simulator.control import SimulatorProcess
from lookup_origin import SECRET_VALUE

GATEWAY_USER = "gwuser-Kq81"
GATEWAY_PASSWORD = "GwPassw0rd-Zx55"


def with_user_info(url):
    scheme, rest = url.split("://", 1)
    return "%s://%s:%s@%s" % (scheme, GATEWAY_USER, GATEWAY_PASSWORD, rest)


def masked(url):
    scheme, rest = url.split("://", 1)
    return "%s://********@%s" % (scheme, rest)


# A module and the lookup, each registered and printed whole; the run goes on after a failure.
PLAY = """
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Read with the module
          segura.pam.mysafe_api_secret_info:
            identifier: %(identifier)d
          register: module_result
          ignore_errors: true

        - name: Read with the lookup
          ansible.builtin.set_fact:
            looked_up: "{{ lookup('segura.pam.mysafe_api_secret', %(identifier)d) }}"
          register: lookup_result
          ignore_errors: true
          no_log: false

        - name: Print what was registered
          ansible.builtin.debug:
            msg: "REGISTERED {{ {'module': module_result, 'lookup': lookup_result} | to_json }}"
"""


def registered(result):
    line = next(line for line in result.stdout.splitlines() if '"msg": "REGISTERED ' in line)
    return json.loads(json.loads("{%s}" % line.strip().rstrip(","))["msg"].split("REGISTERED ", 1)[1])


def assert_no_user_info(result):
    for where, text in (("output", result.stdout + result.stderr), ("log", result.log_path.read_text())):
        assert GATEWAY_USER not in text, where
        assert GATEWAY_PASSWORD not in text, where


def test_the_validate_certs_warning_never_shows_the_user_info(playbook, sim, secret_id):
    env = {"SEGURA_URL": with_user_info(sim.url), "SEGURA_VALIDATE_CERTS": "false", "SEGURA_CA_PATH": None}

    result = playbook.run(PLAY % {"identifier": secret_id}, env=env, verbosity=4)

    assert result.rc == 0, result
    assert_no_user_info(result)
    found = registered(result)
    assert found["module"]["api_secret"]["name"] == "probe"
    warning = "segura_validate_certs is false: the certificate of %s is not verified" % masked(sim.url)
    assert any(text.startswith(warning) for text in found["module"]["warnings"]), found["module"]
    assert found["lookup"]["ansible_facts"]["looked_up"] == SECRET_VALUE
    assert result.output.count(warning) >= 2  # shown for the module and the lookup, and logged


def test_the_plain_http_warning_never_shows_the_user_info(playbook, tmp_path):
    with SimulatorProcess(tmp_path / "plain", https=False) as plain:
        identifier = plain.control.seed("secrets", name="probe", url="https://app.example.com", client_id="app-id",
                                        client_secret="value-of-the-probe")
        env = {"SEGURA_URL": with_user_info(plain.url), "SEGURA_CA_PATH": None,
               "SEGURA_CLIENT_ID": plain.users["alice"]["client_id"],
               "SEGURA_CLIENT_SECRET": plain.users["alice"]["client_secret"]}
        result = playbook.run(PLAY % {"identifier": identifier}, env=env, verbosity=4)

    assert result.rc == 0, result
    assert_no_user_info(result)
    found = registered(result)
    warning = "segura_url %s is plain HTTP" % masked(plain.url)
    assert any(text.startswith(warning) for text in found["module"]["warnings"]), found["module"]
    assert found["lookup"]["ansible_facts"]["looked_up"] == "value-of-the-probe"


@pytest.mark.parametrize("failure", ["tls", "token-refused"])
def test_errors_never_show_the_user_info(playbook, sim, secret_id, failure):
    env = {"SEGURA_URL": with_user_info(sim.url)}
    if failure == "tls":
        env["SEGURA_CA_PATH"] = None
        expected = "TLS verification of %s failed" % masked(sim.url)
    else:
        env["SEGURA_CLIENT_SECRET"] = "not-the-secret"
        expected = "Segura refused the token request to %s/iso/oauth2/token" % masked(sim.url)

    result = playbook.run(PLAY % {"identifier": secret_id}, env=env, verbosity=4)

    assert result.rc == 0, result
    assert_no_user_info(result)
    found = registered(result)
    assert expected in found["module"]["msg"] and expected in found["lookup"]["msg"], found
