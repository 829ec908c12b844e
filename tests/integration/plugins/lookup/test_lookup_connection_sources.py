"""Where the lookup's connection options come from: variables are rendered like the play renders
them, and a variable can never send credentials kept in the environment or ansible.cfg to
another server (docs/security.md).

A "rogue" server stands for whatever an inventory editor or a managed node would point the
lookup to: it records every request that reaches it.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator.control import SimulatorProcess
from playbook_runner import localhost_play
from lookup_origin import SECRET_VALUE, lookup_play, probe_line

BIN = Path(sys.executable).parent
VAULT_PASSWORD = "vault-password-for-the-test"


def write_yaml(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def vault_encrypt(workdir, name, value):
    password_file = workdir / "vault-password"
    password_file.write_text(VAULT_PASSWORD)
    encrypted = subprocess.run([str(BIN / "ansible-vault"), "encrypt_string", "--vault-password-file",
                                str(password_file), "--name", name, value], check=True, capture_output=True,
                               text=True, env={"PATH": "%s:/usr/bin:/bin" % BIN, "HOME": str(workdir)})
    return encrypted.stdout, ["--vault-password-file", str(password_file)]


NO_CONNECTION_ENV = {"SEGURA_URL": None, "SEGURA_CA_PATH": None, "SEGURA_CLIENT_ID": None,
                     "SEGURA_CLIENT_SECRET": None}


# -- 1. variables are rendered -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["group_vars", "host_vars", "play_vars"])
def test_templated_connection_variables_are_rendered(playbook, sim, secret_id, where):
    creds = sim.users["alice"]
    definitions = """
        segura_base_url: %s
        segura_trust: %s
        alice_id: %s
        alice_secret: %s
        segura_url: "{{ segura_base_url }}"
        segura_ca_path: "{{ segura_trust }}"
        segura_client_id: "{{ alice_id }}"
        segura_client_secret: "{{ alice_secret }}"
        segura_timeout: "{{ 2 + 3 }}"
    """ % (sim.url, sim.ca_path, creds["client_id"], creds["client_secret"])
    vars_block = ""
    if where == "play_vars":
        vars_block = "vars:\n" + textwrap.indent(textwrap.dedent(definitions), "  ")
    else:
        write_yaml(playbook.workdir / where / ("all.yml" if where == "group_vars" else "localhost.yml"), definitions)

    result = playbook.run(lookup_play(secret_id, vars_block=vars_block), env=NO_CONNECTION_ENV)

    assert probe_line(result) == "ok:" + SECRET_VALUE


@pytest.mark.parametrize("encrypted", ["referenced", "direct"])
def test_vault_encrypted_credentials_are_used(playbook, sim, secret_id, encrypted):
    creds = sim.users["alice"]
    name = "vault_segura_client_secret" if encrypted == "referenced" else "segura_client_secret"
    vaulted, vault_args = vault_encrypt(playbook.workdir, name, creds["client_secret"])
    lines = ["segura_url: %s" % sim.url, "segura_ca_path: %s" % sim.ca_path,
             "segura_client_id: %s" % creds["client_id"], vaulted]
    if encrypted == "referenced":
        lines.append('segura_client_secret: "{{ vault_segura_client_secret }}"')
    (playbook.workdir / "group_vars").mkdir()
    (playbook.workdir / "group_vars" / "all.yml").write_text("\n".join(lines) + "\n")

    result = playbook.run(lookup_play(secret_id), env=NO_CONNECTION_ENV, args=vault_args, verbosity=4)

    assert probe_line(result) == "ok:" + SECRET_VALUE
    assert creds["client_secret"] not in result.output


def test_an_unsafe_variable_stays_literal(playbook, sim, secret_id):
    creds = sim.users["alice"]
    write_yaml(playbook.workdir / "group_vars" / "all.yml", """
        segura_base_url: %s
        segura_url: !unsafe "{{ segura_base_url }}"
        segura_client_id: %s
        segura_client_secret: %s
    """ % (sim.url, creds["client_id"], creds["client_secret"]))

    result = playbook.run(lookup_play(secret_id), env=NO_CONNECTION_ENV)

    assert "segura_url '{{ segura_base_url }}' is not an http(s) URL" in probe_line(result)
    assert sim.control.counters()["total"] == 0


# -- 2. credentials go only to the server they belong to ----------------------------------------


@pytest.mark.parametrize("option, value", [
    ("segura_url", "{rogue}"),
    ("segura_proxy", "{rogue}"),
    ("segura_token_path", "/steal-the-secret"),
    ("segura_validate_certs", "false"),
    ("segura_ca_path", "{other_ca}"),
])
def test_a_host_variable_cannot_redirect_environment_credentials(playbook, sim, secret_id, rogue, tmp_path, option,
                                                                 value):
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_text(Path(sim.ca_path).read_text())
    value = value.format(rogue=rogue.url, other_ca=other_ca)
    write_yaml(playbook.workdir / "host_vars" / "localhost.yml", "%s: %s\n" % (option, value))

    message = probe_line(playbook.run(lookup_play(secret_id)))

    assert "segura.pam.mysafe_api_secret: %s is set by the variable %s" % (option, option) in message
    assert "comes from the environment variable SEGURA_CLIENT_" in message
    assert rogue.received == []
    assert sim.control.counters()["total"] == 0


def test_a_fact_returned_by_a_managed_node_cannot_redirect_the_lookup(playbook, sim, secret_id, rogue):
    library = playbook.workdir / "library"
    library.mkdir()
    (library / "node_facts.py").write_text(textwrap.dedent("""
        from ansible.module_utils.basic import AnsibleModule

        def main():
            module = AnsibleModule(argument_spec={"url": {"type": "str"}})
            module.exit_json(changed=False, ansible_facts={"segura_url": module.params["url"]})

        main()
    """))
    gather = "- name: Facts from a managed node\n  node_facts:\n    url: %s\n" % rogue.url

    message = probe_line(playbook.run(lookup_play(secret_id, pre_tasks=gather)))

    assert "segura_url is set by the variable segura_url" in message
    assert rogue.received == []


def test_credentials_from_ansible_cfg_are_guarded_too(playbook, sim, secret_id, rogue):
    creds = sim.users["alice"]
    (playbook.workdir / "ansible.cfg").write_text(
        "[segura]\nclient_id = %s\nclient_secret = %s\n" % (creds["client_id"], creds["client_secret"]))
    write_yaml(playbook.workdir / "group_vars" / "all.yml", "segura_url: %s\n" % rogue.url)

    message = probe_line(playbook.run(lookup_play(secret_id), env={"SEGURA_CLIENT_ID": None,
                                                                   "SEGURA_CLIENT_SECRET": None}))

    assert "segura_url is set by the variable segura_url" in message
    assert "the [segura] section of %s" % (playbook.workdir / "ansible.cfg") in message
    assert rogue.received == []


def test_what_stays_allowed(playbook, sim, secret_id, rogue):
    """A variable that changes nothing, a keyword, and credentials that are variables themselves."""
    creds = sim.users["alice"]
    same_url = lookup_play(secret_id, vars_block="vars:\n  segura_url: %s\n" % sim.url)
    keyword = lookup_play(secret_id, lookup_options=", segura_url='%s'" % sim.url,
                          vars_block="vars:\n  segura_url: %s\n" % rogue.url)
    own_credentials = lookup_play(secret_id, vars_block=textwrap.dedent("""\
        vars:
          segura_url: %s
          segura_client_id: %s
          segura_client_secret: %s
        """) % (sim.url, creds["client_id"], creds["client_secret"]))

    for play in (same_url, keyword, own_credentials):
        assert probe_line(playbook.run(play)) == "ok:" + SECRET_VALUE
    assert rogue.received == []


def test_credentials_sent_to_a_plain_http_url_warn_once_per_run(playbook, tmp_path):
    with SimulatorProcess(tmp_path / "plain", https=False) as plain:
        identifier = plain.control.seed("secrets", name="probe", url="https://app.example.com",
                                        client_id="app-id", client_secret=SECRET_VALUE)
        play = lookup_play(identifier)
        second = play.split("  tasks:", 1)[1]
        result = playbook.run(play + second.replace("Look the secret up", "Again"), env={
            "SEGURA_URL": plain.url, "SEGURA_CA_PATH": None,
            "SEGURA_CLIENT_ID": plain.users["alice"]["client_id"],
            "SEGURA_CLIENT_SECRET": plain.users["alice"]["client_secret"]})

    assert probe_line(result) == "ok:" + SECRET_VALUE
    warning = "segura_url %s is plain HTTP" % plain.url
    assert result.stderr.count(warning) + result.stdout.count(warning) == 1, result


# -- 6. an empty environment variable means the default -----------------------------------------


def test_an_empty_validate_certs_variable_keeps_verification_on(playbook, sim, secret_id):
    """Without the CA the simulator's certificate is untrusted: the lookup must refuse it."""
    result = playbook.run(lookup_play(secret_id), env={"SEGURA_VALIDATE_CERTS": "", "SEGURA_CA_PATH": None})

    assert "TLS verification of %s failed" % sim.url in probe_line(result)


def test_an_empty_validate_certs_variable_is_the_default_for_modules(playbook, sim, secret_id):
    result = playbook.run(localhost_play("""
            - segura.pam.mysafe_api_secret_info:
                identifier: %d
              register: read
            - ansible.builtin.assert:
                that: read.api_secret.name == 'probe'
    """) % secret_id, env={"SEGURA_VALIDATE_CERTS": ""})

    assert result.rc == 0, result
