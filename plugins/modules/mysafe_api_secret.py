#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_api_secret
short_description: Create, update, disable and enable MySafe API secrets in Segura
version_added: 0.1.0
description:
  - Keeps one MySafe API secret of a Segura (formerly senhasegura) PAM server in the wanted state.
  - The module reads the current secret, compares it field by field, and sends one update with only the
    fields that differ. When nothing differs it writes nothing and reports C(changed=false).
  - Options that are left out leave those fields as they are on the server.
  - Segura has no deletion of API secrets; O(state=absent) disables the secret.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.mysafe_item
  - segura.pam.mysafe_item.api_secret
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: O(client_secret) is shown only as a fixed mask, followed by C((changed)) when it would change.
seealso:
  - module: segura.pam.mysafe_api_secret_info
  - plugin: segura.pam.mysafe_api_secret
    plugin_type: lookup
notes:
  - The selected API user needs C(can_edit) on the secret (or must own it) to update, disable or enable it.
"""

EXAMPLES = r"""
- name: Create an API secret (or leave it as it is when nothing differs)
  segura.pam.mysafe_api_secret:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    identifier_code: payments-gcp
    name: GCP payments
    url: https://gcp.example.com
    client_id: gf455f7g8fb5dfg8fd545bffbv
    client_secret: "{{ vault_gcp_client_secret }}"
    tags: [cloud, payments]
    method: get
  register: gcp

- name: Set the connection once for every module of the collection
  module_defaults:
    group/segura.pam.mysafe:
      segura_url: https://segura.example.com
      segura_client_id: "{{ vault_segura_client_id }}"
      segura_client_secret: "{{ vault_segura_client_secret }}"
  block:
    - name: Update only the notes of secret 43
      segura.pam.mysafe_api_secret:
        identifier: 43
        notes: Rotated by the platform team

    - name: Share with alice (may edit) and the devops group (view only); nobody else
      segura.pam.mysafe_api_secret:
        identifier_code: payments-gcp
        users_allowed:
          - username: alice
            can_edit: true
        groups_allowed:
          - name: devops

    - name: Keep a secret rotated elsewhere, but create it if missing
      segura.pam.mysafe_api_secret:
        name: Legacy CRM
        url: https://crm.example.com
        client_id: crm-app
        client_secret: "{{ initial_crm_secret }}"
        update_secret: on_create

    - name: Preview a change without writing anything
      segura.pam.mysafe_api_secret:
        identifier_code: payments-gcp
        url: https://gcp-new.example.com
      check_mode: true
      diff: true
      register: preview

    - name: Disable a secret (Segura has no deletion)
      segura.pam.mysafe_api_secret:
        identifier_code: payments-gcp
        state: absent
"""

RETURN = r"""
operation:
  description:
    - What the task did (or, in check mode, would do) - V(created), V(updated), V(enabled), V(disabled) or
      V(unchanged). A disabled secret that is enabled and also has fields updated reports V(updated).
  returned: always
  type: str
  sample: updated
identifier:
  description: The server's id of the secret. Null when a secret would be created in check mode.
  returned: always
  type: int
  sample: 43
api_secret:
  description:
    - The secret as stored after the task (as it would be, in check mode), in the collection's normalised shape.
    - O(client_secret) is masked. Null when the secret is missing, or disabled and cannot be read.
  returned: always
  type: dict
  sample:
    identifier: 43
    name: GCP payments
    url: https://gcp.example.com
    client_id: gf455f7g8fb5dfg8fd545bffbv
    client_secret: "********"
    identifier_code: payments-gcp
    method: get
    tags: [cloud, payments]
    notes: ""
    users_allowed: [{username: alice, can_edit: true}]
    groups_allowed: [{name: devops, can_edit: false}]
    active: true
diff:
  description: Before and after of every compared field (and of C(active) when it changes).
  returned: always
  type: dict
  sample:
    before: {url: https://gcp.example.com, client_secret: "********"}
    after: {url: https://gcp-new.example.com, client_secret: "******** (changed)"}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.module_utils._module import run_item_module


def main():
    run_item_module(API_SECRET)


if __name__ == "__main__":
    main()
