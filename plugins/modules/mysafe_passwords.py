#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_passwords
short_description: Keep many MySafe passwords in the wanted state in one task
version_added: 0.2.0
description:
  - Applies a list of MySafe passwords of a Segura (formerly senhasegura) PAM server, each with the rules of
    M(segura.pam.mysafe_password) (only changed fields sent, check and diff mode, ambiguous writes settled by
    reading again), in one task and in parallel over one connection pool with one access token.
  - Before any request, every element is checked (its fields, that it selects a password, that no password is
    listed twice); a problem fails the task naming the elements by index and selector, and nothing is sent.
  - Selectors are resolved with one list of the passwords the API user can see; an element selected by
    O(items[].name) (with O(items[].username) when set) matches exactly. No password is read twice in one run.
  - Every element is attempted even when others fail; the task fails at the end, listing the failed elements.
  - With O(exclusive_tag), every active password visible to the API user that carries that tag and matches no
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
      - The passwords, each with the options of M(segura.pam.mysafe_password) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    required: true
    suboptions:
        identifier:
          description:
            - The server's numeric id of the password. Selects an existing password; it cannot be chosen on creation.
            - Without O(items[].identifier), the password is matched by O(items[].name), and by O(items[].username) too when it is set, among
              the passwords the API user can see (its own and those shared with it). The match is exact (case
              included). None matching creates the password, several matching fail the task naming their identifiers.
            - With O(items[].identifier), O(items[].name) and O(items[].username) are fields to set.
          type: int
        name:
          description: Name of the password entry. Required to create one; may not be empty.
          type: str
        username:
          description: The user name the password belongs to. Required to create a password; may not be empty.
          type: str
        password:
          description:
            - The password itself. Required to create a password. Never shown in output, logs or diffs.
            - See O(items[].update_password) to set it only when the password is created.
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
            - V(always) sets O(items[].password) whenever it differs from the stored one.
            - V(on_create) sets it only when the password entry is created and never overwrites an existing one (for
              passwords rotated elsewhere). The other fields, O(items[].secret_key) included, are still updated.
          type: str
          choices: [always, on_create]
          default: always
  max_parallel:
    description: How many requests are sent at the same time, over one kept-alive connection pool.
    type: int
    default: 8
  exclusive_tag:
    description:
      - Marks the passwords this task owns. Every active password visible to the API user that carries this tag
        and matches no element of O(items) is disabled.
      - When an element could not be matched (an ambiguous name or code, a failed list), nothing is disabled
        and a warning says why.
    type: str
seealso:
  - module: segura.pam.mysafe_password
notes:
  - The role C(segura.pam.mysafe_api_secrets) applies its lists with these bulk modules.
  - The API user needs C(can_edit) on a password (or must own it) to update, disable or enable it.
"""

EXAMPLES = r"""
- name: Keep the platform's passwords as code
  segura.pam.mysafe_passwords:
    exclusive_tag: platform
    items:
      - name: db-service
        username: svc_db
        password: "{{ vault_db_password }}"
        url: db.example.com
        tags: [platform]
      - name: ci-bot
        username: ci
        password: "{{ vault_ci_password }}"
        secret_key: "{{ vault_ci_totp_seed }}"
        update_password: on_create
      - identifier: 51
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
    - Each has the element's selector as given (C(identifier), or C(name) and C(username)), the server's C(identifier) (null for a
      password that would be created in check mode), C(operation) (V(created), V(updated), V(enabled),
      V(disabled), V(unchanged), or null when it failed), C(changed), C(failed) and C(msg) (the failure,
      never a secret).
  returned: always
  type: list
  elements: dict
  sample:
    - {name: db-service, username: svc_db, identifier: 12, operation: updated, changed: true, failed: false, msg: ""}
excluded:
  description:
    - The passwords disabled because they carry O(exclusive_tag) and match no element, with C(identifier),
      C(name), C(operation), C(changed), C(failed) and C(msg).
  returned: always
  type: list
  elements: dict
summary:
  description: How many elements (and passwords disabled by O(exclusive_tag)) ended in each operation, and failed.
  returned: always
  type: dict
  sample: {created: 1, updated: 2, enabled: 0, disabled: 1, unchanged: 96, failed: 0}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import PASSWORD
from ansible_collections.segura.pam.plugins.module_utils._module import run_bulk_module


def main():
    run_bulk_module(PASSWORD)


if __name__ == "__main__":
    main()
