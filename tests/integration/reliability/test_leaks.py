"""No secret value, OAuth client secret or bearer token in what a run prints, logs or registers.

Runs are as chatty as a user can make them (-vvvv, ANSIBLE_LOG_PATH, --diff, --check) and go
through the paths where values are most likely to slip out: errors. The only values allowed in
a registered result are those a user asked for explicitly on a no_log task
(mysafe_api_secret_info reveal_secret: true, the segura_token module's token).
"""

import json

import pytest

from item_support import assert_not_shown, cached_tokens, secret_vars
from reliability_support import DirectApi, dump_task

from simulator import certs
from playbook_runner import localhost_play

# Secret values the playbooks write (canaries: unique strings to search for).
CANARIES = {
    "created": "canary-created-Zq81xv",
    "rotated": "canary-rotated-Hp20ke",
    "refused": "canary-refused-Mt55wd",
    "check_mode": "canary-checkmode-Ub73ra",
    "wrong_oauth_secret": "canary-wrong-oauth-Lk09sj",
}

SUCCESS_AND_REFUSALS = localhost_play("""
        - name: Create a secret
          segura.pam.mysafe_api_secret:
            identifier_code: leak-1
            name: Leak test
            url: https://leak.example.com
            client_id: leak-app
            client_secret: "{{ canary.created }}"
          register: created

        - name: Rotate it, showing the diff
          segura.pam.mysafe_api_secret:
            identifier_code: leak-1
            client_secret: "{{ canary.rotated }}"
          register: rotated

        - name: Read it (masked)
          segura.pam.mysafe_api_secret_info:
            identifier_code: leak-1
          register: masked

        - name: Read it in clear, the documented way
          segura.pam.mysafe_api_secret_info:
            identifier_code: leak-1
            reveal_secret: true
          no_log: true
          register: revealed

        - name: Use the value through the lookup
          ansible.builtin.set_fact:
            looked_up: "{{ lookup('segura.pam.mysafe_api_secret', 'leak-1', by='identifier_code') }}"
          no_log: true

        - name: Get a token for later tasks
          segura.pam.segura_token:
          no_log: true
          register: token_result

        - name: Read with that token passed as an option
          segura.pam.mysafe_api_secret_info:
            identifier_code: leak-1
            segura_token: "{{ token_result.token }}"
          register: with_token

        - name: Refused - read a secret alice may not see (1006)
          ansible.builtin.set_fact:
            denied_value: "{{ lookup('segura.pam.mysafe_api_secret', ids.hidden) }}"
          ignore_errors: true
          register: denied_lookup

        - name: Refused - write a secret alice may only view (1006)
          segura.pam.mysafe_api_secret:
            identifier: "{{ ids.view_only }}"
            client_secret: "{{ canary.refused }}"
          ignore_errors: true
          register: denied_write

        - name: Refused - duplicate identifier_code (1001)
          segura.pam.mysafe_api_secret:
            identifier: "{{ created.identifier }}"
            identifier_code: taken
            client_secret: "{{ canary.refused }}"
          ignore_errors: true
          register: duplicate

        - name: Rejected before sending - not an HTTP method
          segura.pam.mysafe_api_secret:
            identifier_code: leak-2
            name: Leak test 2
            url: https://leak.example.com
            client_id: leak-app
            client_secret: "{{ canary.refused }}"
            method: fetch
          ignore_errors: true
          register: invalid

        - name: TLS - a CA that did not sign the server certificate
          segura.pam.mysafe_api_secret:
            identifier_code: leak-1
            client_secret: "{{ canary.refused }}"
            segura_ca_path: "{{ other_ca }}"
          ignore_errors: true
          register: untrusted

        - name: TLS - the lookup with the same CA
          ansible.builtin.set_fact:
            untrusted_value: "{{ lookup('segura.pam.mysafe_api_secret', 'leak-1', by='identifier_code',
                                        segura_ca_path=other_ca) }}"
          ignore_errors: true
          register: untrusted_lookup

        - name: Wrong OAuth client secret
          segura.pam.mysafe_api_secret_info:
            identifier_code: leak-1
            segura_client_secret: "{{ canary.wrong_oauth_secret }}"
            segura_token_cache: false
          ignore_errors: true
          register: wrong_credentials

        - name: Wrong OAuth client secret in the lookup
          ansible.builtin.set_fact:
            wrong_value: "{{ lookup('segura.pam.mysafe_api_secret', 'leak-1', by='identifier_code',
                                    segura_client_secret=canary.wrong_oauth_secret, segura_token_cache=false) }}"
          ignore_errors: true
          register: wrong_credentials_lookup
        - %s
""", vars_files=["secrets.yml"]) % json.dumps(dump_task([
    "created", "rotated", "masked", "with_token", "denied_lookup", "denied_write", "duplicate", "invalid",
    "untrusted", "untrusted_lookup", "wrong_credentials", "wrong_credentials_lookup", "revealed"], "{{ dump_path }}"))

