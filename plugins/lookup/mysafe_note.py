# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mysafe_note
short_description: Read MySafe note contents from Segura
version_added: 0.2.0
description:
  - Returns the content (or another field, see O(field)) of each MySafe note named by the terms, in the order
    of the terms.
  - Terms are the notes' identifiers, or their names with O(by=name).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.connection.plugins
  - segura.pam.lookup
options:
  _terms:
    description: Identifiers (default) or names of the notes.
    required: true
    type: list
    elements: str
  by:
    description:
      - What the terms are.
      - With V(name), each term must match exactly one note visible to the API user (the owner's notes and those
        shared with it), by its exact name, case included; several matches fail the lookup, naming their
        identifiers.
    type: str
    choices: [identifier, name]
    default: identifier
  field:
    description:
      - The field of each note to return. V(note) is the content.
      - V(all) returns the whole normalised note as a dict (C(identifier), C(name), C(note), C(tags),
        C(users_allowed), C(groups_allowed), C(active)).
    type: str
    default: note
    choices: [note, name, tags, identifier, all]
notes:
  - Several notes with the same name fail the term whatever O(on_missing) says; select them by identifier.
seealso:
  - module: segura.pam.mysafe_note_info
  - module: segura.pam.mysafe_note
"""

EXAMPLES = r"""
- name: Write the content of note 12 to a file (connection from SEGURA_* or segura_* variables)
  ansible.builtin.copy:
    content: "{{ lookup('segura.pam.mysafe_note', 12) }}"
    dest: /etc/motd.d/break-glass
    mode: "0600"
  no_log: true

- name: By name, several at once, as a list in the order of the terms
  ansible.builtin.set_fact:
    runbooks: "{{ query('segura.pam.mysafe_note', 'Payments break-glass procedure', 'On-call diary', by='name') }}"
  no_log: true

- name: The tags of a note, leaving out a disabled one with a warning
  ansible.builtin.debug:
    msg: "{{ lookup('segura.pam.mysafe_note', 12, field='tags', on_inactive='warn') }}"

- name: The whole note as a dict
  ansible.builtin.debug:
    msg: "{{ lookup('segura.pam.mysafe_note', 12, field='all').name }}"
"""

RETURN = r"""
_raw:
  description:
    - One value per term, in the order of the terms (terms left out by V(warn) or V(skip) excepted).
    - A string for C(note) and C(name), a list for C(tags), an integer for C(identifier), a dict with O(field=all).
  type: list
  elements: raw
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import NOTE
from ansible_collections.segura.pam.plugins.plugin_utils.mysafe_lookup import MySafeLookup


class LookupModule(MySafeLookup):
    KIND = NOTE
