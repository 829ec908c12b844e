"""Certificate verification is on by default, segura_ca_path is the fix, and turning it off warns once."""

from reliability_support import DirectApi

INSECURE_WARNING = "segura_validate_certs is false"
# The simulator's CA is trusted only when given; no bundle from the environment either.
NO_CA = {"SEGURA_CA_PATH": None, "REQUESTS_CA_BUNDLE": None, "CURL_CA_BUNDLE": None}


def test_untrusted_certificate_fails_until_segura_ca_path_is_set(playbook, sim):
    identifier = DirectApi(sim, "alice").create(name="TLS", url="https://tls.example.com", client_id="tls",
                                                client_secret="tls-secret-value")
    sim.control.reset()
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Module, default verification, CA unknown
              segura.pam.mysafe_api_secret_info:
                identifier: "{{ identifier }}"
              ignore_errors: true
              register: module_untrusted

            - name: Lookup, default verification, CA unknown
              ansible.builtin.set_fact:
                untrusted_value: "{{ lookup('segura.pam.mysafe_api_secret', identifier) }}"
              ignore_errors: true
              register: lookup_untrusted

            - name: Both fail, name the certificate problem and the option that fixes it
              ansible.builtin.assert:
                that:
                  - module_untrusted is failed and lookup_untrusted is failed
                  - module_untrusted.error_type == 'TLSError'
                  - "'TLS verification' in module_untrusted.msg and 'segura_ca_path' in module_untrusted.msg"
                  - "'TLS verification' in lookup_untrusted.msg and 'segura_ca_path' in lookup_untrusted.msg"

            - name: Module with segura_ca_path
              segura.pam.mysafe_api_secret_info:
                identifier: "{{ identifier }}"
                segura_ca_path: "{{ ca }}"
              register: module_trusted

            - name: Lookup with segura_ca_path
              ansible.builtin.set_fact:
                trusted_value: "{{ lookup('segura.pam.mysafe_api_secret', identifier, segura_ca_path=ca) }}"
              no_log: true

            - ansible.builtin.assert:
                that:
                  - module_trusted.api_secret.name == 'TLS'
                  - trusted_value == 'tls-secret-value'
                quiet: true
    """, env=NO_CA, extra_vars={"identifier": identifier, "ca": str(sim.ca_path)})
    assert result.rc == 0, result
    assert INSECURE_WARNING not in result.output
    # The failed handshakes never reached the API; the trusted ones did (one token, two reads).
    counters = sim.control.counters()
    assert counters["token"] == 1 and counters["endpoints"]["read"] == 2, counters


def test_validate_certs_false_works_and_warns_once_per_run(playbook, sim):
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Create
              segura.pam.mysafe_api_secret:
                identifier_code: insecure
                name: Insecure
                url: https://insecure.example.com
                client_id: insecure-app
                client_secret: insecure-secret-value
              register: created

            - name: Update
              segura.pam.mysafe_api_secret:
                identifier_code: insecure
                notes: reached without verification

            - name: Read
              segura.pam.mysafe_api_secret_info:
                identifier_code: insecure
              register: read

            - name: Two lookups
              ansible.builtin.set_fact:
                value: "{{ lookup('segura.pam.mysafe_api_secret', created.identifier) }}"
                notes: "{{ lookup('segura.pam.mysafe_api_secret', 'insecure', by='identifier_code', field='notes') }}"
              no_log: true

            - ansible.builtin.assert:
                that:
                  - created is changed
                  - read.api_secret.notes == 'reached without verification'
                  - value == 'insecure-secret-value' and notes == read.api_secret.notes
                quiet: true
    """, env=dict(NO_CA, SEGURA_VALIDATE_CERTS="false"))
    assert result.rc == 0, result
    console = result.stdout + result.stderr
    warnings = [line for line in console.splitlines() if INSECURE_WARNING in line]
    assert len(warnings) == 1, "\n".join(warnings) or console
    assert "segura_ca_path" in warnings[0]
    assert "InsecureRequestWarning" not in console  # urllib3's per-request noise stays off
