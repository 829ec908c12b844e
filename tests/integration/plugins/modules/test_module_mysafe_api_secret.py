"""segura.pam.mysafe_api_secret driven by real ansible-playbook runs against the HTTPS simulator.

Each test states the server's contents before the run (``item_support.seed``, uncounted), runs a
playbook as a user would write it, and then checks three things: what the tasks reported, what
the simulator stores (``stored``) and how many write requests reached it (``writes``), since
"nothing differs" must mean "nothing sent". Behaviours every kind shares (create and rerun,
updates, disable and enable, check mode, permissions) are tested once per kind in
``tests/integration/behaviours``; here is what only an API secret has, or what is tested
through it once (identifier_code selection and its duplicate rule, sharing lists, the diff,
module_defaults, the mistakes a user can make).
"""

from item_support import seed, stored, writes
from kinds import ROWS
from module_steps import ModuleSteps, run_playbook, step
from playbook_runner import localhost_play

KIND = ROWS["api_secret"]

# Every option of the module, and one connection option for the wrong-credentials case.
STEPS = ModuleSteps.for_kind(KIND, extra_options=("segura_client_id",))


# -- sharing lists --------------------------------------------------------------------------

def test_sharing_lists_are_exact_and_order_does_not_matter(playbook, sim):
    identifier = seed(sim, KIND, users_allowed=[{"username": "bob", "can_edit": True}, {"username": "carol"}],
                      groups_allowed=[{"name": "devops"}, {"name": "auditors", "can_edit": True}])
    bob_editor = {"username": "bob", "can_edit": True}
    steps = [
        step("users reordered", changed=False, identifier=identifier,
             users_allowed=[{"username": "carol", "can_edit": False}, bob_editor]),
        step("carol removed", changed=True, identifier=identifier, users_allowed=[bob_editor],
             expect={"users_allowed": [bob_editor],
                     "groups_allowed": [{"name": "auditors", "can_edit": True}, {"name": "devops", "can_edit": False}]}),
        step("bob view only", changed=True, identifier=identifier, users_allowed=[{"username": "bob"}],
             expect={"users_allowed": [{"username": "bob", "can_edit": False}]}),
        step("no users", changed=True, identifier=identifier, users_allowed=[], expect={"users_allowed": []}),
        step("groups reordered", changed=False, identifier=identifier,
             groups_allowed=[{"name": "auditors", "can_edit": True}, {"name": "devops"}]),
        step("devops only", changed=True, identifier=identifier, groups_allowed=[{"name": "devops"}],
             expect={"groups_allowed": [{"name": "devops", "can_edit": False}]}),
        step("no groups", changed=True, identifier=identifier, groups_allowed=[], expect={"groups_allowed": []}),
        step("unknown user", changed=True, identifier=identifier, users_allowed=[{"username": "bob"}, {"username": "zed"}],
             expect={"users_allowed": [{"username": "bob", "can_edit": False}]}),
    ]

    results, run = STEPS.apply(playbook, steps, warnings=True)  # the unknown user's sharing warning

    STEPS.check(steps, results)
    secret = stored(sim, KIND)[identifier]
    assert secret["users_allowed"] == [{"username": "bob", "can_edit": False}]
    assert secret["groups_allowed"] == []
    assert writes(sim, KIND)["update"] == 6
    # Segura drops unknown users; the module says so instead of pretending all went well.
    assert "User 'zed' not found" in run.output


# -- diff -------------------------------------------------------------------------------------

DIFF_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Move the secret to a new URL with a new client secret
      segura.pam.mysafe_api_secret:
        identifier: "{{ secret_id }}"
        name: GCP payments
        url: https://new.example.com
        client_secret: "{{ new_secret }}"
      register: moved

    - name: Same client secret, new notes
      segura.pam.mysafe_api_secret:
        identifier: "{{ secret_id }}"
        client_secret: "{{ new_secret }}"
        notes: Moved
      register: noted

    - name: Preview a new secret
      segura.pam.mysafe_api_secret:
        name: Preview
        url: https://preview.example.com
        client_id: preview-app
        client_secret: "{{ new_secret }}"
      check_mode: true
      register: preview

    - name: Disable it
      segura.pam.mysafe_api_secret:
        identifier: "{{ secret_id }}"
        state: absent
      register: disabled

    - name: The diffs show what changed, and the client secret only as a mask
      ansible.builtin.assert:
        that:
          - moved.diff == moved_diff
          - noted.diff == noted_diff
          - preview.diff.before.name is none
          - preview.diff.after.name == 'Preview'
          - preview.diff.after.client_secret == '********'
          - disabled.diff == disabled_diff
  vars:
    moved_diff:
      before: {client_secret: "********", name: GCP payments, url: "https://gcp.example.com"}
      after: {client_secret: "******** (changed)", name: GCP payments, url: "https://new.example.com"}
    noted_diff:
      before: {client_secret: "********", notes: Owned by the platform team}
      after: {client_secret: "********", notes: Moved}
    disabled_diff:
      before: {active: true}
      after: {active: false}
