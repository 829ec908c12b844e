#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_credential_info
short_description: Read PAM Core credentials from Segura
version_added: 0.2.0
description:
  - Reads one PAM Core credential of a Segura (formerly senhasegura) PAM server, selected by O(id), by
    O(identifier), or by O(username) and O(hostname) together; or lists the credentials the A2A application can
    see, filtered exactly on O(hostname), O(username) and O(credential_type) (all that are given must hold).
  - Lists and credentials read without O(reveal_secret) come from Segura's credential list, which never holds a
    password and takes no custody.
  - O(reveal_secret=true) reads the one selected credential's password, which B(takes it into the A2A
    application's custody) in Segura; release it with M(segura.pam.pam_credential_custody).
  - It replaces C(senhasegura.pam.senhasegura_credential_info) of senhasegura.pam 1.0.0, whose option names it
    takes as aliases; that module returned the password on every read, this one only with O(reveal_secret).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.senhasegura_aliases
  - segura.pam.attributes
  - segura.pam.attributes.pam
  - segura.pam.attributes.read_only
options:
  id:
    description: Read the credential with this id.
    type: int
    aliases: [id_credential]
  identifier:
    description: Read the credential with this identifier.
    type: str
  username:
    description: With O(hostname), read that credential; alone, list the credentials of this user name.
    type: str
  hostname:
    description: With O(username), read that credential; alone, list the credentials on this device.
    type: str
    aliases: [device_hostname]
  credential_type:
    description: List the credentials of this type.
    type: str
    aliases: [type]
  reveal_secret:
    description:
      - Return the selected credential's password (it takes custody). Only when one credential is selected.
    type: bool
    default: false
seealso:
  - module: segura.pam.pam_credential
  - module: segura.pam.pam_credential_custody
  - plugin: segura.pam.pam_credential
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Every credential on db-01, without passwords and without custody
  segura.pam.pam_credential_info:
    hostname: db-01
  register: db01

- name: One credential's password (takes custody)
  segura.pam.pam_credential_info:
    identifier: db-01-dbadmin
    reveal_secret: true
  register: dbadmin
  no_log: true
"""

RETURN = r"""
credential:
  description:
    - The selected credential. C(password) only with O(reveal_secret=true); C(active) false when it is
      deactivated.
  returned: when one credential is selected
  type: dict
  sample:
    id: 152
    identifier: db-01-dbadmin
    username: dbadmin
    hostname: db-01
    address: 10.20.0.7
    credential_type: Local Administrator
    active: true
credentials:
  description: The credentials that match every filter given (all visible ones when none is), as Segura's list
    shows them (id, identifier, username, hostname, address, credential_type, active); never a password.
  returned: when no option selects one credential
  type: list
  elements: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL
from ansible_collections.segura.pam.plugins.module_utils._module import run_info_module


def main():
    run_info_module(CREDENTIAL)


if __name__ == "__main__":
    main()
