"""segura.pam.mysafe_note driven by real ansible-playbook runs against the HTTPS simulator.

Each test seeds the simulator through its control API (uncounted), runs a playbook as a user would
write it, and checks what the tasks reported (asserts inside the playbook), what the simulator stores
(``sim.control.notes()``) and how many note writes reached it (``sim.control.counters("notes")``):
"nothing differs" must mean "nothing sent". Several users act in one playbook through
``module_defaults`` blocks carrying their access keys, which keeps each test to one or two runs.
Behaviours every kind shares are tested once per kind in ``tests/integration/behaviours``; here is
what only a note has (its 900-character limit, the encrypting access key) or is tested through it.
"""


from item_support import as_user, secret_vars, seed, stored, writes
from kinds import ROWS
from module_steps import run_playbook
from playbook_runner import localhost_play

KIND = ROWS["note"]

# Contents seeded straight into the simulator: the module reads them but never receives them as an
# option, so Ansible's own no_log masking cannot hide them; only the module's masking can.
SEEDED = KIND.sample["note"]
SECOND = "second-note-canary-Wm18 rewritten steps"
NEW = "new-note-canary-Tt09 first version"


# -- create, check mode, rerun ----------------------------------------------------------------

CREATE_PLAYBOOK = localhost_play("""
    - name: Create the runbook note (or leave it as it is)
      segura.pam.mysafe_note:
        name: Runbook
        note: "{{ content }}"
        tags: "{{ wanted_tags }}"
        users_allowed: "{{ wanted_users }}"
        groups_allowed: [{name: auditors}]
      register: runbook

    - name: The result is the stored note, normalised, with the content masked
      ansible.builtin.assert:
        that:
          - runbook.changed == expect_changed
          - runbook.operation == expect_operation
          - runbook.identifier == expect_identifier
          - runbook.note.name == 'Runbook'
          - runbook.note.note == '********'
          - runbook.note.tags | sort == ['payments', 'runbook']
          - "runbook.note.users_allowed == [{'username': 'bob', 'can_edit': true}, {'username': 'carol', 'can_edit': false}]"
          - "runbook.note.groups_allowed == [{'name': 'auditors', 'can_edit': false}]"
          - runbook.note.active
          - runbook.diff.after.note == '********'
""")


def test_check_mode_create_then_create_then_rerun_writes_once(playbook, sim):
    first = {"content": NEW, "wanted_tags": ["runbook", "payments"],
             "wanted_users": [{"username": "bob", "can_edit": True}, {"username": "carol"}]}

    # --check first: the prediction of the real run, and nothing stored or sent.
    predicted = run_playbook(playbook, CREATE_PLAYBOOK, check=True, diff=True, extra_vars=dict(
        first, expect_changed=True, expect_operation="created", expect_identifier=None))
    assert stored(sim, KIND) == {} and writes(sim, KIND) == {"create": 0, "update": 0, "inactive": 0, "active": 0}

    run_playbook(playbook, CREATE_PLAYBOOK, extra_vars=dict(
        first, expect_changed=True, expect_operation="created", expect_identifier=1))
    note = stored(sim, KIND)[1]
    assert (note["owner"], note["note"], note["active"]) == ("alice", NEW, True)
    assert sorted(note["tags"].split(",")) == ["payments", "runbook"]
    assert writes(sim, KIND) == {"create": 1, "update": 0, "inactive": 0, "active": 0}

    sim.control.reset()
    # The same wanted state written differently: other order, a duplicate tag, the explicit default.
    rerun = run_playbook(playbook, CREATE_PLAYBOOK, diff=True, verbosity=1, extra_vars={
        "content": NEW, "wanted_tags": ["payments", "runbook", "runbook"],
        "wanted_users": [{"username": "carol", "can_edit": False}, {"username": "bob", "can_edit": True}],
        "expect_changed": False, "expect_operation": "unchanged", "expect_identifier": 1})
    assert sim.control.counters("notes")["writes"] == 0
    assert stored(sim, KIND)[1] == note
    assert "changed=0" in rerun.stdout
    for run in (predicted, rerun):
        assert NEW not in run.output


# -- updates, check mode and diff ----------------------------------------------------------------

