"""The "Segura PAM" credential type of extensions/awx, used the way AWX uses it.

AWX renders the credential type's injectors (files first, then environment variables, in a
sandboxed Jinja environment) and hands the environment to ansible-runner. ``inject_like_awx``
does the same with the simulator's URL, access key and CA, so the playbook below gets exactly
what a job template with that credential would get.
"""

import json
import os
import re
import stat
import tempfile
from pathlib import Path

import ansible_runner
import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[3]
CREDENTIAL_TYPE = REPO / "extensions" / "awx" / "credential_type_segura.yml"

# What AWX accepts in a custom credential type (awx/main/fields.py, CredentialTypeInputField and
# CredentialTypeInjectorField).
FIELD_KEYS = {"id", "label", "type", "help_text", "multiline", "secret", "ask_at_runtime", "default", "choices",
              "format"}
NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
FILE_TEMPLATE = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")


def load_credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text())


class Namespace(object):
    pass


def inject_like_awx(credential_type, inputs, private_data_dir):
    """The environment AWX gives a job for a credential with ``inputs`` (CredentialType.inject_credential)."""
    namespace = {key: value for key, value in inputs.items() if isinstance(value, bool) or len(value)}
    for field in credential_type["inputs"]["fields"]:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False  # what AWX does with a boolean left out
    tower = namespace["tower"] = Namespace()
    tower.filename = Namespace()
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = Path(private_data_dir) / "env"
    env_dir.mkdir(parents=True, exist_ok=True)
    for label, template in credential_type["injectors"].get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=str(env_dir))
        with os.fdopen(handle, "w") as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP)
        if "." in label:
            setattr(tower.filename, label.split(".", 1)[1], path)
        else:
            tower.filename = path
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"].get("env", {}).items()}


def test_the_credential_type_is_one_awx_accepts():
    credential_type = load_credential_type()
    fields = credential_type["inputs"]["fields"]
    ids = [field["id"] for field in fields]

    assert credential_type["kind"] in ("cloud", "net")  # the only kinds a custom type may have
    assert len(set(ids)) == len(ids)
    for field in fields:
        assert set(field) <= FIELD_KEYS, field
        assert NAME.match(field["id"]) and field["id"] != "tower", field
        assert field.get("type", "string") in ("string", "boolean"), field
        if field.get("type") == "boolean":
            assert not {"secret", "multiline", "choices", "format"} & set(field), field
        if "default" in field:
            assert isinstance(field["default"], bool if field.get("type") == "boolean" else str), field
    assert set(credential_type["inputs"]["required"]) <= set(ids)
    assert {field["id"] for field in fields if field.get("secret")} == {"client_secret"}

    injectors = credential_type["injectors"]
    assert set(injectors) <= {"file", "env", "extra_vars"}
    assert all(FILE_TEMPLATE.match(label) for label in injectors["file"])
    assert all(NAME.match(name) and not name.startswith("ANSIBLE_") for name in injectors["env"])
    # AWX renders every template once against placeholders when the type is saved: an unknown
    # field or file name is refused.
    placeholders = {field_id: "EXAMPLE" for field_id in ids}
    placeholders["tower"] = Namespace()
    placeholders["tower"].filename = Namespace()
    for label in injectors["file"]:
        setattr(placeholders["tower"].filename, label.split(".", 1)[1], "EXAMPLE_FILENAME")
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for templates in injectors.values():
        for template in templates.values():
            strict.from_string(template).render(placeholders)
    assert set(injectors["env"]) == {"SEGURA_URL", "SEGURA_CLIENT_ID", "SEGURA_CLIENT_SECRET",
                                     "SEGURA_VALIDATE_CERTS", "SEGURA_CA_PATH", "SEGURA_PAM_PATH"}


