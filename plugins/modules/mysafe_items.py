#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_items
short_description: Keep MySafe API secrets, passwords and notes in the wanted state in one task
version_added: 0.2.0
description:
  - Applies lists of MySafe API secrets, passwords and notes of a Segura (formerly senhasegura) PAM server in one
    task, with one access token and one connection pool. Each element follows the rules of its kind's item
    module (M(segura.pam.mysafe_api_secret), M(segura.pam.mysafe_password), M(segura.pam.mysafe_note)), so only
    changed fields are sent, check and diff mode are supported, and ambiguous writes are settled by reading again.
  - Before any request, every element of every list is checked (its fields, that it selects an item, that no item
    is listed twice in its list); the problems of all lists fail the task together, naming each element by its
    list, index and selector (for example C(passwords[2]) followed by C(name 'db', username 'svc')), and nothing
    is sent.
  - The lists are then applied one after another (API secrets, passwords, notes), the elements of each in parallel
    up to O(max_parallel) requests at a time. A list with no element and no exclusive tag sends no request.
  - Every element of every list is attempted even when others fail; the task fails at the end, listing the failed
    elements of each kind, followed by the counts of what was done all the same.
  - The role C(segura.pam.mysafe_api_secrets) applies its three lists with this module, in one task.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - One before/after per changed element, headed with its list, index and selector (for example C(notes[0])
        followed by C(name 'runbook')), or with the identifier and the exclusive tag's option for an item disabled
        by O(exclusive_tags); secrets are masked.
