#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_credential_custody
short_description: Release the custody of PAM Core credentials in Segura
version_added: 0.2.0
description:
  - Reading a PAM Core credential's password (the segura.pam.pam_credential lookup, M(segura.pam.pam_credential)
    with C(update_password=always), M(segura.pam.pam_credential_info) with C(reveal_secret)) takes it into the A2A
    application's custody in Segura, an audited check-out that stays until it is released. This module releases
    it.
  - When the credential rotates automatically, releasing its custody may make Segura change the password.
  - A credential the application does not hold in custody (Segura's error 1018) is not a change.
  - Every term is resolved (with one list request) before anything is released.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.pam
options:
  credentials:
    description: The credentials, as ids, identifiers or C(username@hostname) (see O(by)).
    type: list
    elements: str
    required: true
  by:
    description: What the items of O(credentials) are; V(auto) tells by each one's form (digits are an id, text
      with C(@) is C(username@hostname), other text an identifier).
    type: str
    choices: [auto, id, identifier, username_at_hostname]
    default: auto
  state:
    description: V(released), the only state; the application holds none of the credentials afterwards.
    type: str
    choices: [released]
    default: released
attributes:
  check_mode:
    support: full
    details: Segura shows no one who holds custody, so check mode reports every selected credential as one it
      would release.
  diff_mode:
    support: none
seealso:
  - plugin: segura.pam.pam_credential
    plugin_type: lookup
  - module: segura.pam.pam_credential
notes:
  - Releasing custody is a write for Segura; it needs the A2A authorization's PAM permission C(Read and write)
    (error 1039 otherwise).
"""

EXAMPLES = r"""
- name: Use a password, then give it back
  block:
    - name: Run the migration as the database admin
      ansible.builtin.command: /opt/app/migrate
      environment:
        PGPASSWORD: "{{ lookup('segura.pam.pam_credential', 'db-01-dbadmin') }}"
      no_log: true
  always:
    - name: Release the custody the read took (Segura may rotate the password)
      segura.pam.pam_credential_custody:
        credentials: [db-01-dbadmin]
"""

RETURN = r"""
credentials:
  description: One entry per item of O(credentials), in order.
  returned: always
  type: list
  elements: dict
  contains:
    term:
      description: The item as given.
      type: str
    id:
      description: The credential's id.
      type: int
    released:
      description: Whether custody was released (false when the application did not hold it).
      type: bool
  sample:
    - {term: db-01-dbadmin, id: 152, released: true}
"""

from ansible_collections.segura.pam.plugins.module_utils._module import run_custody_module


def main():
    run_custody_module()


if __name__ == "__main__":
    main()