UPDATE_PLAYBOOK = localhost_play("""
    - name: Preview a new content in check mode
      segura.pam.mysafe_note: {identifier: "{{ ident }}", note: "{{ second }}"}
      check_mode: true
      register: previewed
    - name: Write it, showing the diff
      segura.pam.mysafe_note: {identifier: "{{ ident }}", note: "{{ second }}"}
      register: rewritten
    - name: The same content again
      segura.pam.mysafe_note: {identifier: "{{ ident }}", note: "{{ second }}"}
      register: same_again
    - name: update_note on_create never overwrites existing content
      segura.pam.mysafe_note: {identifier: "{{ ident }}", note: "{{ third }}", update_note: on_create}
      register: kept
    - name: update_note on_create with a tag change sends the tags only
      segura.pam.mysafe_note: {identifier: "{{ ident }}", note: "{{ third }}", tags: [ops], update_note: on_create}
      register: tags_only
    - name: Rename by identifier (the name is then a field)
      segura.pam.mysafe_note: {identifier: "{{ ident }}", name: Runbook 2026}
      register: renamed
    - name: Select by the new name and change the content in check mode
      segura.pam.mysafe_note: {name: Runbook 2026, note: "{{ third }}"}
      check_mode: true
      register: by_name_check

    - ansible.builtin.assert:
        that:
          - previewed is changed and previewed.operation == 'updated'
          - "previewed.diff == {'before': {'note': '********'}, 'after': {'note': '******** (changed)'}}"
          - previewed.note.note == '********'
          - rewritten is changed and rewritten.diff == previewed.diff
          - same_again is not changed and same_again.operation == 'unchanged'
          - "same_again.diff == {'before': {'note': '********'}, 'after': {'note': '********'}}"
          - "kept is not changed and kept.diff == {'before': {}, 'after': {}}"
          - "tags_only is changed and tags_only.diff.after == {'tags': ['ops']}"
          - renamed is changed and renamed.note.name == 'Runbook 2026'
          - "renamed.diff == {'before': {'name': 'Runbook'}, 'after': {'name': 'Runbook 2026'}}"
          - by_name_check is changed and by_name_check.identifier == ident
""")


def test_updates_send_only_the_difference_and_mask_the_content(playbook, sim):
    ident = seed(sim, KIND, tags="runbook")
    third = "third-note-canary-Qa31 never stored"

    # --diff and -v print every result and diff, so masking is checked on real output.
    result = run_playbook(playbook, UPDATE_PLAYBOOK, diff=True, verbosity=1,
                          extra_vars={"ident": ident, "second": SECOND, "third": third})

    printed = result.stdout
    assert '-    "note": "********"' in printed and '+    "note": "******** (changed)"' in printed
    assert '+    "name": "Runbook 2026"' in printed
    for content in (SEEDED, SECOND, third):
        assert content not in result.output
    note = stored(sim, KIND)[ident]
    assert (note["name"], note["note"], note["tags"]) == ("Runbook 2026", SECOND, "ops")
    # rewritten, tags_only, renamed: the check-mode tasks and the unchanged ones sent nothing.
    assert writes(sim, KIND) == {"create": 0, "update": 3, "inactive": 0, "active": 0}


# -- sharing and permissions -------------------------------------------------------------------

