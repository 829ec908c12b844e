#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_note_info
short_description: Read MySafe notes from Segura
version_added: 0.2.0
description:
  - Reads one MySafe note of a Segura (formerly senhasegura) PAM server by O(identifier) or by O(name), or lists
    the notes the API user can see, optionally filtered.
  - The content (C(note)) is masked unless O(reveal_secret=true).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.read_only
  - segura.pam.mysafe_info
options:
  identifier:
    description: Read the note with this id. Fails when it does not exist or the API user has no access.
    type: int
  name:
    description:
      - Given alone, read the note with exactly this name; it must match exactly one visible note (several
        fail the task, naming their identifiers).
      - With O(tag), a filter of the list instead.
    type: str
seealso:
  - module: segura.pam.mysafe_note
  - plugin: segura.pam.mysafe_note
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Read note 12 (content masked)
  segura.pam.mysafe_note_info:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    identifier: 12
  register: note12

- name: Read a note by its name, with its content (keep it out of the logs)
  segura.pam.mysafe_note_info:
    name: Payments break-glass procedure
    reveal_secret: true
  no_log: true
  register: break_glass

- name: List the notes tagged runbook
  segura.pam.mysafe_note_info:
    tag: runbook
  register: runbooks

- name: Show their names and whether they are enabled
  ansible.builtin.debug:
    msg: "{{ runbooks.notes | map(attribute='name') | zip(runbooks.notes | map(attribute='active')) }}"
"""

RETURN = r"""
note:
  description:
    - The note selected by O(identifier), or by O(name) alone, normalised; C(note) (the content) masked unless
      O(reveal_secret=true).
    - A disabled note has only C(identifier) and C(active=false).
    - Shaped as RV(segura.pam.mysafe_note#module:note) of M(segura.pam.mysafe_note), where a sample is shown.
  returned: when O(identifier) or O(name) alone is set
  type: dict
notes:
  description:
    - The listed notes, by id, in the same shape as RV(note) (disabled ones with C(active=false) and their
      C(name)).
    - With O(details=false), the list's summary of each (C(identifier), C(name), C(tags), C(can_view),
      C(can_write), C(need_justify), C(need_approval)).
  returned: when listing (O(tag), O(tag) with O(name), or no option)
  type: list
  elements: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import NOTE
from ansible_collections.segura.pam.plugins.module_utils._module import run_info_module


def main():
    run_info_module(NOTE)


if __name__ == "__main__":
    main()
