#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mysafe_api_secret_info
short_description: Read MySafe API secrets from Segura
version_added: 0.1.0
description:
  - Reads one MySafe API secret of a Segura (formerly senhasegura) PAM server by O(identifier) or
    O(identifier_code), or lists the secrets the API user can see, optionally filtered.
  - The C(client_secret) is masked unless O(reveal_secret=true).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.read_only
  - segura.pam.mysafe_info
options:
  identifier:
    description: Read the secret with this id. Fails when it does not exist or the API user has no access.
    type: int
  identifier_code:
    description:
      - Without O(identifier), read the secret with this code (it must match exactly one visible secret).
      - With O(tag) or O(name), a filter of the list instead.
    type: str
  name:
    description: List only the secrets with exactly this name.
    type: str
seealso:
  - module: segura.pam.mysafe_api_secret
  - plugin: segura.pam.mysafe_api_secret
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Read secret 43 (client_secret masked)
  segura.pam.mysafe_api_secret_info:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    identifier: 43
  register: gcp

- name: Read a secret by its code, with its value (keep it out of the logs)
  segura.pam.mysafe_api_secret_info:
    identifier_code: payments-gcp
    reveal_secret: true
  no_log: true
  register: payments

- name: List the secrets tagged cloud
  segura.pam.mysafe_api_secret_info:
    tag: cloud
  register: cloud

- name: Show their names and whether they are enabled
  ansible.builtin.debug:
    msg: "{{ cloud.api_secrets | map(attribute='name') | zip(cloud.api_secrets | map(attribute='active')) }}"
"""

RETURN = r"""
api_secret:
  description:
    - The secret selected by O(identifier) or O(identifier_code), normalised.
    - A disabled secret has only C(identifier) and C(active=false).
    - Shaped as RV(segura.pam.mysafe_api_secret#module:api_secret) of M(segura.pam.mysafe_api_secret), where a sample is shown.
  returned: when O(identifier) or O(identifier_code) alone is set
  type: dict
api_secrets:
  description:
    - The listed secrets, by id, in the same shape as RV(api_secret) (disabled ones with C(active=false)).
    - With O(details=false), the list's summary of each (C(identifier), C(name), C(can_view), C(can_write),
      C(need_justify), C(need_approval)).
  returned: when listing
  type: list
  elements: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.module_utils._module import run_info_module


def main():
    run_info_module(API_SECRET)


if __name__ == "__main__":
    main()
