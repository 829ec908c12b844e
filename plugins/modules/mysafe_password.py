#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_password
short_description: Create, update, disable and enable MySafe passwords in Segura
version_added: 0.2.0
description:
  - Keeps one MySafe password of a Segura (formerly senhasegura) PAM server in the wanted state, TOTP seed
    included.
  - The module reads the current password, compares it field by field, and sends one update with only the
    fields that differ. When nothing differs it writes nothing and reports C(changed=false).
  - Options that are left out leave those fields as they are on the server.
  - Segura has no deletion of passwords; O(state=absent) disables the password.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.mysafe_item
  - segura.pam.mysafe_item.password
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: O(password) and O(secret_key) are shown only as a fixed mask, followed by C((changed)) when they
      would change.
seealso:
  - module: segura.pam.mysafe_password_info
  - plugin: segura.pam.mysafe_password
    plugin_type: lookup
notes:
  - The selected API user needs C(can_edit) on the password (or must own it) to update, disable or enable it.
  - Two passwords may share a name, for example one per account. Give O(username) to tell them apart, or
    select by O(identifier).
"""

EXAMPLES = r"""
- name: Create the database service password with its TOTP seed (or leave it as it is)
  segura.pam.mysafe_password:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    name: Payments database
    username: svc_payments
    password: "{{ vault_payments_db_password }}"
    url: db01.example.com:5432
    secret_key: "{{ vault_payments_totp_seed }}"
    tags: [database, payments]
  register: payments_db

- name: Set the connection once for every module of the collection
  module_defaults:
    group/segura.pam.mysafe:
      segura_url: https://segura.example.com
      segura_client_id: "{{ vault_segura_client_id }}"
      segura_client_secret: "{{ vault_segura_client_secret }}"
  block:
    - name: Rotate the password of entry 12
      segura.pam.mysafe_password:
        identifier: 12
        password: "{{ new_password }}"

    - name: Share with alice (may edit) and the devops group (view only); nobody else
      segura.pam.mysafe_password:
        name: Payments database
        username: svc_payments
        users_allowed:
          - username: alice
            can_edit: true
        groups_allowed:
          - name: devops

    - name: Keep a password rotated elsewhere, but create the entry if missing
      segura.pam.mysafe_password:
        name: Legacy CRM
        username: crm
        password: "{{ initial_crm_password }}"
        update_password: on_create

    - name: Preview a change without writing anything
      segura.pam.mysafe_password:
        identifier: 12
        url: db02.example.com:5432
      check_mode: true
      diff: true
      register: preview

    - name: Disable a password (Segura has no deletion)
      segura.pam.mysafe_password:
        identifier: 12
        state: absent
"""

RETURN = r"""
operation:
  description:
    - What the task did (or, in check mode, would do) - V(created), V(updated), V(enabled), V(disabled) or
      V(unchanged). A disabled password that is enabled and also has fields updated reports V(updated).
  returned: always
  type: str
  sample: updated
identifier:
  description: The server's id of the password. Null when a password would be created in check mode.
  returned: always
  type: int
  sample: 12
password:
  description:
    - The password entry as stored after the task (as it would be, in check mode), in the collection's
      normalised shape.
    - C(password), C(secret_key) and C(token) (the current TOTP code) are masked when they hold a value, and are
      empty strings when they do not. Null when the password is missing, or disabled and cannot be read.
  returned: always
  type: dict
  sample:
    identifier: 12
    name: Payments database
    username: svc_payments
    password: "********"
    url: db01.example.com:5432
    secret_key: "********"
    token: "********"
    notes: ""
    tags: [database, payments]
    users_allowed: [{username: alice, can_edit: true}]
    groups_allowed: [{name: devops, can_edit: false}]
    active: true
diff:
  description:
    - Before and after of every compared field (and of C(active) when it changes). C(password) and
      C(secret_key) appear only as a mask.
  returned: always
  type: dict
  sample:
    before: {url: db01.example.com:5432, password: "********"}
    after: {url: db02.example.com:5432, password: "******** (changed)"}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import PASSWORD
from ansible_collections.segura.pam.plugins.module_utils._module import run_item_module


def main():
    run_item_module(PASSWORD)


if __name__ == "__main__":
    main()
