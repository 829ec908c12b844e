"""segura.pam.mysafe_password driven by real ansible-playbook runs against the HTTPS simulator.

Each test seeds the server (``item_support.seed``, uncounted), runs a playbook as a user would
write it, and checks what the tasks reported, what the simulator stores
(``sim.control.passwords()``) and how many writes reached its password endpoints
(``sim.control.counters("passwords")``): "nothing differs" must mean "nothing sent".
"""

import json
import re

from item_support import cached_tokens, secret_vars, seed, stored, writes
from kinds import MASK, ROWS
from module_steps import ModuleSteps, run_playbook, step
from totp import totp

KIND = ROWS["password"]
STEPS = ModuleSteps.for_kind(KIND)


# -- create and rerun -----------------------------------------------------------------------

CREATE_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    stored_users: [{username: bob, can_edit: true}, {username: carol, can_edit: false}]
    stored_groups: [{name: auditors, can_edit: true}, {name: devops, can_edit: false}]
  tasks:
    - name: Create the database password (or leave it as it is)
      segura.pam.mysafe_password:
        name: Payments database
        username: svc_payments
        password: "{{ db_password }}"
        url: db01.example.com:5432
        secret_key: "{{ seed }}"
        notes: Owned by the platform team
        tags: "{{ wanted_tags }}"
        users_allowed: "{{ wanted_users }}"
        groups_allowed: "{{ wanted_groups }}"
      register: created

    - name: The result is the stored password, normalised, with password, seed and token masked
      ansible.builtin.assert:
        that:
          - created.changed == expect_changed
          - created.operation == expect_operation
          - created.identifier == 1 and created.password.identifier == 1
          - created.password.name == 'Payments database'
          - created.password.username == 'svc_payments'
          - created.password.url == 'db01.example.com:5432'
          - created.password.password == '********'
          - created.password.secret_key == '********'
          - created.password.token == '********'
          - created.password.tags | sort == ['database', 'payments']
          - created.password.users_allowed == stored_users
          - created.password.groups_allowed == stored_groups
          - created.password.active
"""


def test_create_shared_with_several_users_then_rerun_writes_nothing(playbook, sim):
    db_password = "created-password-Vb73"
    run_playbook(playbook, CREATE_PLAYBOOK, extra_vars={
        "db_password": db_password, "seed": "jbsw y3dp ehpk 3pxp", "expect_changed": True,
        "expect_operation": "created", "wanted_tags": ["database", "payments"],
        "wanted_users": [{"username": "bob", "can_edit": True}, {"username": "carol"}],
        "wanted_groups": [{"name": "devops", "can_edit": False}, {"name": "auditors", "can_edit": True}]})

    item = stored(sim, KIND)[1]
    assert (item["owner"], item["password"], item["secret_key"]) == ("alice", db_password, "jbsw y3dp ehpk 3pxp")
    assert item["users_allowed"] == [{"username": "bob", "can_edit": True}, {"username": "carol", "can_edit": False}]
    assert writes(sim, KIND)["create"] == 1

    sim.control.reset()
    # The same wanted state written differently: the seed compact and in upper case with padding,
    # other list order, a duplicate tag, an explicit default.
    rerun = run_playbook(playbook, CREATE_PLAYBOOK, extra_vars={
        "db_password": db_password, "seed": "JBSWY3DPEHPK3PXP====", "expect_changed": False,
        "expect_operation": "unchanged", "wanted_tags": ["payments", "database", "database"],
        "wanted_users": [{"username": "carol", "can_edit": False}, {"username": "bob", "can_edit": True}],
        "wanted_groups": [{"name": "auditors", "can_edit": True}, {"name": "devops"}]})

    assert sim.control.counters()["writes"] == 0
    assert stored(sim, KIND)[1] == item
    assert "changed=0" in rerun.stdout
    assert db_password not in rerun.output


# -- selecting the password -------------------------------------------------------------------

SELECT_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: By name and username, among two entries with that name
      segura.pam.mysafe_password: {name: Shared db, username: app, notes: the app account}
      register: by_name_and_username
    - name: By identifier, renaming the account
      segura.pam.mysafe_password: {identifier: "{{ report }}", username: reports}
      register: by_identifier
    - name: Two entries named Shared db
      segura.pam.mysafe_password: {name: Shared db, notes: "which one?"}
      register: ambiguous
      failed_when: false
    - name: By name alone, where it is unique
      segura.pam.mysafe_password: {name: Payments database, url: db03.example.com}
      register: by_name
    - name: Near misses are other entries (the server's own filters match a part, in any case)
      segura.pam.mysafe_password: {name: Payments, username: svc_payments, password: near-miss-1}
      register: part_of_the_name
    - segura.pam.mysafe_password: {name: shared DB, username: app, password: near-miss-2}
      register: other_case
    - segura.pam.mysafe_password: {name: Shared db, username: ap, password: near-miss-3}
      register: part_of_the_username

    - ansible.builtin.assert:
        that:
          - by_name_and_username is changed and by_name_and_username.identifier == app
          - by_identifier is changed and by_identifier.password.username == 'reports'
          - by_name is changed and by_name.identifier == payments
          - part_of_the_name.operation == 'created'
          - other_case.operation == 'created'
          - part_of_the_username.operation == 'created'
          - ambiguous is not changed
          - "ambiguous_msg in ambiguous.msg"
          - "'identifier' in ambiguous.msg.split(')')[-1]"
      vars:
        ambiguous_msg: >-
          2 passwords visible to this API user have name 'Shared db' (identifiers {{ app }}, {{ report }}).
"""


