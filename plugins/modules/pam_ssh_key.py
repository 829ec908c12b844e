#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_ssh_key
short_description: Create, update, deactivate and activate PAM Core SSH keys in Segura
version_added: 0.2.0
description:
  - Keeps one PAM Core SSH key of a Segura (formerly senhasegura) PAM server in the wanted state. Segura updates
    an SSH key by its O(identifier) only, so the module selects it by that.
  - The module finds the key in Segura's credential list (SSH keys appear there), reads it (which takes no
    custody), compares field by field and sends one write with only what differs, together with the fields
    that find the same key again. When nothing differs it writes nothing and reports C(changed=false).
  - When O(private_key) and O(public_key) are both given, the module checks that they belong together before
    anything is sent (with the Python library C(cryptography) where the module runs; without it, the check is
    skipped).
  - Segura never deletes an SSH key; O(state=absent) deactivates it.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.pam
options:
  identifier:
    description: The SSH key's identifier (letters, digits, C(.), C(_), C(-)); it selects the key, and names a new
      one.
    type: str
    required: true
  hostname:
    description: The name of the key's main device in Segura. Required, with O(address), to create a key.
    type: str
  address:
    description: The address of the key's main device (its C(ip) in Segura); it must match the device's.
    type: str
    aliases: [ip]
  username:
    description: The user the key logs in as (Segura uses C(usr) when none is given).
    type: str
  key_name:
    description: A free name of the key.
    type: str
  private_key:
    description:
      - The private key (OpenSSH or PEM text). Never shown in output, logs or diffs. Required to create a key.
      - Set on create; on an existing key only with O(update_private_key=always).
    type: str
  passphrase:
    description: The private key's passphrase. Never shown. Written and compared with O(private_key).
    type: str
    aliases: [password]
  public_key:
    description: The public key line (C(ssh-ed25519 AAAA... comment)). Required to create a key; written and
      compared with O(private_key).
    type: str
  tags:
    description: The key's tags, compared as a set.
    type: list
    elements: str
  devices:
    description: The hostnames of more devices the key is linked to, compared as a set. Devices that do not
      exist are reported in a warning.
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
      - V(on_create) sets the key pair (O(private_key), O(passphrase), O(public_key)) only when the key is created.
      - V(always) compares the stored pair with them and writes them when they differ.
    type: str
    choices: [always, on_create]
    default: on_create
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: O(private_key) and O(passphrase) are shown only as a fixed mask, followed by C((changed)) when they
      would change.
seealso:
  - module: segura.pam.pam_device
  - plugin: segura.pam.pam_ssh_key
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: The deploy key of the web servers
  segura.pam.pam_ssh_key:
    identifier: web-deploy-key
    hostname: web-01
    address: 10.0.1.11
    username: deploy
    private_key: "{{ lookup('ansible.builtin.file', 'keys/deploy') }}"
    public_key: "{{ lookup('ansible.builtin.file', 'keys/deploy.pub') }}"
    devices: [web-02, web-03]
    tags: [deploy]
  module_defaults:
    group/segura.pam.pam:
      segura_url: https://segura.example.com
      segura_client_id: "{{ vault_pam_client_id }}"
      segura_client_secret: "{{ vault_pam_client_secret }}"
"""

RETURN = r"""
operation:
  description: What the task did (would do, in check mode).
  returned: always
  type: str
  choices: [created, updated, enabled, disabled, unchanged]
  sample: created
id:
  description: The server's id of the key. Null when one would be created in check mode.
  returned: always
  type: int
  sample: 92
identifier:
  description: The key's identifier.
  returned: always
  type: str
  sample: web-deploy-key
ssh_key:
  description: The key as stored after the task (as it would be, in check mode), its private key and passphrase
    masked. Null when it is missing, or deactivated.
  returned: always
  type: dict
  sample:
    id: 92
    identifier: web-deploy-key
    hostname: web-01
    address: 10.0.1.11
    username: deploy
    private_key: "********"
    public_key: ssh-ed25519 AAAAC3Nza... deploy@ci
    tags: [deploy]
    devices: [web-02, web-03]
    active: true
diff:
  description: Before and after of every compared field (and of C(active) when it changes); secrets masked.
  returned: always
  type: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import SSH_KEY
from ansible_collections.segura.pam.plugins.module_utils._module import run_item_module


def main():
    run_item_module(SSH_KEY)


if __name__ == "__main__":
    main()
