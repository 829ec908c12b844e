# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mysafe_password
short_description: Read MySafe password values and TOTP codes from Segura
version_added: 0.2.0
description:
  - Returns the C(password) (or another field, see O(field), such as the current TOTP code C(token)) of each
    MySafe password named by the terms, in the order of the terms.
  - Terms are the passwords' identifiers, or their names with O(by=name).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.connection.plugins
  - segura.pam.lookup
options:
  _terms:
    description: Identifiers (default) or names of the passwords.
    required: true
    type: list
    elements: str
  by:
    description:
      - What the terms are.
      - With V(name), each term must match exactly (case included) the name of one password visible to the API
        user (the owner's passwords and those shared with it); several matches, for example one per account,
        fail the lookup, naming their identifiers.
    type: str
    choices: [identifier, name]
    default: identifier
  field:
    description:
      - The field of each password to return.
      - V(token) is the current TOTP code, computed by Segura from the stored C(secret_key) when the password is
        read; an empty string when no seed is stored.
      - V(all) returns the whole normalised password as a dict (C(identifier), C(name), C(username),
        C(password), C(url), C(secret_key), C(token), C(notes), C(tags), C(users_allowed), C(groups_allowed),
        C(active)).
    type: str
    default: password
    choices: [password, username, url, token, name, notes, tags, secret_key, identifier, all]
notes:
  - A TOTP code is valid for its 30-second step only; read it in the task that uses it.
seealso:
  - module: segura.pam.mysafe_password
  - module: segura.pam.mysafe_password_info
"""

EXAMPLES = r"""
- name: Log in with the password of entry 12 (connection from SEGURA_* or segura_* variables)
  ansible.builtin.uri:
    url: https://app.example.com/login
    method: POST
    body_format: json
    body:
      username: "{{ lookup('segura.pam.mysafe_password', 12, field='username') }}"
      password: "{{ lookup('segura.pam.mysafe_password', 12) }}"
      otp: "{{ lookup('segura.pam.mysafe_password', 12, field='token') }}"
  no_log: true

- name: Several passwords at once, as a list in the order of the terms
  ansible.builtin.set_fact:
    db_passwords: "{{ query('segura.pam.mysafe_password', 12, 14, 15) }}"
  no_log: true

- name: By name, leaving out disabled ones with a warning
  ansible.builtin.debug:
    msg: "{{ query('segura.pam.mysafe_password', 'Payments database', 'CRM', by='name', on_inactive='warn') | length }}"

- name: The whole entry as a dict
  ansible.builtin.debug:
    msg: "{{ lookup('segura.pam.mysafe_password', 12, field='all').url }}"
"""

RETURN = r"""
_raw:
  description:
    - One value per term, in the order of the terms (terms left out by V(warn) or V(skip) excepted).
    - A string for the text fields, a list for C(tags), an integer for C(identifier), a dict with O(field=all).
  type: list
  elements: raw
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import PASSWORD
from ansible_collections.segura.pam.plugins.plugin_utils.mysafe_lookup import MySafeLookup


class LookupModule(MySafeLookup):
    KIND = PASSWORD