def test_select_by_name_and_username_exactly_and_refuse_ambiguous_names(playbook, sim):
    app = seed(sim, KIND, name="Shared db", username="app")
    report = seed(sim, KIND, name="Shared db", username="report")
    payments = seed(sim, KIND)

    run_playbook(playbook, SELECT_PLAYBOOK, extra_vars={"app": app, "report": report, "payments": payments})

    items = stored(sim, KIND)
    assert items[app]["notes"] == "the app account"
    assert items[report]["username"] == "reports" and items[report]["notes"] == KIND.sample["notes"]
    assert items[payments]["url"] == "db03.example.com"
    created = sorted((i["name"], i["username"], i["password"]) for i in items.values() if i["identifier"] > payments)
    assert created == [("Payments", "svc_payments", "near-miss-1"), ("Shared db", "ap", "near-miss-3"),
                       ("shared DB", "app", "near-miss-2")]
    assert writes(sim, KIND) == {"create": 3, "update": 3, "inactive": 0, "active": 0}


# -- bad input --------------------------------------------------------------------------------

BAD_SEED = "SEED-0189-Xq"  # 0, 1, 8, 9 and '-' are not base32


def test_bad_input_fails_before_any_request_naming_the_option_not_the_value(playbook, sim):
    first = seed(sim, KIND)
    steps = [
        step("empty name", identifier=first, name="", error=["Option name is empty"]),
        step("blank username", name="New", username="  ", password="x-Pw", error=["Option username is empty"]),
        step("empty password", identifier=first, password="", error=["Option password is empty"]),
        step("seed not base32", identifier=first, secret_key=BAD_SEED,
             error=["Option secret_key is not a base32 TOTP seed", "otpauth://"]),
        step("seed not base32 on create", name="New", username="new", password="x-Pw", secret_key=BAD_SEED,
             error=["Option secret_key is not a base32 TOTP seed"]),
        step("identifier zero", identifier=0, notes="x", error=["Option identifier must be a positive integer"]),
        step("user listed twice", identifier=first, users_allowed=[{"username": "bob"}, {"username": "bob"}],
             error=["Option users_allowed", "'bob'"]),
        step("unknown update_password", identifier=first, update_password="never",
             error=["update_password", "always, on_create"]),
        step("no selector", url="db.example.com", error=["none of identifier or name is set"]),
    ]

    results, _unused = STEPS.apply(playbook, steps)

    STEPS.check(steps, results)
    for result in results:
        assert BAD_SEED not in result["msg"]  # (the -vvvv run of the leak test shows it nowhere)
    assert sim.control.counters()["total"] == 0  # not even a token request


def test_create_without_a_required_field_names_it(playbook, sim):
    steps = [step("create without password", name="New", username="new",
                  error=["No matching password exists, and password is required to create one"]),
             step("create by name alone", name="Newer", error=["username, password are required to create one"])]

    results, _unused = STEPS.apply(playbook, steps)

    STEPS.check(steps, results)
    assert sim.control.counters()["writes"] == 0


# -- nothing leaks at -vvvv -------------------------------------------------------------------

