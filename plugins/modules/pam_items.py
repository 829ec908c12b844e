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
    names are deactivated. PAM Core has no owners or shares, so every item the A2A application sees with the tag
    counts as the task's own, so choose a tag that only this task uses. A deactivated device takes every
    credential and SSH key on it along; check and diff mode list them (C(deactivates)) before anything happens.
    Credentials have no exclusive tag, since no Segura answer shows a credential's tags.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.pam
options:
  # BEGIN generated from the options of pam_device, pam_credential, pam_ssh_key by scripts/generate_docs.py
  devices:
    description:
      - The devices, each with the options of M(segura.pam.pam_device) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    default: []
    suboptions:
      hostname:
        description: The device's name in Segura; it selects the device, and names a new one.
        type: str
        required: true
      address:
        description:
          - The device's address (IP, DNS name or URL); Segura's C(ip).
          - Required, with O(devices[].type), O(devices[].vendor), O(devices[].model) and O(devices[].site),
            to create a device.
        type: str
        aliases:
          - ip
      type:
        description: Device type (C(Server), C(Database), ...); Segura creates a type it does not know.
        type: str
      vendor:
        description: Vendor; Segura creates a vendor it does not know.
        type: str
      model:
        description: Model (product); Segura creates a model it does not know.
        type: str
      site:
        description: Site; Segura creates a site it does not know.
        type: str
      domains:
        description:
          - The device's domains. Each must already be registered in Segura (error 1029 otherwise).
          - Compared as a set. V([]) removes every domain.
        type: list
        elements: str
        aliases:
          - device_domain
          - domain
      tags:
        description: The device's tags, compared as a set. V([]) removes every tag.
        type: list
        elements: str
        aliases:
          - device_tags
      connectivities:
        description:
          - The device's connectivities, each C(PROTOCOL:PORT) (C(SSH:22), C(HTTPS:443)), checked before
            anything is sent. Compared as a set, the protocol's case ignored.
        type: list
        elements: str
      state:
        description:
          - V(present) creates or updates the device, and activates it when it is deactivated (its
            credentials stay deactivated).
          - V(absent) deactivates it, and with it every credential and SSH key on it.
        type: str
        choices: [present, absent]
        default: present
  credentials:
    description:
      - The credentials, each with the options of M(segura.pam.pam_credential) (connection options
        excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description:
          - The credential's identifier, the string the user chooses (letters, digits, C(.), C(_),
            C(-); checked before anything is sent). It selects the credential; a new credential gets
            it.
          - Given with a O(credentials[].username) that differs from the stored one, it renames the
            credential's user.
        type: str
      id:
        description: Select the credential by the server's id (when O(credentials[].identifier) is
          not given).
        type: int
        aliases:
          - id_credential
      username:
        description:
          - The account's user name. With O(credentials[].hostname), selects the credential when neither
            O(credentials[].identifier) nor O(credentials[].id) is given. Required, with O(credentials[].hostname)
            and O(credentials[].address), to create a credential.
        type: str
      hostname:
        description: The name of the credential's device in Segura (see M(segura.pam.pam_device)).
        type: str
        aliases:
          - device_hostname
      address:
        description: The address of the credential's device (its C(ip) in Segura); it must match the
          device's.
        type: str
        aliases:
          - ip
          - device_address
      password:
        description:
          - The password. Never shown in output, logs or diffs.
          - Set on create; on an existing credential only with O(credentials[].update_password=always).
        type: str
        aliases:
          - content
      credential_type:
        description: The credential type (C(Local User), C(Local Administrator), C(Domain User)...);
          Segura creates a type it does not know, and uses C(Local User) when none is given.
        type: str
        aliases:
          - type
      domain:
        description: The credential's domain; it must be registered in Segura (error 1029 otherwise).
        type: str
      additional:
        description: Additional information.
        type: str
        aliases:
          - additional_info
      tags:
        description: The credential's tags. No Segura answer shows them, so they are written on create
          and with any other change, never compared.
        type: list
        elements: str
      parent_credential:
        description: The id of the parent credential, whose password this one takes.
        type: str
        aliases:
          - parent_password
      state:
        description:
          - V(present) creates or updates the credential, and activates it when it is deactivated.
          - V(absent) deactivates it.
        type: str
        choices: [present, absent]
        default: present
      update_password:
        description:
          - V(on_create) sets O(credentials[].password) only when the credential is created, and compares
            only what the list shows (no custody).
          - V(always) reads the stored password (taking custody) and writes O(credentials[].password)
            when it differs.
        type: str
        choices: [always, on_create]
        default: on_create
  ssh_keys:
    description:
      - The SSH keys, each with the options of M(segura.pam.pam_ssh_key) (connection options excepted).
      - Secret values inside the elements are never shown in output, logs or diffs.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description: The SSH key's identifier (letters, digits, C(.), C(_), C(-)); it selects the key,
          and names a new one.
        type: str
        required: true
      hostname:
        description: The name of the key's main device in Segura. Required, with O(ssh_keys[].address),
          to create a key.
        type: str
      address:
        description: The address of the key's main device (its C(ip) in Segura); it must match the
          device's.
        type: str
        aliases:
          - ip
      username:
        description: The user the key logs in as (Segura uses C(usr) when none is given).
        type: str
      key_name:
        description: A free name of the key.
        type: str
      private_key:
        description:
          - The private key (OpenSSH or PEM text). Never shown in output, logs or diffs. Required to
            create a key.
          - Set on create; on an existing key only with O(ssh_keys[].update_private_key=always).
        type: str
      passphrase:
        description: The private key's passphrase. Never shown. Written and compared with O(ssh_keys[].private_key).
        type: str
        aliases:
          - password
      public_key:
        description: The public key line (C(ssh-ed25519 AAAA... comment)). Required to create a key;
          written and compared with O(ssh_keys[].private_key).
        type: str
      tags:
        description: The key's tags, compared as a set.
        type: list
        elements: str
      devices:
        description: The hostnames of more devices the key is linked to, compared as a set. Devices
          that do not exist are reported in a warning.
        type: list
        elements: str
      state:
        description:
          - V(present) creates or updates the key, and activates it when it is deactivated.
          - V(absent) deactivates it.
        type: str
        choices: [present, absent]
        default: present
      update_private_key:
        description:
          - V(on_create) sets the key pair (O(ssh_keys[].private_key), O(ssh_keys[].passphrase), O(ssh_keys[].public_key))
            only when the key is created.
          - V(always) compares the stored pair with them and writes them when they differ.
        type: str
        choices: [always, on_create]
        default: on_create
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
