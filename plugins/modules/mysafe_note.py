#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_note
short_description: Create, update, disable and enable MySafe notes in Segura
version_added: 0.2.0
description:
  - Keeps one MySafe note of a Segura (formerly senhasegura) PAM server in the wanted state.
  - The module reads the current note, compares it field by field, and sends one update with only the
    fields that differ. When nothing differs it writes nothing and reports C(changed=false).
  - Options that are left out leave those fields as they are on the server.
  - Segura has no deletion of notes; O(state=absent) disables the note.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.mysafe_item
  - segura.pam.mysafe_item.note
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: O(note) is shown only as a fixed mask, followed by C((changed)) when it would change.
seealso:
  - module: segura.pam.mysafe_note_info
  - plugin: segura.pam.mysafe_note
    plugin_type: lookup
notes:
  - The selected API user needs C(can_edit) on the note (or must own it) to update, disable or enable it.
  - An access key set to return sensitive data encrypted gets the content in a form that cannot be compared;
    use O(update_note=on_create) with such keys. Segura is documented to fail reading long encrypted notes
    (HTTP 500 C(Ocorreu um erro ao criptografar o texto)); the task then fails with that message.
"""

EXAMPLES = r"""
- name: Create a note (or leave it as it is when nothing differs)
  segura.pam.mysafe_note:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    name: Payments break-glass procedure
    note: "{{ lookup('ansible.builtin.file', 'break-glass.txt') }}"
    tags: [payments, runbook]
  register: break_glass

- name: Set the connection once for every module of the collection
  module_defaults:
    group/segura.pam.mysafe:
      segura_url: https://segura.example.com
      segura_client_id: "{{ vault_segura_client_id }}"
      segura_client_secret: "{{ vault_segura_client_secret }}"
  block:
    - name: Rename note 12
      segura.pam.mysafe_note:
        identifier: 12
        name: Payments break-glass procedure (2026)

    - name: Share with alice (may edit) and the devops group (view only); nobody else
      segura.pam.mysafe_note:
        name: Payments break-glass procedure
        users_allowed:
          - username: alice
            can_edit: true
        groups_allowed:
          - name: devops

    - name: Create a note people edit in MySafe, without ever overwriting their text
      segura.pam.mysafe_note:
        name: On-call diary
        note: Started by Ansible
        update_note: on_create

    - name: Preview a change without writing anything
      segura.pam.mysafe_note:
        name: Payments break-glass procedure
        note: "{{ new_procedure }}"
      check_mode: true
      diff: true
      register: preview

    - name: Disable a note (Segura has no deletion)
      segura.pam.mysafe_note:
        name: Payments break-glass procedure
        state: absent
"""

RETURN = r"""
operation:
  description:
    - What the task did (or, in check mode, would do) - V(created), V(updated), V(enabled), V(disabled) or
      V(unchanged). A disabled note that is enabled and also has fields updated reports V(updated).
  returned: always
  type: str
  sample: updated
identifier:
  description: The server's id of the note. Null when a note would be created in check mode.
  returned: always
  type: int
  sample: 12
note:
  description:
    - The note as stored after the task (as it would be, in check mode), in the collection's normalised shape.
    - Its content (C(note)) is masked. Null when the note is missing, or disabled and cannot be read.
  returned: always
  type: dict
  sample:
    identifier: 12
    name: Payments break-glass procedure
    note: "********"
    tags: [payments, runbook]
    users_allowed: [{username: alice, can_edit: true}]
    groups_allowed: [{name: devops, can_edit: false}]
    active: true
diff:
  description: Before and after of every compared field (and of C(active) when it changes); C(note) masked.
  returned: always
  type: dict
  sample:
    before: {name: Payments break-glass procedure, note: "********"}
    after: {name: Payments break-glass procedure (2026), note: "******** (changed)"}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import NOTE
from ansible_collections.segura.pam.plugins.module_utils._module import run_item_module


def main():
    run_item_module(NOTE)


if __name__ == "__main__":
    main()
