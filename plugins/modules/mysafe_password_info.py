#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_password_info
short_description: Read MySafe passwords from Segura
version_added: 0.2.0
description:
  - Reads one MySafe password of a Segura (formerly senhasegura) PAM server by O(identifier) or by O(name), or
    lists the passwords the API user can see (its own and those shared with it), optionally filtered.
  - The C(password), the TOTP C(secret_key) and the current TOTP code C(token) are masked unless
    O(reveal_secret=true).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.read_only
  - segura.pam.mysafe_info
options:
  identifier:
    description:
      - Read the password with this id. Fails when it does not exist or the API user has no access.
      - Cannot be combined with O(name), O(tag), O(username) or O(url).
    type: int
  name:
    description:
      - Alone, read the one visible password with exactly this name; none, or several (for example one per
        account), fail the task, naming the identifiers of those found.
      - With O(tag), O(username) or O(url), a filter of the list instead.
    type: str
  username:
    description: List only the passwords of exactly this user name.
    type: str
  url:
    description: List only the passwords with exactly this URL.
    type: str
seealso:
  - module: segura.pam.mysafe_password
  - plugin: segura.pam.mysafe_password
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Read password 12 (password, secret_key and token masked)
  segura.pam.mysafe_password_info:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    identifier: 12
  register: entry

- name: Read a password by its name, with its values (keep them out of the logs)
  segura.pam.mysafe_password_info:
    name: Payments database
    reveal_secret: true
  no_log: true
  register: payments_db

- name: List the passwords of the svc_payments account
  segura.pam.mysafe_password_info:
    username: svc_payments
  register: svc_payments

- name: List the names of the passwords tagged database, in one request
  segura.pam.mysafe_password_info:
    tag: database
    details: false
  register: databases

- name: Show them
  ansible.builtin.debug:
    msg: "{{ databases.passwords | map(attribute='name') }}"
"""

RETURN = r"""
password:
  description:
    - The password selected by O(identifier) or O(name), normalised.
    - C(password), C(secret_key) and C(token) are masked unless O(reveal_secret=true), and are empty strings
      when they hold nothing (C(secret_key) and C(token) without a TOTP seed).
    - A disabled password has only C(identifier) and C(active=false).
    - Shaped as RV(segura.pam.mysafe_password#module:password) of M(segura.pam.mysafe_password), where a sample is shown.
  returned: when O(identifier) or O(name) alone is set
  type: dict
passwords:
  description:
    - The listed passwords, by id, in the same shape as RV(password) (disabled ones with C(identifier), C(name),
      C(username) and C(active=false)).
    - With O(details=false), the list's summary of each (C(identifier), C(name), C(username), C(url), C(tags),
      C(can_view), C(can_write), C(need_justify), C(need_approval)).
  returned: when listing
  type: list
  elements: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import PASSWORD
from ansible_collections.segura.pam.plugins.module_utils._module import run_info_module


def main():
    run_info_module(PASSWORD)


if __name__ == "__main__":
    main()
