"""Booleans are read strictly wherever the collection takes one (docs/security.md, "Trust, second pass").

Ansible's reading of a ``type: bool`` lookup option takes ``ture``, ``enabled`` or an empty ini value
for false, which turned certificate verification off with a warning at most. Here an unparsable value
fails naming where it came from, before anything is sent: the rogue server, which stands for whoever
is on the network path once verification is off, sees no request.
"""

import pytest
from lookup_origin import SECRET_VALUE, lookup_play, probe_line


@pytest.mark.parametrize("value", ["ture", "enabled", "strict", "yes please"])
@pytest.mark.parametrize("source", ["variable", "environment", "ansible.cfg"])
def test_an_unparsable_validate_certs_fails_the_lookup_naming_its_source(playbook, rogue, secret_id, source, value):
    env = {"SEGURA_URL": rogue.url}
    vars_block = ""
    if source == "variable":  # with credentials given as variables: the origin rule has nothing to refuse
        creds = playbook.simulator.users["alice"]
        vars_block = "vars: {segura_validate_certs: '%s', segura_client_id: %s, segura_client_secret: %s}" % (
            value, creds["client_id"], creds["client_secret"])
        named = "the variable segura_validate_certs"
    elif source == "environment":
        env["SEGURA_VALIDATE_CERTS"] = value
        named = "the environment variable SEGURA_VALIDATE_CERTS"
    else:
        (playbook.workdir / "ansible.cfg").write_text("[segura]\nvalidate_certs = %s\n" % value)
        named = "validate_certs in the [segura] section of %s" % (playbook.workdir / "ansible.cfg")

    message = probe_line(playbook.run(lookup_play(secret_id, vars_block=vars_block), env=env))

    assert ("segura.pam.mysafe_api_secret: segura_validate_certs, set by %s, is '%s', which is not a boolean."
            % (named, value)) in message
    assert rogue.received == []


@pytest.mark.parametrize("source", ["variable", "environment", "ansible.cfg"])
def test_an_unparsable_token_cache_fails_the_lookup(playbook, sim, secret_id, source):
    env = {}
    vars_block = ""
    if source == "variable":
        vars_block = "vars: {segura_token_cache: enabled}"
    elif source == "environment":
        env["SEGURA_TOKEN_CACHE"] = "enabled"
    else:
        (playbook.workdir / "ansible.cfg").write_text("[segura]\ntoken_cache = enabled\n")

    message = probe_line(playbook.run(lookup_play(secret_id, vars_block=vars_block), env=env))

    assert "segura_token_cache, set by " in message and "is 'enabled', which is not a boolean." in message
    assert sim.control.counters()["total"] == 0


def test_an_empty_validate_certs_in_ansible_cfg_keeps_verification_on(playbook, sim, secret_id):
    """Without the CA the simulator's certificate is untrusted: the lookup must refuse it."""
    (playbook.workdir / "ansible.cfg").write_text("[segura]\nvalidate_certs =\n")

    message = probe_line(playbook.run(lookup_play(secret_id), env={"SEGURA_CA_PATH": None}))

    assert "TLS verification of %s failed" % sim.url in message


def test_with_an_empty_environment_variable_a_host_variable_cannot_turn_verification_off(playbook, rogue, secret_id):
    (playbook.workdir / "host_vars").mkdir()
    (playbook.workdir / "host_vars" / "localhost.yml").write_text("segura_validate_certs: false\n")

    message = probe_line(playbook.run(lookup_play(secret_id), env={"SEGURA_VALIDATE_CERTS": "", "SEGURA_URL": rogue.url}))

    assert "segura_validate_certs is set by the variable segura_validate_certs" in message
    assert "comes from the environment variable SEGURA_CLIENT_" in message
    assert rogue.received == []


@pytest.mark.parametrize("variable", ["true", "yes", "True"])
def test_with_an_empty_environment_variable_a_host_variable_saying_verify_is_accepted(playbook, secret_id, variable):
    (playbook.workdir / "host_vars").mkdir()
    (playbook.workdir / "host_vars" / "localhost.yml").write_text("segura_validate_certs: '%s'\n" % variable)

    message = probe_line(playbook.run(lookup_play(secret_id), env={"SEGURA_VALIDATE_CERTS": ""}))

    assert message == "ok:" + SECRET_VALUE


@pytest.mark.parametrize("variable, value", [("SEGURA_VALIDATE_CERTS", "ture"), ("SEGURA_TOKEN_CACHE", "enabled")])
def test_a_module_fails_on_an_unparsable_boolean_environment_variable_and_names_it(playbook, sim, secret_id, variable,
                                                                                   value):
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - segura.pam.mysafe_api_secret_info:
                identifier: %d
    """ % secret_id, env={variable: value})

    assert result.rc == 2, result
    assert "The value '%s' is not a valid boolean" % value in result.stdout
    assert "comes from the environment variable %s, which is '%s'" % (variable, value) in result.output
    assert sim.control.counters()["total"] == 0
