from playbook_runner import localhost_play

CREATE_TWICE = localhost_play("""
    - name: Create
      segura.pam.mysafe_api_secret: &smoke_secret
        name: GCP
        url: https://gcp.example.com
        client_id: app
        client_secret: s3cr3t-value-for-smoke
      register: first
    - name: Again
      segura.pam.mysafe_api_secret: *smoke_secret
      register: second
    - ansible.builtin.assert:
        that: [first is changed, second is not changed]
""")


def test_module_creates_then_is_idempotent(playbook, sim):
    result = playbook.run(CREATE_TWICE)

    assert result.rc == 0, result
    counters = sim.control.counters()
    assert counters["endpoints"]["create"] == 1
    assert counters["token"] == 1