@pytest.mark.parametrize("with_ca", [True, False], ids=["with-ca", "without-ca"])
def test_the_ca_file_is_named_only_when_there_is_a_ca(tmp_path, with_ca):
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    inputs = {"url": "https://segura.example.com", "client_id": "id", "client_secret": "s3cr3t",
              "ca_certificate": pem if with_ca else ""}

    env = inject_like_awx(load_credential_type(), inputs, tmp_path)

    assert env["SEGURA_URL"] == "https://segura.example.com"
    assert env["SEGURA_VALIDATE_CERTS"] == "true"
    if with_ca:
        assert Path(env["SEGURA_CA_PATH"]).read_text() == pem
    else:
        assert env["SEGURA_CA_PATH"] == ""  # the modules then use the default bundle of requests


SITE = """
- name: Use the Segura PAM credential of the job
  hosts: localhost
  gather_facts: false
  vars:
    app_secret: "{{ lookup('ansible.builtin.env', 'APP_SECRET') }}"
  tasks:
    - name: Create an API secret (the connection comes from the credential)
      segura.pam.mysafe_api_secret:
        identifier_code: awx-demo
        name: AWX demo
        url: https://app.example.com
        client_id: awx-demo-app
        client_secret: "{{ app_secret }}"
      register: created

    - name: Read its value back with the lookup
      ansible.builtin.assert:
        that:
          - created is changed
          - lookup('segura.pam.mysafe_api_secret', 'awx-demo', by='identifier_code') == app_secret
        quiet: true
"""


def test_a_job_with_the_credential_creates_and_reads_a_secret(playbook, sim, tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SEGURA_", "SENHASEGURA_")):
            monkeypatch.delenv(name)  # ansible-runner starts from this process's environment
    private_data_dir = tmp_path / "job"
    (private_data_dir / "project").mkdir(parents=True)
    (private_data_dir / "project" / "site.yml").write_text(SITE)
    access_key = sim.users["alice"]
    app_secret = "awx-app-secret-Qx7f2"
    inputs = {"url": sim.url, "client_id": access_key["client_id"], "client_secret": access_key["client_secret"],
              "ca_certificate": Path(sim.ca_path).read_text()}
    envvars = {name: value for name, value in playbook.env().items() if not name.startswith("SEGURA_")}
    envvars.update(inject_like_awx(load_credential_type(), inputs, private_data_dir))
    envvars["APP_SECRET"] = app_secret

    job = ansible_runner.run(private_data_dir=str(private_data_dir), playbook="site.yml",
                             inventory=str(playbook.inventory), envvars=envvars, quiet=True,
                             suppress_env_files=True)  # as AWX runs it: no env files in the artifacts

    stdout = job.stdout.read()
    assert (job.status, job.rc) == ("successful", 0), stdout
    stored = sim.control.secrets()
    assert [(s["identifier_code"], s["owner"], s["client_secret"]) for s in stored] == [
        ("awx-demo", "alice", app_secret)]
    assert sim.control.counters()["token"] == 1  # the module's token, reused by the lookup

    # Everything the job produced: stdout, stderr and each event. Runner's own "command" file is
    # its record of the environment it was given (like AWX's job env, kept 0600); not output.
    artifacts = [path for path in (private_data_dir / "artifacts").rglob("*")
                 if path.is_file() and path.name != "command"]
    assert any(path.parent.name == "job_events" for path in artifacts)
    for secret in (access_key["client_secret"], app_secret):
        assert secret not in stdout
        leaked = [str(path) for path in artifacts if secret in path.read_text(errors="replace")]
        assert not leaked, leaked
    events = [json.loads(path.read_text()) for path in artifacts if path.parent.name == "job_events"]
    assert any(event.get("event") == "runner_on_ok" and event["event_data"].get("task", "").startswith("Create")
               for event in events)


@pytest.mark.parametrize("inputs, injected", [
    ({}, "true"),  # never set: AWX injects false for the boolean, which must still mean "verify"
    ({"skip_tls_verify": False}, "true"),
    ({"skip_tls_verify": True}, "false"),
], ids=["unset", "off", "on"])
def test_certificates_are_verified_unless_the_credential_says_skip(tmp_path, inputs, injected):
    inputs = dict(inputs, url="https://segura.example.com", client_id="id", client_secret="s3cr3t")

    env = inject_like_awx(load_credential_type(), inputs, tmp_path)

    assert env["SEGURA_VALIDATE_CERTS"] == injected
