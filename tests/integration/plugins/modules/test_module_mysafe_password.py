"""segura.pam.mysafe_password driven by real ansible-playbook runs against the HTTPS simulator.

Each test seeds the server (``item_support.seed``, uncounted), runs a playbook as a user would
write it, and checks what the tasks reported, what the simulator stores (``stored``) and how many
writes reached its password endpoints (``writes``): "nothing differs" must mean "nothing sent".
Behaviours every kind shares (create and rerun, updates, disable and enable, check mode,
permissions) are tested once per kind in ``tests/integration/behaviours``; here is what only a
password has: selection by name and user name, the TOTP seed and token.
"""

import json
import re

from item_support import cached_tokens, secret_vars, seed, stored, writes
from kinds import MASK, ROWS
from module_steps import ModuleSteps, run_playbook, step
from totp import totp
from playbook_runner import localhost_play

KIND = ROWS["password"]
STEPS = ModuleSteps.for_kind(KIND)


# -- selecting the password -------------------------------------------------------------------

SELECT_PLAYBOOK = localhost_play("""
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
""")


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

# What every kind shows or hides at -vvvv is tested in tests/integration/behaviours; here, the
# TOTP seed and the codes made from it.
CANARIES = {"password": "canary-password-Zq81xv",
            # base32 of 'hello world canary': a seed that is a canary too
            "seed": "NBSWY3DPO5XXE3DEEBRWC3TBOJ4Q", "bad_seed": "canary-bad-seed-0189"}
LEAK_CLOCK = 1765432100

LEAK_PLAYBOOK = localhost_play("""
    - name: Create a password with a TOTP seed
      segura.pam.mysafe_password:
        name: Leak test
        username: leak
        password: "{{ canary.password }}"
        secret_key: "{{ canary.seed }}"
      register: created
    - name: Rejected before sending - a seed that is not base32
      segura.pam.mysafe_password: {identifier: "{{ created.identifier }}", secret_key: "{{ canary.bad_seed }}"}
      ignore_errors: true
      register: bad_seed
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
        content: "{{ {'created': created, 'bad_seed': bad_seed, 'masked': masked, 'revealed': revealed,
                      'code': code} | to_json }}"
        dest: "{{ playbook_dir }}/registered.json"
        mode: "0600"
      no_log: true
""", vars_files=["secrets.yml"])


def test_verbose_run_shows_no_password_seed_or_totp_code(playbook, sim):
    totp_seed = CANARIES["seed"]
    sim.control.clock(LEAK_CLOCK)
    code = totp(totp_seed, LEAK_CLOCK)
    secret_vars(playbook, canary=CANARIES)

    result = playbook.run(LEAK_PLAYBOOK, verbosity=4, diff=True)

    assert result.rc == 0, result
    registered = json.loads((playbook.workdir / "registered.json").read_text())
    # Every path really ran, and the code the user asked for is the live one.
    assert registered["masked"]["password"]["token"] == MASK
    assert "Option secret_key is not a base32 TOTP seed" in registered["bad_seed"]["msg"]
    assert registered.pop("code") == code
    revealed = registered.pop("revealed")["password"]
    assert (revealed["password"], revealed["secret_key"], revealed["token"]) == (CANARIES["password"], totp_seed, code)
    forbidden = dict(CANARIES, oauth=sim.users["alice"]["client_secret"])
    forbidden.update(("token %d" % n, token) for n, token in enumerate(cached_tokens(playbook.home)))
    for where, text in (("registered", json.dumps(registered)), ("output", result.output)):
        shown = sorted(label for label, value in forbidden.items() if value in text)
        assert not shown, "%s shows %s" % (where, shown)
        # six digits: only a whole number counts, not a part of a longer one (a pid, a time)
        assert not re.search(r"(?<!\d)%s(?!\d)" % code, text), "%s shows the TOTP code" % where
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result.output  # -vvvv did print the module arguments