CANARIES = {"password": "canary-password-Zq81xv", "rotated": "canary-rotated-Hp20ke",
            "refused": "canary-refused-Mt55wd", "checked": "canary-checkmode-Ub73ra",
            # base32 of 'hello world canary': a seed that is a canary too
            "seed": "NBSWY3DPO5XXE3DEEBRWC3TBOJ4Q", "bad_seed": "canary-bad-seed-0189"}
LEAK_CLOCK = 1765432100

LEAK_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars_files: [secrets.yml]
  tasks:
    - name: Create a password with a TOTP seed
      segura.pam.mysafe_password:
        name: Leak test
        username: leak
        password: "{{ canary.password }}"
        secret_key: "{{ canary.seed }}"
      register: created
    - name: Rotate it
      segura.pam.mysafe_password: {name: Leak test, username: leak, password: "{{ canary.rotated }}"}
      register: rotated
    - name: Would rotate it again
      segura.pam.mysafe_password: {identifier: "{{ created.identifier }}", password: "{{ canary.checked }}"}
      check_mode: true
      register: would_rotate
    - name: Rejected before sending - a seed that is not base32
      segura.pam.mysafe_password: {identifier: "{{ created.identifier }}", secret_key: "{{ canary.bad_seed }}"}
      ignore_errors: true
      register: bad_seed
    - name: Refused - a password alice may only view
      segura.pam.mysafe_password: {identifier: "{{ view_only }}", password: "{{ canary.refused }}"}
      ignore_errors: true
      register: denied_write
    - name: Read it (masked)
      segura.pam.mysafe_password_info: {name: Leak test}
      register: masked
    - name: Read it in clear, the documented way
      segura.pam.mysafe_password_info: {identifier: "{{ created.identifier }}", reveal_secret: true}
      no_log: true
      register: revealed
    - name: The current code through the lookup
      ansible.builtin.set_fact:
        code: "{{ lookup('segura.pam.mysafe_password', created.identifier, field='token') }}"
      no_log: true
    - name: Keep the results for the test
      ansible.builtin.copy:
        content: "{{ {'created': created, 'rotated': rotated, 'would_rotate': would_rotate,
                      'denied_write': denied_write, 'bad_seed': bad_seed, 'masked': masked, 'revealed': revealed, 'code': code} | to_json }}"
        dest: "{{ playbook_dir }}/registered.json"
        mode: "0600"
      no_log: true
"""


def test_verbose_run_shows_no_password_seed_or_totp_code(playbook, sim):
    totp_seed = CANARIES["seed"]
    view_only = seed(sim, KIND, owner="admin", name="Admin's", users_allowed=[{"username": "alice"}])
    sim.control.clock(LEAK_CLOCK)
    code = totp(totp_seed, LEAK_CLOCK)
    secret_vars(playbook, canary=CANARIES)

    result = playbook.run(LEAK_PLAYBOOK, verbosity=4, diff=True, extra_vars={"view_only": view_only})

    assert result.rc == 0, result
    registered = json.loads((playbook.workdir / "registered.json").read_text())
    # Every path really ran, and the code the user asked for is the live one.
    assert registered["rotated"]["diff"]["after"]["password"] == MASK + " (changed)"
    assert registered["would_rotate"]["changed"] and registered["denied_write"]["error_code"] == 1006
    assert registered["masked"]["password"]["token"] == MASK
    assert "Option secret_key is not a base32 TOTP seed" in registered["bad_seed"]["msg"]
    assert registered.pop("code") == code
    revealed = registered.pop("revealed")["password"]
    assert (revealed["password"], revealed["secret_key"], revealed["token"]) == (CANARIES["rotated"], totp_seed, code)
    forbidden = dict(CANARIES, oauth=sim.users["alice"]["client_secret"])
    forbidden.update(("token %d" % n, token) for n, token in enumerate(cached_tokens(playbook.home)))
    for where, text in (("registered", json.dumps(registered)), ("output", result.output)):
        shown = sorted(label for label, value in forbidden.items() if value in text)
        assert not shown, "%s shows %s" % (where, shown)
        # six digits: only a whole number counts, not a part of a longer one (a pid, a time)
        assert not re.search(r"(?<!\d)%s(?!\d)" % code, text), "%s shows the TOTP code" % where
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result.output  # -vvvv did print the module arguments
