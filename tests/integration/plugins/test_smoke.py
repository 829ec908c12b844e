def test_module_creates_then_is_idempotent(playbook, sim):
    result = playbook.run("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Create
              segura.pam.mysafe_api_secret:
                name: GCP
                url: https://gcp.example.com
                client_id: app
                client_secret: s3cr3t-value-for-smoke
              register: first
            - name: Again
              segura.pam.mysafe_api_secret:
                name: GCP
                url: https://gcp.example.com
                client_id: app
                client_secret: s3cr3t-value-for-smoke
              register: second
            - ansible.builtin.assert:
                that: [first is changed, second is not changed]
    """)
    assert result.rc == 0, result
    counters = sim.control.counters()
    assert counters["endpoints"]["create"] == 1
    assert counters["token"] == 1