CHECK_MODE = localhost_play("""
        - name: Would rotate the existing secret
          segura.pam.mysafe_api_secret:
            identifier_code: leak-1
            client_secret: "{{ canary.check_mode }}"
          register: would_rotate

        - name: Would create another one
          segura.pam.mysafe_api_secret:
            identifier_code: leak-new
            name: Leak test new
            url: https://leak.example.com
            client_id: leak-app
            client_secret: "{{ canary.check_mode }}"
          register: would_create

        - ansible.builtin.assert:
            that:
              - would_rotate is changed and would_create is changed
              - would_rotate.diff.after.client_secret == '******** (changed)'
        - %s
""", vars_files=["secrets.yml"]) % json.dumps(dump_task(["would_rotate", "would_create"], "{{ dump_path }}"))

FAILING_RUN = localhost_play("""
        - name: The lookup, with the wrong client secret from the environment
          ansible.builtin.debug:
            msg: "{{ lookup('segura.pam.mysafe_api_secret', 1) | length }}"
          ignore_errors: true

        - name: A module, with the wrong client secret from the environment
          segura.pam.mysafe_api_secret:
            identifier_code: leak-1
            client_secret: "{{ canary.refused }}"
""", vars_files=["secrets.yml"])


def forbidden_values(playbook, sim, extra=()):
    """label -> value of everything that must never be shown."""
    values = {"oauth client secret of alice": sim.users["alice"]["client_secret"]}
    values.update(("secret value %s" % label, value) for label, value in CANARIES.items())
    values.update(("bearer token %d" % n, token) for n, token in enumerate(cached_tokens(playbook.home)))
    values.update(extra)
    return values


def run_verbose(playbook, text, extra_vars, **options):
    """Run at -vvvv. The secret values come from a vars file, as from a vault: -vvvv prints -e values."""
    secret_vars(playbook, canary=CANARIES)
    dump_path = playbook.workdir / "registered.json"
    result = playbook.run(text, verbosity=4, extra_vars=dict(extra_vars, dump_path=str(dump_path)), **options)
    registered = json.loads(dump_path.read_text()) if dump_path.exists() else {}
    return result, registered


@pytest.fixture
def leak_setup(sim, tmp_path):
    """Secrets of admin that alice may not see or only view, a code alice already uses, a foreign CA."""
    admin = DirectApi(sim, "admin")
    ids = {"hidden": admin.create(name="Admin only", url="https://a.example.com", client_id="a"),
           "view_only": admin.create(name="Shared view only", url="https://v.example.com", client_id="v",
                                     users_allowed=[{"username": "alice"}])}
    DirectApi(sim, "alice").create(name="Taken", url="https://t.example.com", client_id="t", identifier_code="taken")
    sim.control.reset()
    return {"ids": ids, "other_ca": certs.make_pki(tmp_path / "other-pki")["ca"]}


def test_verbose_diff_run_with_refusals_shows_no_secret(playbook, sim, leak_setup):
    result, registered = run_verbose(playbook, SUCCESS_AND_REFUSALS, leak_setup, diff=True)
    assert result.rc == 0, result
    # Every refusal really happened, for the reason intended.
    assert registered["denied_write"]["error_type"] == "AccessDeniedError"
    assert registered["duplicate"]["error_type"] == "DuplicateIdentifierCodeError"
    assert registered["invalid"]["error_type"] == "ConfigurationError"
    assert registered["untrusted"]["error_type"] == "TLSError"
    assert registered["wrong_credentials"]["error_type"] == "AuthenticationError"
    for lookup_failure in ("denied_lookup", "untrusted_lookup", "wrong_credentials_lookup"):
        assert registered[lookup_failure].get("failed"), lookup_failure
    assert registered["masked"]["api_secret"]["client_secret"] == "********"
    assert registered["rotated"]["diff"]["after"]["client_secret"] == "******** (changed)"

    values = forbidden_values(playbook, sim)
    assert any(label.startswith("bearer token") for label in values)
    # The one place a value may be: what the user asked for with reveal_secret on a no_log task.
    revealed = registered.pop("revealed")
    assert revealed["api_secret"]["client_secret"] == CANARIES["rotated"]
    assert_not_shown(json.dumps(registered), values, "a registered result")
    assert_not_shown(result.stdout, values, "stdout")
    assert_not_shown(result.stderr, values, "stderr")
    assert_not_shown(result.log_path.read_text(), values, "the log file")
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result.output  # -vvvv did print the module arguments


def test_check_mode_diff_run_shows_no_secret(playbook, sim, leak_setup):
    DirectApi(sim, "alice").create(identifier_code="leak-1", name="Leak test", url="https://leak.example.com",
                                   client_id="leak-app", client_secret=CANARIES["created"])
    sim.control.reset()
    result, registered = run_verbose(playbook, CHECK_MODE, leak_setup, check=True, diff=True)
    assert result.rc == 0, result
    assert sim.control.counters()["writes"] == 0
    values = forbidden_values(playbook, sim)
    assert_not_shown(json.dumps(registered), values, "a registered result")
    assert_not_shown(result.output, values, "the output or log")


def test_failing_run_with_wrong_oauth_secret_shows_no_secret(playbook, sim, leak_setup):
    result, _registered = run_verbose(playbook, FAILING_RUN, leak_setup,
                                      env={"SEGURA_CLIENT_SECRET": CANARIES["wrong_oauth_secret"]})
    assert result.rc == 2, result
    assert "refused the token request" in result.stdout
    assert_not_shown(result.output, forbidden_values(playbook, sim), "the output or log")
    assert sim.control.counters()["writes"] == 0