options:
  # BEGIN generated from plugins/doc_fragments/mysafe_item.py by scripts/generate_docs.py (make docs)
  api_secrets:
    description:
      - The API secrets, each with the options of M(segura.pam.mysafe_api_secret) (connection options
        excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description:
          - The server's numeric id of the secret. Selects an existing secret; it cannot be chosen
            on creation.
          - Without O(api_secrets[].identifier) and O(api_secrets[].identifier_code), the secret is
            matched by O(api_secrets[].name) among the secrets the API user can see; none matching
            creates it, several matching fail the task.
        type: int
      identifier_code:
        description:
          - The owner's unique code of the secret. Selects the secret when O(api_secrets[].identifier)
            is not set (and is stored on creation); with O(api_secrets[].identifier) it is a field
            to set.
        type: str
      name:
        description: Name of the secret. Required to create one.
        type: str
      url:
        description: URL of the site where the API secret is used, with its scheme. Required to create
          a secret.
        type: str
      client_id:
        description: Client ID of the application. Required to create a secret.
        type: str
      client_secret:
        description:
          - The secret itself. Never shown in output, logs or diffs.
          - See O(api_secrets[].update_secret) to set it only when the secret is created.
        type: str
      notes:
        description: Observations about the secret.
        type: str
      method:
        description:
          - HTTP method of the API call the secret is used for, one of C(get), C(post), C(put), C(patch),
            C(delete), C(head) or C(options), in any case (sent in lower case).
        type: str
      update_secret:
        description:
          - V(always) sets O(api_secrets[].client_secret) whenever it differs from the stored one.
          - V(on_create) sets it only when the secret is created and never overwrites an existing one
            (for secrets rotated elsewhere).
        type: str
        choices: [always, on_create]
        default: always
      tags:
        description: Keywords of the item. Order and duplicates do not matter.
        type: list
        elements: str
      users_allowed:
        description:
          - The exact list of users the item is shared with (order does not matter). Users not listed
            lose access; V([]) removes every user. The owner's own access is implicit.
        type: list
        elements: dict
        suboptions:
          username:
            description: Segura user name.
            type: str
            required: true
          can_edit:
            description: Whether the user may update, disable and enable the item; otherwise view only.
            type: bool
            default: false
      groups_allowed:
        description: The exact list of groups the item is shared with (order does not matter).
        type: list
        elements: dict
        suboptions:
          name:
            description: Segura group name.
            type: str
            required: true
          can_edit:
            description: Whether the group's members may update, disable and enable the item.
            type: bool
            default: false
      state:
        description:
          - V(present) creates or updates the item, and enables it if it is disabled.
          - V(absent) disables it (Segura has no deletion). An item that is missing or already disabled
            is not a change.
        type: str
        choices: [present, absent]
        default: present
  passwords:
    description:
      - The passwords, each with the options of M(segura.pam.mysafe_password) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description:
          - The server's numeric id of the password. Selects an existing password; it cannot be chosen
            on creation.
          - Without O(passwords[].identifier), the password is matched by O(passwords[].name), and
            by O(passwords[].username) too when it is set, among the passwords the API user can see
            (its own and those shared with it). The match is exact (case included). None matching creates
            the password, several matching fail the task naming their identifiers.
          - With O(passwords[].identifier), O(passwords[].name) and O(passwords[].username) are fields
            to set.
        type: int
      name:
        description: Name of the password entry. Required to create one; may not be empty.
        type: str
      username:
        description: The user name the password belongs to. Required to create a password; may not
          be empty.
        type: str
      password:
        description:
          - The password itself. Required to create a password; may not be empty. Never shown in output,
            logs or diffs.
          - See O(passwords[].update_password) to set it only when the password is created.
        type: str
      url:
        description: Where the password is used. Free text (a URL, a host name, a path); not checked.
        type: str
      secret_key:
        description:
          - The TOTP seed (base32, as the service shows it under its QR code) from which Segura computes
            the current one-time code, returned as C(token) by M(segura.pam.mysafe_password_info) and
            by the P(segura.pam.mysafe_password#lookup) lookup with C(field=token).
          - Checked before anything is sent. Letters A-Z and digits 2-7; case, spaces and C(=) padding
            are allowed and are ignored when comparing with the stored seed, so V(jbsw y3dp ehpk 3pxp)
            and V(JBSWY3DPEHPK3PXP) are the same seed. A seed that is not base32 fails the task without
            showing it.
          - Sent as given when it differs. V("") sends an empty seed; how a server clears a seed is
            not documented.
          - Never shown in output, logs or diffs.
        type: str
      notes:
        description: Observations about the password.
        type: str
      update_password:
        description:
          - V(always) sets O(passwords[].password) whenever it differs from the stored one.
          - V(on_create) sets it only when the password entry is created and never overwrites an existing
            one (for passwords rotated elsewhere). The other fields, O(passwords[].secret_key) included,
            are still updated.
        type: str
        choices: [always, on_create]
        default: always
      tags:
        description: Keywords of the item. Order and duplicates do not matter.
        type: list
        elements: str
      users_allowed:
        description:
          - The exact list of users the item is shared with (order does not matter). Users not listed
            lose access; V([]) removes every user. The owner's own access is implicit.
        type: list
        elements: dict
        suboptions:
          username:
            description: Segura user name.
            type: str
            required: true
          can_edit:
            description: Whether the user may update, disable and enable the item; otherwise view only.
            type: bool
            default: false
      groups_allowed:
        description: The exact list of groups the item is shared with (order does not matter).
        type: list
        elements: dict
        suboptions:
          name:
            description: Segura group name.
            type: str
            required: true
          can_edit:
            description: Whether the group's members may update, disable and enable the item.
            type: bool
            default: false
      state:
        description:
          - V(present) creates or updates the item, and enables it if it is disabled.
          - V(absent) disables it (Segura has no deletion). An item that is missing or already disabled
            is not a change.
        type: str
        choices: [present, absent]
        default: present
  notes:
    description:
      - The notes, each with the options of M(segura.pam.mysafe_note) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description:
          - The server's numeric id of the note. Selects an existing note; it cannot be chosen on creation.
          - Without O(notes[].identifier), the note is matched by O(notes[].name) (exactly, case included)
            among the notes the API user can see; none matching creates it, several matching fail the
            task naming their identifiers.
        type: int
      name:
        description:
          - Name of the note. Required to create one.
          - Selects the note when O(notes[].identifier) is not set; with O(notes[].identifier) it is
            a field to set (a rename).
        type: str
      note:
        description:
          - The content of the note. Required to create one. Never shown in output, logs or diffs.
          - At most 900 characters (the limit of current Segura versions); a longer value fails the
            task before anything is sent, naming the length and the limit but not the content.
          - See O(notes[].update_note) to set it only when the note is created.
        type: str
      update_note:
        description:
          - V(always) sets O(notes[].note) whenever it differs from the stored content.
          - V(on_create) sets it only when the note is created and never overwrites existing content
            (for notes edited by people in MySafe). The 900-character limit is checked either way.
        type: str
        choices: [always, on_create]
        default: always
      tags:
        description: Keywords of the item. Order and duplicates do not matter.
        type: list
        elements: str
      users_allowed:
        description:
          - The exact list of users the item is shared with (order does not matter). Users not listed
            lose access; V([]) removes every user. The owner's own access is implicit.
        type: list
        elements: dict
        suboptions:
          username:
            description: Segura user name.
            type: str
            required: true
          can_edit:
            description: Whether the user may update, disable and enable the item; otherwise view only.
            type: bool
            default: false
      groups_allowed:
        description: The exact list of groups the item is shared with (order does not matter).
        type: list
        elements: dict
        suboptions:
          name:
            description: Segura group name.
            type: str
            required: true
          can_edit:
            description: Whether the group's members may update, disable and enable the item.
            type: bool
            default: false
      state:
        description:
          - V(present) creates or updates the item, and enables it if it is disabled.
          - V(absent) disables it (Segura has no deletion). An item that is missing or already disabled
            is not a change.
        type: str
        choices: [present, absent]
        default: present
  # END generated
  exclusive_tags:
    description:
      - Per kind, the tag that marks the items this task owns. Every active item of that kind that the API user
        owns, that carries the tag and that matches no element of its list is disabled (and reported in check
        mode, which finds exactly the same items), so that the list is the whole truth about that tag.
      - The API names no owner. An item counts as the API user's own when it may change it (C(can_write) in the
        list) and no share (C(users_allowed), C(groups_allowed)) lets anyone edit it, since only the owner and
        such shares may. The other tagged items are left alone and named in a warning, never a failure; they are
        those shared with the API user to view only, and those a share lets edit, which may be someone else's shared
        with the API user or its own shared with editors (see O(exclusive_tags_include_shared)).
      - A kind left out (or null) disables nothing. An empty or blank tag fails the task before any request.
      - When an element of a kind could not be matched (an ambiguous name or code, a failed list), nothing of that
        kind is disabled and a warning says why.
      - Each tagged item that no element names costs one read; the passwords and notes carrying the tag are found
        in the list that resolves the elements, the API secrets with one list filtered by the tag (their list does
        not carry tags).
    type: dict
    suboptions:
      api_secrets:
        description: Tag of the API secrets this task owns.
        type: str
      passwords:
        description: Tag of the passwords this task owns.
        type: str
      notes:
        description: Tag of the notes this task owns.
        type: str
  exclusive_tags_include_shared:
    description:
      - Also disable, for O(exclusive_tags), the tagged items that a share lets edit (C(can_edit) in
        C(users_allowed) or C(groups_allowed)) and that the API user may edit. These are items of other owners shared with
        it to edit, as well as its own shared with editors, which the API does not tell apart.
      - Items shared with the API user to view only are never disabled, whatever this says.
    type: bool
    default: false
  max_parallel:
    description: How many requests are sent at the same time, over one kept-alive connection pool.
    type: int
    default: 8
seealso:
  - module: segura.pam.mysafe_api_secret
  - module: segura.pam.mysafe_password
  - module: segura.pam.mysafe_note
notes:
  - The API user needs C(can_edit) on an item (or must own it) to update, disable or enable it.
"""

EXAMPLES = r"""
- name: Keep the platform's MySafe items as code, in one task
  segura.pam.mysafe_items:
    max_parallel: 8
    exclusive_tags:
      api_secrets: platform
      passwords: platform
    api_secrets:
      - identifier_code: payments-gcp
        name: GCP payments
        url: https://gcp.example.com
        client_id: gf455f7g8fb5dfg8fd545bffbv
        client_secret: "{{ vault_gcp_client_secret }}"
        tags: [platform, payments]
      - identifier: 51
        state: absent
    passwords:
      - name: db-service
        username: svc_db
        password: "{{ vault_db_password }}"
        tags: [platform]
    notes:
      - name: Break-glass procedure
        note: "{{ lookup('ansible.builtin.file', 'break-glass.txt') }}"
        update_note: on_create
  register: applied

- name: Show what was done
  ansible.builtin.debug:
    msg: "{{ applied.api_secrets.summary }} {{ applied.passwords.summary }} {{ applied.notes.summary }}"
"""

RETURN = r"""
api_secrets:
  description:
    - What was done with O(api_secrets) and O(exclusive_tags.api_secrets); empty lists and zero counts when there
      was nothing to do.
  returned: always
  type: dict
  contains:
    results:
      description:
        - One entry per element of O(api_secrets), in the same order.
        - Each has the element's selector as given, the server's C(identifier), C(operation) (V(created),
          V(updated), V(enabled), V(disabled), V(unchanged), or null when it failed), C(changed), C(failed) and
          C(msg) (the failure, never a secret).
      type: list
      elements: dict
      returned: always
    excluded:
      description:
        - The secrets disabled because they carry O(exclusive_tags.api_secrets) and match no element, with
          C(identifier), C(name), C(operation), C(changed), C(failed) and C(msg); also, as failed, a tagged secret
          that could not be read. The ones left alone are named in the task's warnings, not here.
      type: list
      elements: dict
      returned: always
    summary:
      description: How many elements (and excluded secrets) ended in each operation, and failed.
      type: dict
      returned: always
      sample: {created: 1, updated: 2, enabled: 0, disabled: 1, unchanged: 96, failed: 0}
passwords:
  description:
    - What was done with O(passwords) and O(exclusive_tags.passwords), with the keys of RV(api_secrets)
      (C(results), C(excluded), C(summary)).
  returned: always
  type: dict
  sample:
    results: []
    excluded: []
    summary: {created: 0, updated: 0, enabled: 0, disabled: 0, unchanged: 0, failed: 0}
notes:
  description:
    - What was done with O(notes) and O(exclusive_tags.notes), with the keys of RV(api_secrets) (C(results),
      C(excluded), C(summary)).
  returned: always
  type: dict
  sample:
    results:
      - {name: runbook, identifier: 7, operation: created, changed: true, failed: false, msg: ""}
    excluded: []
    summary: {created: 1, updated: 0, enabled: 0, disabled: 0, unchanged: 0, failed: 0}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import KINDS
from ansible_collections.segura.pam.plugins.module_utils._module import run_items_module


def main():
    run_items_module(KINDS)


if __name__ == "__main__":
    main()