PERMISSIONS_PLAYBOOK = localhost_play("""
    - name: Alice shares her note with bob (may edit), carol (view only) and devops (view only)
      segura.pam.mysafe_note:
        identifier: "{{ ids.shared }}"
        users_allowed: [{username: carol}, {username: bob, can_edit: true}]
        groups_allowed: [{name: devops}]
      register: shared
    - name: The same sharing in another order changes nothing
      segura.pam.mysafe_note:
        identifier: "{{ ids.shared }}"
        users_allowed: [{username: bob, can_edit: true}, {username: carol, can_edit: false}]
        groups_allowed: [{name: devops, can_edit: false}]
      register: shared_again

    - name: As bob
      module_defaults: {segura.pam.mysafe_note: "{{ bob }}"}
      block:
        - name: bob may edit the shared note
          segura.pam.mysafe_note: {identifier: "{{ ids.shared }}", note: bob was here}
          register: bob_edit
        - name: bob may disable and enable it
          segura.pam.mysafe_note: {identifier: "{{ ids.shared }}", state: absent}
          register: bob_disable
        - segura.pam.mysafe_note: {identifier: "{{ ids.shared }}"}
          register: bob_enable
        - name: Carol's note shared with devops can_edit, bob's group
          segura.pam.mysafe_note: {identifier: "{{ ids.group }}", tags: [bob]}
          register: bob_group_edit
        - name: Carol's private note
          segura.pam.mysafe_note: {identifier: "{{ ids.private }}", tags: [bob]}
          register: bob_private
          failed_when: false
        - name: Carol's private note is invisible to bob, so its name makes bob's own
          segura.pam.mysafe_note: {name: Carol private, note: bob's own}
          register: bob_own

    - name: As carol, who may only view alice's note
      module_defaults: {segura.pam.mysafe_note: "{{ carol }}"}
      block:
        - name: carol cannot update it
          segura.pam.mysafe_note: {identifier: "{{ ids.shared }}", note: carol was here}
          register: carol_update
          failed_when: false
        - name: carol cannot disable it
          segura.pam.mysafe_note: {identifier: "{{ ids.shared }}", state: absent}
          register: carol_disable
          failed_when: false
        - name: Nothing differs, so nothing is refused
          segura.pam.mysafe_note: {identifier: "{{ ids.shared }}", note: bob was here}
          register: carol_unchanged

    - name: Alice takes carol off
      segura.pam.mysafe_note: {identifier: "{{ ids.shared }}", users_allowed: [{username: bob, can_edit: true}]}
      register: unshared

    - ansible.builtin.assert:
        that:
          - shared is changed and shared_again is not changed
          - bob_edit is changed and bob_edit.note.note == '********'
          - bob_disable.operation == 'disabled' and bob_enable.operation == 'enabled'
          - bob_group_edit is changed
          - bob_private is not changed and bob_private.error_code == 1006
          - "'User does not have access' in bob_private.msg"
          - bob_own.operation == 'created' and bob_own.identifier not in ids.values()
          - carol_update is not changed and carol_update.error_code == 1006
          - "'permission to edit this note' in carol_update.msg and 'can_edit' in carol_update.msg"
          - "'to this note' in carol_update.msg"
          - carol_disable is not changed and carol_disable.error_code == 1006
          - carol_unchanged is not changed
          - unshared is changed
          - "unshared.diff.before.users_allowed | map(attribute='username') | list == ['bob', 'carol']"
""")


def test_sharing_with_several_users_and_what_each_may_do(playbook, sim):
    ids = {
        "shared": seed(sim, KIND, name="Shared runbook"),
        "group": seed(sim, KIND, owner="carol", name="Carol group",
                      groups_allowed=[{"name": "devops", "can_edit": True}]),
        "private": seed(sim, KIND, owner="carol", name="Carol private"),
    }
    before = stored(sim, KIND)

    run_playbook(playbook, PERMISSIONS_PLAYBOOK,
                 extra_vars={"ids": ids, "bob": as_user(sim, "bob"), "carol": as_user(sim, "carol")})

    notes = stored(sim, KIND)
    shared = notes[ids["shared"]]
    assert (shared["note"], shared["active"], shared["owner"]) == ("bob was here", True, "alice")
    assert shared["users_allowed"] == [{"username": "bob", "can_edit": True}]
    assert notes[ids["group"]]["tags"] == "bob"
    assert notes[ids["private"]] == before[ids["private"]]
    (own,) = [note for note in notes.values() if note["owner"] == "bob"]
    assert (own["name"], own["note"]) == ("Carol private", "bob's own")
    # share, bob's edit, bob's group edit and alice's unsharing; carol's refused update is counted
    # as it reached the server, her refused disable too.
    assert writes(sim, KIND) == {"create": 1, "update": 5, "inactive": 2, "active": 1}


# -- selecting by name ------------------------------------------------------------------------

