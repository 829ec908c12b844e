#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_items
short_description: Keep many PAM Core devices, credentials and SSH keys of Segura in the wanted state in one task
version_added: 0.2.0
description:
  - Applies lists of PAM Core devices, credentials and SSH keys of a Segura (formerly senhasegura) PAM server
    in one task, with one access token and up to O(max_parallel) requests at once. Each element takes the
    options of M(segura.pam.pam_device), M(segura.pam.pam_credential) or M(segura.pam.pam_ssh_key) and is
    applied by the same engine, with the same rules (only the fields that differ are written, check and diff
    mode, ambiguous writes settled by reading again).
  - Every element of every list is checked before any request; one invalid element fails the task, naming each
    invalid element, and nothing is sent.
  - The devices are applied first, then the credentials and the SSH keys, which need their device to exist.
  - One list answer per kind resolves every element (Segura's lists carry the hostnames and identifiers that
    select them). Devices are then read once each (the list lacks domains and connectivities); credentials are
    compared with what the list shows, and read (taking custody) only with C(update_password=always).
  - A failed element does not stop the others; the task then fails at the end, listing the failed elements.
  - With O(exclusive_tags), the active devices or SSH keys that carry the tag and that no element of their list
    names are deactivated. PAM Core has no owners or shares: every item the A2A application sees with the tag
    counts as the task's own, so choose a tag that only this task uses. A deactivated device takes every
    credential and SSH key on it along; check and diff mode list them (C(deactivates)) before anything happens.
    Credentials have no exclusive tag: no Segura answer shows a credential's tags.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.pam
options:
  # BEGIN generated from the options of pam_device, pam_credential, pam_ssh_key by scripts/generate_docs.py
  # END generated
  exclusive_tags:
    description:
      - A tag per list that marks the items this task owns. The active items of that list that carry the tag and
        that no element names are deactivated (see the description).
    type: dict
    suboptions:
      devices:
        description: The tag of the devices this task owns (devices' tags are in Segura's device list).
        type: str
      ssh_keys:
        description: The tag of the SSH keys this task owns (each visible SSH key is read to see its tags).
        type: str
  max_parallel:
    description: How many requests to send at once.
    type: int
    default: 8
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: One diff per element that changes; secrets are masked.
seealso:
  - module: segura.pam.pam_device
  - module: segura.pam.pam_credential
  - module: segura.pam.pam_ssh_key
"""

EXAMPLES = r"""
- name: A site's devices and their credentials, as code
  segura.pam.pam_items:
    devices:
      - {hostname: web-01, address: 10.0.1.11, type: Server, vendor: Canonical, model: Ubuntu 24.04, site: DC1}
      - {hostname: web-02, address: 10.0.1.12, type: Server, vendor: Canonical, model: Ubuntu 24.04, site: DC1}
    credentials:
      - {identifier: web-01-deploy, username: deploy, hostname: web-01, address: 10.0.1.11,
         password: "{{ vault_web01_deploy }}"}
      - {identifier: web-02-deploy, username: deploy, hostname: web-02, address: 10.0.1.12,
         password: "{{ vault_web02_deploy }}"}
    exclusive_tags:
      devices: managed-by-ansible
  module_defaults:
    group/segura.pam.pam:
      segura_url: https://segura.example.com
      segura_client_id: "{{ vault_pam_client_id }}"
      segura_client_secret: "{{ vault_pam_client_secret }}"
"""

RETURN = r"""
devices:
  description: What happened to the devices.
  returned: always
  type: dict
  contains:
    results:
      description: One entry per element, in order; its selector as given, C(id), C(operation), C(changed),
        C(failed) and C(msg).
      type: list
      elements: dict
    excluded:
      description: The devices deactivated (or that would be) by O(exclusive_tags.devices).
      type: list
      elements: dict
    summary:
      description: How many elements were created, updated, enabled, disabled, unchanged or failed.
      type: dict
  sample:
    results:
      - {hostname: web-01, id: 7, operation: created, changed: true, failed: false, msg: ""}
    excluded: []
    summary: {created: 1, updated: 0, enabled: 0, disabled: 0, unchanged: 0, failed: 0}
credentials:
  description: What happened to the credentials, as for RV(devices).
  returned: always
  type: dict
ssh_keys:
  description: What happened to the SSH keys, as for RV(devices).
  returned: always
  type: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import PAM_KINDS
from ansible_collections.segura.pam.plugins.module_utils._module import run_items_module


def main():
    run_items_module(PAM_KINDS)


if __name__ == "__main__":
    main()
