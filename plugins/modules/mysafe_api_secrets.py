#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_api_secrets
short_description: Keep many MySafe API secrets in the wanted state in one task
version_added: 0.2.0
description:
  - Applies a list of MySafe API secrets of a Segura (formerly senhasegura) PAM server, each with the rules of
    M(segura.pam.mysafe_api_secret) (only changed fields sent, check and diff mode, ambiguous writes settled by
    reading again), in one task and in parallel over one connection pool with one access token.
  - Before any request, every element is checked (its fields, that it selects a secret, that no secret is listed
    twice); a problem fails the task naming the elements by index and selector, and nothing is sent.
  - Selectors are resolved with one list of the secrets the API user can see. The list does not carry
    identifier codes, so elements selected by O(items[].identifier_code) are resolved by reading every visible
    secret when the API user sees at most twice as many secrets as there are elements (plus ten), a code found
    on none being new; otherwise by one filtered list per code. No secret is read twice in one run.
  - Every element is attempted even when others fail; the task fails at the end, listing the failed elements.
  - With O(exclusive_tag), every active secret visible to the API user that carries that tag and matches no element
    is disabled (and reported in check mode).
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
      - The API secrets, each with the options of M(segura.pam.mysafe_api_secret) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    required: true
    suboptions:
        identifier:
          description:
            - The server's numeric id of the secret. Selects an existing secret; it cannot be chosen on creation.
            - Without O(items[].identifier) and O(items[].identifier_code), the secret is matched by O(items[].name) among the secrets the
              API user can see; none matching creates it, several matching fail the task.
          type: int
        identifier_code:
          description:
            - The owner's unique code of the secret. Selects the secret when O(items[].identifier) is not set (and is stored
              on creation); with O(items[].identifier) it is a field to set.
          type: str
        name:
          description: Name of the secret. Required to create one.
          type: str
        url:
          description: URL of the site where the API secret is used, with its scheme. Required to create a secret.
          type: str
        client_id:
          description: Client ID of the application. Required to create a secret.
          type: str
        client_secret:
          description:
            - The secret itself. Never shown in output, logs or diffs.
            - See O(items[].update_secret) to set it only when the secret is created.
          type: str
        tags:
          description: Keywords of the secret. Order and duplicates do not matter.
          type: list
          elements: str
        notes:
          description: Observations about the secret.
          type: str
        method:
          description:
            - HTTP method of the API call the secret is used for, one of C(get), C(post), C(put), C(patch),
              C(delete), C(head) or C(options), in any case (sent in lower case).
          type: str
        users_allowed:
          description:
            - The exact list of users the secret is shared with (order does not matter). Users not listed lose access;
              V([]) removes every user. The owner's own access is implicit.
          type: list
          elements: dict
          suboptions:
            username:
              description: Segura user name.
              type: str
              required: true
            can_edit:
              description: Whether the user may update, disable and enable the secret; otherwise view only.
              type: bool
              default: false
        groups_allowed:
          description: The exact list of groups the secret is shared with (order does not matter).
          type: list
          elements: dict
          suboptions:
            name:
              description: Segura group name.
              type: str
              required: true
            can_edit:
              description: Whether the group's members may update, disable and enable the secret.
              type: bool
              default: false
        state:
          description:
            - V(present) creates or updates the secret, and enables it if it is disabled.
            - V(absent) disables it. A secret that is missing or already disabled is not a change.
          type: str
          choices: [present, absent]
          default: present
        update_secret:
          description:
            - V(always) sets O(items[].client_secret) whenever it differs from the stored one.
            - V(on_create) sets it only when the secret is created and never overwrites an existing one (for secrets
              rotated elsewhere).
          type: str
          choices: [always, on_create]
          default: always
  max_parallel:
    description: How many requests are sent at the same time, over one kept-alive connection pool.
    type: int
    default: 8
  exclusive_tag:
    description:
      - Marks the secrets this task owns. Every active secret visible to the API user that carries this tag and
        matches no element of O(items) is disabled.
      - Reading the tags of the other visible secrets costs one read each, since the list does not carry tags.
      - When an element could not be matched (an ambiguous name or code, a failed list), nothing is disabled
        and a warning says why.
    type: str
seealso:
  - module: segura.pam.mysafe_api_secret
notes:
  - The role C(segura.pam.mysafe_api_secrets) applies its lists with these bulk modules.
  - The API user needs C(can_edit) on a secret (or must own it) to update, disable or enable it.
"""

EXAMPLES = r"""
- name: Keep the platform's API secrets as code
  segura.pam.mysafe_api_secrets:
    max_parallel: 8
    exclusive_tag: platform
    items:
      - identifier_code: payments-gcp
        name: GCP payments
        url: https://gcp.example.com
        client_id: gf455f7g8fb5dfg8fd545bffbv
        client_secret: "{{ vault_gcp_client_secret }}"
        tags: [platform, payments]
      - identifier_code: crm
        name: CRM
        url: https://crm.example.com
        client_id: crm-app
        client_secret: "{{ vault_crm_secret }}"
        update_secret: on_create
        tags: [platform]
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
    - Each has the element's selector as given (C(identifier), C(identifier_code) or C(name)), the server's
      C(identifier) (null for a secret that would be created in check mode), C(operation) (V(created),
      V(updated), V(enabled), V(disabled), V(unchanged), or null when it failed), C(changed), C(failed) and
      C(msg) (the failure, never a secret).
  returned: always
  type: list
  elements: dict
  sample:
    - {identifier_code: payments-gcp, identifier: 43, operation: updated, changed: true, failed: false, msg: ""}
excluded:
  description:
    - The secrets disabled because they carry O(exclusive_tag) and match no element, with C(identifier), C(name),
      C(operation), C(changed), C(failed) and C(msg).
  returned: always
  type: list
  elements: dict
summary:
  description: How many elements (and secrets disabled by O(exclusive_tag)) ended in each operation, and failed.
  returned: always
  type: dict
  sample: {created: 1, updated: 2, enabled: 0, disabled: 1, unchanged: 96, failed: 0}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.module_utils._module import run_bulk_module


def main():
    run_bulk_module(API_SECRET)


if __name__ == "__main__":
    main()
