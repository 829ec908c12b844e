# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: pam_ssh_key
short_description: Read PAM Core SSH keys from Segura, e.g. for ansible_ssh_private_key_file
version_added: 0.2.0
description:
  - Returns the private key (or another field, see O(field)) of each PAM Core SSH key named by the terms, in the
    order of the terms.
  - Terms are SSH key ids or identifiers; with O(by=auto), the default, digits are an id and other text an
    identifier.
  - Segura documents no custody for SSH key reads.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.connection.plugins
  - segura.pam.lookup
options:
  _terms:
    description: Ids or identifiers of the SSH keys.
    required: true
    type: list
    elements: str
  by:
    description: What the terms are; V(auto) tells by each term's form.
    type: str
    choices: [auto, id, identifier]
    default: auto
  field:
    description:
      - The field of each key to return. V(all) returns the key as a dict (C(id), C(identifier), C(hostname),
        C(address), C(username), C(key_name), C(private_key), C(passphrase), C(public_key), C(tags), C(devices),
        C(active)).
    type: str
    default: private_key
    choices: [private_key, public_key, passphrase, username, all]
notes:
  - PAM Core takes the OAuth2 client of an A2A application whose authorization includes the PAM Core resource.
  - The values are unsafe text. Private keys keep the line ends Segura stores (C(\r\n) in its examples).
seealso:
  - module: segura.pam.pam_ssh_key
"""

EXAMPLES = r"""
- name: Write the deploy key for this run only
  ansible.builtin.copy:
    content: "{{ lookup('segura.pam.pam_ssh_key', 'web-deploy-key') | replace('\r\n', '\n') }}\n"
    dest: "{{ runtime_dir }}/deploy_key"
    mode: "0600"
  no_log: true

- name: Its public key, for authorized_keys
  ansible.posix.authorized_key:
    user: deploy
    key: "{{ lookup('segura.pam.pam_ssh_key', 'web-deploy-key', field='public_key') }}"
"""

RETURN = r"""
_raw:
  description: One value per term, in the order of the terms (terms left out by V(warn) or V(skip) excepted).
  type: list
  elements: raw
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import SSH_KEY
from ansible_collections.segura.pam.plugins.plugin_utils.mysafe_lookup import MySafeLookup


class LookupModule(MySafeLookup):
    KIND = SSH_KEY
