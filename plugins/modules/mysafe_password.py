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
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: O(password) and O(secret_key) are shown only as a fixed mask, followed by C((changed)) when they
      would change.
options:
  identifier:
    description:
      - The server's numeric id of the password. Selects an existing password; it cannot be chosen on creation.
      - Without O(identifier), the password is matched by O(name), and by O(username) too when it is set, among
        the passwords the API user can see (its own and those shared with it). The match is exact (case
        included). None matching creates the password, several matching fail the task naming their identifiers.
      - With O(identifier), O(name) and O(username) are fields to set.
    type: int
  name:
    description: Name of the password entry. Required to create one; may not be empty.
    type: str
  username:
    description: The user name the password belongs to. Required to create a password; may not be empty.
    type: str
  password:
    description:
      - The password itself. Required to create a password; may not be empty. Never shown in output, logs or diffs.
      - See O(update_password) to set it only when the password is created.
    type: str
  url:
    description: Where the password is used. Free text (a URL, a host name, a path); not checked.
    type: str
  secret_key:
    description:
      - The TOTP seed (base32, as the service shows it under its QR code) from which Segura computes the current
        one-time code, returned as C(token) by M(segura.pam.mysafe_password_info) and by the
        P(segura.pam.mysafe_password#lookup) lookup with C(field=token).
      - Checked before anything is sent. Letters A-Z and digits 2-7; case, spaces and C(=) padding are
        allowed and are ignored when comparing with the stored seed, so V(jbsw y3dp ehpk 3pxp) and
        V(JBSWY3DPEHPK3PXP) are the same seed. A seed that is not base32 fails the task without showing it.
      - Sent as given when it differs. V("") sends an empty seed; how a server clears a seed is not documented.
      - Never shown in output, logs or diffs.
    type: str
  notes:
    description: Observations about the password.
    type: str
  tags:
    description: Keywords of the password. Order and duplicates do not matter.
    type: list
    elements: str
  users_allowed:
    description:
      - The exact list of users the password is shared with (order does not matter). Users not listed lose
        access; V([]) removes every user. The owner's own access is implicit.
    type: list
    elements: dict
    suboptions:
      username:
        description: Segura user name.
        type: str
        required: true
      can_edit:
        description: Whether the user may update, disable and enable the password; otherwise view only.
        type: bool
        default: false
  groups_allowed:
    description: The exact list of groups the password is shared with (order does not matter).
    type: list
    elements: dict
    suboptions:
      name:
        description: Segura group name.
        type: str
        required: true
      can_edit:
        description: Whether the group's members may update, disable and enable the password.
        type: bool
        default: false
  state:
    description:
      - V(present) creates or updates the password, and enables it if it is disabled.
      - V(absent) disables it. A password that is missing or already disabled is not a change.
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - V(always) sets O(password) whenever it differs from the stored one.
      - V(on_create) sets it only when the password entry is created and never overwrites an existing one (for
        passwords rotated elsewhere). The other fields, O(secret_key) included, are still updated.
    type: str
    choices: [always, on_create]
    default: always
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
