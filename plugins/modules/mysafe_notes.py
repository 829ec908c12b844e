#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_notes
short_description: Keep many MySafe notes in the wanted state in one task
version_added: 0.2.0
description:
  - Applies a list of MySafe notes of a Segura (formerly senhasegura) PAM server, each with the rules of
    M(segura.pam.mysafe_note) (only changed fields sent, check and diff mode, ambiguous writes settled by
    reading again), in one task and in parallel over one connection pool with one access token.
  - Before any request, every element is checked (its fields, that it selects a note, that no note is
    listed twice); a problem fails the task naming the elements by index and selector, and nothing is sent.
  - Selectors are resolved with one list of the notes the API user can see; an element selected by
    O(items[].name) matches exactly. No note is read twice in one run.
  - Every element is attempted even when others fail; the task fails at the end, listing the failed elements.
  - With O(exclusive_tag), every active note visible to the API user that carries that tag and matches no
    element is disabled (and reported in check mode).
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
    details: One before/after per changed element, headed with its index and selector; secrets are masked.
options:
  items:
    description:
      - The notes, each with the options of M(segura.pam.mysafe_note) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    required: true
    suboptions:
        identifier:
          description:
            - The server's numeric id of the note. Selects an existing note; it cannot be chosen on creation.
            - Without O(items[].identifier), the note is matched by O(items[].name) (exactly, case included) among the notes the
              API user can see; none matching creates it, several matching fail the task naming their identifiers.
          type: int
        name:
          description:
            - Name of the note. Required to create one.
            - Selects the note when O(items[].identifier) is not set; with O(items[].identifier) it is a field to set (a rename).
          type: str
        note:
          description:
            - The content of the note. Required to create one. Never shown in output, logs or diffs.
            - At most 900 characters (the limit of current Segura versions); a longer value fails the task before
              anything is sent, naming the length and the limit but not the content.
            - See O(items[].update_note) to set it only when the note is created.
          type: str
        tags:
          description: Keywords of the note. Order and duplicates do not matter.
          type: list
          elements: str
        users_allowed:
          description:
            - The exact list of users the note is shared with (order does not matter). Users not listed lose access;
              V([]) removes every user. The owner's own access is implicit.
          type: list
          elements: dict
          suboptions:
            username:
              description: Segura user name.
              type: str
              required: true
            can_edit:
              description: Whether the user may update, disable and enable the note; otherwise view only.
              type: bool
              default: false
        groups_allowed:
          description: The exact list of groups the note is shared with (order does not matter).
          type: list
          elements: dict
          suboptions:
            name:
              description: Segura group name.
              type: str
              required: true
            can_edit:
              description: Whether the group's members may update, disable and enable the note.
              type: bool
              default: false
        state:
          description:
            - V(present) creates or updates the note, and enables it if it is disabled.
            - V(absent) disables it. A note that is missing or already disabled is not a change.
          type: str
          choices: [present, absent]
          default: present
        update_note:
          description:
            - V(always) sets O(items[].note) whenever it differs from the stored content.
            - V(on_create) sets it only when the note is created and never overwrites existing content (for notes
              edited by people in MySafe). The 900-character limit is checked either way.
          type: str
          choices: [always, on_create]
          default: always
  max_parallel:
    description: How many requests are sent at the same time, over one kept-alive connection pool.
    type: int
    default: 8
  exclusive_tag:
    description:
      - Marks the notes this task owns. Every active note visible to the API user that carries this tag
        and matches no element of O(items) is disabled.
      - When an element could not be matched (an ambiguous name or code, a failed list), nothing is disabled
        and a warning says why.
    type: str
seealso:
  - module: segura.pam.mysafe_note
notes:
  - The role C(segura.pam.mysafe_api_secrets) applies its lists with these bulk modules.
  - The API user needs C(can_edit) on a note (or must own it) to update, disable or enable it.
"""

EXAMPLES = r"""
- name: Keep the platform's notes as code
  segura.pam.mysafe_notes:
    exclusive_tag: platform
    items:
      - name: Break-glass procedure
        note: "{{ lookup('ansible.builtin.file', 'break-glass.txt') }}"
        tags: [platform]
      - name: On-call rota
        note: See the wiki.
        update_note: on_create
      - identifier: 7
        state: absent
  register: applied

- name: Show what was done
  ansible.builtin.debug:
    var: applied.summary
"""

RETURN = r"""
results:
  description:
    - One entry per element of O(items), in the same order.
    - Each has the element's selector as given (C(identifier) or C(name)), the server's C(identifier) (null for a
      note that would be created in check mode), C(operation) (V(created), V(updated), V(enabled),
      V(disabled), V(unchanged), or null when it failed), C(changed), C(failed) and C(msg) (the failure,
      never a secret).
  returned: always
  type: list
  elements: dict
  sample:
    - {name: On-call rota, identifier: 7, operation: created, changed: true, failed: false, msg: ""}
excluded:
  description:
    - The notes disabled because they carry O(exclusive_tag) and match no element, with C(identifier),
      C(name), C(operation), C(changed), C(failed) and C(msg).
  returned: always
  type: list
  elements: dict
summary:
  description: How many elements (and notes disabled by O(exclusive_tag)) ended in each operation, and failed.
  returned: always
  type: dict
  sample: {created: 1, updated: 2, enabled: 0, disabled: 1, unchanged: 96, failed: 0}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import NOTE
from ansible_collections.segura.pam.plugins.module_utils._module import run_bulk_module


def main():
    run_bulk_module(NOTE)


if __name__ == "__main__":
    main()