SELECT_PLAYBOOK = localhost_play("""
    - name: Exactly "Deploy", although the server's name filter also answers "deploy" and "Deploy old"
      segura.pam.mysafe_note: {name: Deploy, tags: [selected]}
      register: exact
    - name: A name only near others ("deploy o" is part of "Deploy old") creates a note
      segura.pam.mysafe_note: {name: deploy o, note: new one}
      register: near_miss
    - name: Two notes share the name Twin
      segura.pam.mysafe_note: {name: Twin, tags: [which]}
      register: ambiguous
      failed_when: false

    - ansible.builtin.assert:
        that:
          - exact is changed and exact.identifier == ids.deploy
          - near_miss.operation == 'created' and near_miss.identifier not in ids.values()
          - ambiguous is not changed
          - ambiguous.msg[:ambiguous_msg | length] == ambiguous_msg  # then the hint
      vars:
        ambiguous_msg: >-
          2 notes visible to this API user have name 'Twin' (identifiers {{ ids.twin_1 }}, {{ ids.twin_2 }}).
          Select one with identifier
""")


def test_names_select_exactly_and_ambiguous_names_are_refused(playbook, sim):
    ids = {key: seed(sim, KIND, name=name) for key, name in (
        ("lower", "deploy"), ("deploy", "Deploy"), ("older", "Deploy old"), ("twin_1", "Twin"), ("twin_2", "Twin"))}
    before = stored(sim, KIND)

    run_playbook(playbook, SELECT_PLAYBOOK, extra_vars={"ids": ids})

    notes = stored(sim, KIND)
    assert notes[ids["deploy"]]["tags"] == "selected"
    for key in ("lower", "older", "twin_1", "twin_2"):
        assert notes[ids[key]] == before[ids[key]]
    assert writes(sim, KIND) == {"create": 1, "update": 1, "inactive": 0, "active": 0}


# -- the content length limit and other mistakes ------------------------------------------------

MISTAKES_PLAYBOOK = localhost_play("""
    - segura.pam.mysafe_note: {name: Too long, note: "{{ too_long }}"}
      register: too_long_create
      failed_when: false
    - segura.pam.mysafe_note: {identifier: 1, note: "{{ too_long }}", update_note: on_create}
      register: too_long_on_create
      failed_when: false
    - segura.pam.mysafe_note: {name: No content}
      register: no_content
      failed_when: false
    - segura.pam.mysafe_note: {tags: [orphan]}
      register: no_selector
      failed_when: false
    - segura.pam.mysafe_note: {identifier: 0, tags: [x]}
      register: identifier_zero
      failed_when: false
    - segura.pam.mysafe_note: {identifier: 1, name: ""}
      register: empty_name
      failed_when: false
    - segura.pam.mysafe_note: {identifier: 1, users_allowed: [{username: bob}, {username: bob}]}
      register: user_twice
      failed_when: false
    - segura.pam.mysafe_note: {identifier: 1, update_note: sometimes}
      register: bad_choice
      failed_when: false

    - ansible.builtin.assert:
        that:
          - item.msg is defined and item is not changed  # failed_when hides the failure, not its msg
          - item.msg is search(expected[index])
        quiet: true
      loop: "{{ [too_long_create, too_long_on_create, no_content, no_selector, identifier_zero, empty_name,
                 user_twice, bad_choice] }}"
      loop_control:
        index_var: index
        label: "{{ expected[index] }}"
      vars:
        expected:
          - "Option note is 901 characters long; Segura accepts at most 900"
          - "Option note is 901 characters long; Segura accepts at most 900"
          - "No matching note exists, and note is required to create one"
          - "none of identifier or name is set"
          - "Option identifier must be a positive integer"
          - "Option name is empty"
          - "Option users_allowed names username 'bob' more than once"
          - "update_note.*always, on_create"
""", vars_files=["secrets.yml"])


def test_mistakes_fail_before_any_request(playbook, sim):
    """Each mistake fails with a message naming the option; only the one that needs the server's list
    ("no such note, and no content to create it") sends anything."""
    too_long = ("long-note-canary-Lp44 " * 41)[:901]

    secret_vars(playbook, too_long=too_long)
    result = run_playbook(playbook, MISTAKES_PLAYBOOK, verbosity=4)

    assert "long-note-canary" not in result.output
    counters = sim.control.counters()
    # "No content" is the only mistake that needs the server: the list that shows no such note exists.
    assert counters["endpoints"]["list"] == 1 and counters["writes"] == 0
    assert counters["total"] == counters["token"] + 1
    assert stored(sim, KIND) == {}