"""


def test_diff_shows_compared_fields_and_masks_the_client_secret(playbook, sim):
    identifier = seed(sim, KIND)
    new_secret = "diffed-client-secret-Ux92"

    # -v prints every result too, so the leak check covers more than the diff itself.
    result = run_playbook(playbook, DIFF_PLAYBOOK, diff=True, verbosity=1,
                          extra_vars={"secret_id": identifier, "new_secret": new_secret})

    printed = result.stdout
    assert '-    "url": "https://gcp.example.com"' in printed
    assert '+    "url": "https://new.example.com"' in printed
    assert '-    "client_secret": "********",' in printed
    assert '+    "client_secret": "******** (changed)",' in printed
    assert '+    "notes": "Moved"' in printed
    assert '-    "active": true' in printed and '+    "active": false' in printed
    for secret_value in (new_secret, KIND.sample["client_secret"]):
        assert secret_value not in result.output
    assert stored(sim, KIND)[identifier]["client_secret"] == new_secret


# -- selecting the secret ---------------------------------------------------------------------

SELECT_PLAYBOOK = localhost_play("""
    - name: By identifier
      segura.pam.mysafe_api_secret: {identifier: "{{ beta }}", notes: by identifier}
      register: by_identifier
    - name: By identifier_code (the name is then a field to set)
      segura.pam.mysafe_api_secret: {identifier_code: code-alpha, name: Alpha renamed}
      register: by_code
    - name: By name
      segura.pam.mysafe_api_secret: {name: Beta, url: https://beta.example.com}
      register: by_name
    - name: By identifier, with identifier_code as a field
      segura.pam.mysafe_api_secret: {identifier: "{{ beta }}", identifier_code: code-beta-2}
      register: recoded
    - name: A new code creates a secret
      segura.pam.mysafe_api_secret:
        {identifier_code: code-gamma, name: Gamma, url: https://gamma.example.com, client_id: gamma-app}
      register: created_by_code
    - name: A new name creates a secret
      segura.pam.mysafe_api_secret: {name: Delta, url: https://delta.example.com, client_id: delta-app}
      register: created_by_name
    - name: Two secrets share the name Twin
      segura.pam.mysafe_api_secret: {name: Twin, notes: "which one?"}
      register: ambiguous
      failed_when: false

    - ansible.builtin.assert:
        that:
          - by_identifier is changed and by_identifier.identifier == beta
          - by_code is changed and by_code.identifier == alpha
          - by_code.api_secret.name == 'Alpha renamed'
          - by_name is changed and by_name.identifier == beta
          - recoded is changed and recoded.api_secret.identifier_code == 'code-beta-2'
          - created_by_code.operation == 'created' and created_by_code.identifier not in [alpha, beta]
          - created_by_name.operation == 'created' and created_by_name.api_secret.identifier_code == ''
          - ambiguous is not changed
          - ambiguous.msg == ambiguous_msg
      vars:
        ambiguous_msg: >-
          2 API secrets visible to this API user have name 'Twin' (identifiers {{ twins | join(', ') }}).
          Select one with identifier: several owners may share theirs with this API user under the same name.

    - name: Without failed_when the same task fails the play with that message
      segura.pam.mysafe_api_secret: {name: Twin, notes: "which one?"}
""")


def test_select_by_identifier_code_or_name_and_refuse_ambiguous_names(playbook, sim):
    alpha = seed(sim, KIND, name="Alpha", identifier_code="code-alpha")
    beta = seed(sim, KIND, name="Beta", identifier_code="code-beta")
    twins = [seed(sim, KIND, name="Twin"), seed(sim, KIND, name="Twin")]
    before = stored(sim, KIND)

    result = playbook.run(SELECT_PLAYBOOK, extra_vars={"alpha": alpha, "beta": beta, "twins": twins})

    assert result.rc == 2, result
    assert "fatal: [localhost]" in result.stdout
    assert "2 API secrets visible to this API user have name 'Twin'" in result.stdout
    assert "Traceback" not in result.output
    secrets = stored(sim, KIND)
    assert secrets[alpha]["name"] == "Alpha renamed"
    assert (secrets[beta]["notes"], secrets[beta]["url"], secrets[beta]["identifier_code"]) == (
        "by identifier", "https://beta.example.com", "code-beta-2")
    assert [secrets[twin] for twin in twins] == [before[twin] for twin in twins]
    assert sorted(s["name"] for s in secrets.values()) == ["Alpha renamed", "Beta", "Delta", "Gamma", "Twin", "Twin"]
    assert writes(sim, KIND) == {"create": 2, "update": 4, "inactive": 0, "active": 0}


# -- connection through module_defaults -------------------------------------------------------

MODULE_DEFAULTS_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/segura.pam.mysafe:
      segura_url: "{{ segura.url }}"
      segura_ca_path: "{{ segura.ca_path }}"
      segura_client_id: "{{ segura.client_id }}"
      segura_client_secret: "{{ segura.client_secret }}"
  tasks:
    - segura.pam.mysafe_api_secret:
        name: Defaults
        url: https://defaults.example.com
        client_id: defaults-app
      register: created
    - segura.pam.mysafe_api_secret_info:
        identifier: "{{ created.identifier }}"
      register: read
    - ansible.builtin.assert:
        that:
          - created is changed
          - read.api_secret.name == 'Defaults'

- hosts: localhost
  gather_facts: false
  tasks:
    - name: Without the defaults (and without SEGURA_* variables) there is no server
      segura.pam.mysafe_api_secret:
        name: Defaults
      register: unconfigured
      failed_when: false
    - ansible.builtin.assert:
        that:
          - "'segura_url' in unconfigured.msg"
        fail_msg: "{{ unconfigured | to_json }}"
"""


def test_connection_options_from_module_defaults_of_the_action_group(playbook, sim):
    connection = {"url": sim.url, "ca_path": str(sim.ca_path), **sim.users["dave"]}
    unset = dict.fromkeys(("SEGURA_URL", "SEGURA_CA_PATH", "SEGURA_CLIENT_ID", "SEGURA_CLIENT_SECRET"))

    run_playbook(playbook, MODULE_DEFAULTS_PLAYBOOK, env=unset, extra_vars={"segura": connection})

    (secret,) = sim.control.secrets()
    assert (secret["name"], secret["owner"]) == ("Defaults", "dave")
    assert writes(sim, KIND)["create"] == 1


# -- failures ---------------------------------------------------------------------------------

def failure_steps(first, second):
    """Mistakes a user can make, each with what its message must name."""
    return [
        step("create without url and client_id", name="New secret",
             error=["url, client_id are required to create one"]),
        step("create by code without fields", identifier_code="code-new",
             error=["name, url, client_id are required to create one"]),
        step("unknown identifier", identifier=999, notes="x", error=["1005", "Api secret not found", "identifier"]),
        step("identifier zero", identifier=0, notes="x", error=["Option identifier must be a positive integer"]),
        step("code of another secret", identifier=first, identifier_code="code-second",
             error=["1001", "Identifier already found", "choose another identifier_code"]),
        step("unknown method", identifier=first, method="FETCH", error=["Option method 'FETCH' is not an HTTP method"]),
        step("url without scheme", identifier=first, url="gcp.example.com", error=["Option url", "no scheme or host"]),
        step("empty name", identifier=first, name="", error=["Option name is empty"]),
        step("user listed twice", identifier=first, users_allowed=[{"username": "bob"}, {"username": "bob"}],
             error=["Option users_allowed", "'bob'"]),
        step("user without username", identifier=first, users_allowed=[{"can_edit": True}],
             error=["username", "users_allowed"]),
        step("group with blank name", identifier=first, groups_allowed=[{"name": " "}],
             error=["groups_allowed item 1 has an empty name"]),
        step("unknown state", identifier=first, state="deleted", error=["state", "present, absent", "deleted"]),
        step("no selector", url="https://x.example.com", error=["none of identifier, identifier_code or name is set"]),
        step("unknown API client id", identifier=second, notes="x", segura_client_id="alcie-client-id",
             error=["token request", "'alcie-client-id'", "HTTP 401", "Check segura_client_id"]),
    ]


def test_every_mistake_fails_with_an_actionable_message_and_writes_nothing(playbook, sim):
    first = seed(sim, KIND, name="First", identifier_code="code-first")
    second = seed(sim, KIND, name="Second", identifier_code="code-second")
    before = stored(sim, KIND)
    steps = failure_steps(first, second)

    results, _unused = STEPS.apply(playbook, steps)

    STEPS.check(steps, results)
    assert stored(sim, KIND) == before
    # The duplicate code is the only mistake the server has to find; it refused that one update.
    assert writes(sim, KIND) == {"create": 0, "update": 1, "inactive": 0, "active": 0}