LIMIT_PLAYBOOK = localhost_play("""
    - segura.pam.mysafe_note: {name: At the limit, note: "{{ too_long }}"}
      register: refused
      failed_when: false
    - ansible.builtin.assert:
        that:
          - refused.msg is defined and refused is not changed
          - refused.msg is search('^Option note is 901 characters long; Segura accepts at most 900[.] Shorten it')
""", vars_files=["secrets.yml"])

LIMIT_OK_PLAYBOOK = localhost_play("""
    - segura.pam.mysafe_note: {name: At the limit, note: "{{ at_limit }}"}
      register: created
    - segura.pam.mysafe_note: {name: At the limit, note: "{{ at_limit }}"}
      register: again
    - ansible.builtin.assert:
        that:
          - created.operation == 'created'
          - again is not changed
""")


def test_901_characters_send_nothing_and_900_are_stored(playbook, sim):
    at_limit = ("limit-canary-Hp20 " * 50)[:900]
    too_long = at_limit + "x"

    secret_vars(playbook, too_long=too_long)
    refused = run_playbook(playbook, LIMIT_PLAYBOOK, verbosity=4)
    assert sim.control.counters()["total"] == 0  # not even a token request
    assert "limit-canary" not in refused.output

    run_playbook(playbook, LIMIT_OK_PLAYBOOK, extra_vars={"at_limit": at_limit})
    (note,) = sim.control.notes()
    assert note["note"] == at_limit and len(note["note"]) == 900
    assert writes(sim, KIND)["create"] == 1 and sim.control.counters("notes")["writes"] == 1


# -- an access key that encrypts sensitive data --------------------------------------------------

ENCRYPTING_PLAYBOOK = localhost_play("""
    - name: Update a note longer than 500 characters (Segura cannot encrypt it on read)
      segura.pam.mysafe_note: {identifier: "{{ ids.long }}", tags: [erin]}
      register: long_update
      failed_when: false
    - name: Read it
      segura.pam.mysafe_note_info: {identifier: "{{ ids.long }}"}
      register: long_read
      failed_when: false
    - name: Short notes read, but their content comes back encrypted, so on_create keeps reruns quiet
      segura.pam.mysafe_note: {identifier: "{{ ids.short }}", note: "{{ short }}", update_note: on_create}
      register: short_on_create
    - segura.pam.mysafe_note: {identifier: "{{ ids.short }}", note: "{{ short }}"}
      register: short_always

    - ansible.builtin.assert:
        that:
          - long_update is not changed
          - item.msg is search('^Segura refused the request. 500. Ocorreu um erro ao criptografar o texto[.]')
          - item.http_status == 500 and item.error_type == 'ServerError'
        quiet: true
      loop: "{{ [long_update, long_read] }}"
      loop_control: {label: "{{ item.msg | default('') }}"}
    - ansible.builtin.assert:
        that:
          - short_on_create is not changed
          - short_always is changed and short_always.operation == 'updated'
""", vars_files=["secrets.yml"])


def test_an_encrypting_access_key_fails_long_notes_clearly(playbook, sim):
    long_content = ("encrypted-long-canary-Nx66 " * 30)[:600]
    short = "encrypted-short-canary-Fe40"
    devops = [{"name": "devops", "can_edit": True}]
    ids = {"long": seed(sim, KIND, name="Long", note=long_content, groups_allowed=devops),
           "short": seed(sim, KIND, name="Short", note=short, groups_allowed=devops)}

    secret_vars(playbook, short=short)
    result = run_playbook(playbook, ENCRYPTING_PLAYBOOK, user="erin", verbosity=3, extra_vars={"ids": ids})

    for content in (long_content[:40], short):
        assert content not in result.output
    notes = stored(sim, KIND)
    assert notes[ids["long"]]["tags"] == ""  # the read failed, so no update was sent
    assert notes[ids["short"]]["note"] == short
    # Only the always task wrote: it cannot see that the encrypted content is the same.
    assert writes(sim, KIND) == {"create": 0, "update": 1, "inactive": 0, "active": 0}
