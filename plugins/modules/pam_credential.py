#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_credential
short_description: Create, update, deactivate and activate PAM Core credentials (privileged passwords) in Segura
version_added: 0.2.0
description:
  - Keeps one PAM Core credential (a privileged account's password on a device) of a Segura (formerly
    senhasegura) PAM server in the wanted state.
  - The credential is selected by O(identifier), else by O(id), else by O(username) and O(hostname), as
    Segura's own create-or-update does.
  - B(Reading a credential's password takes it into the A2A application's custody) in Segura (an audited
    check-out; releasing it, with M(segura.pam.pam_credential_custody), may make Segura rotate the password).
    So the module reads the password only when it must compare it (O(update_password=always)); otherwise it
    decides from Segura's credential list, which shows no password and takes no custody.
  - "What is compared when: O(identifier), O(username), O(hostname), O(address) and O(credential_type) always
    (the list shows them); O(password), O(additional), O(domain) and O(parent_credential) only with
    O(update_password=always), whose read takes custody; O(tags) never (no Segura answer shows a credential's
    tags). A field that cannot be compared is never reported as a change: it is written with the next change,
    and a warning names it."
  - Options that are left out leave those fields as they are on the server. When nothing differs the module
    writes nothing and reports C(changed=false).
  - The credential's device (O(hostname) and O(address)) must exist; a missing one fails the task naming it,
    and nothing is stored. Create it first with M(segura.pam.pam_device).
  - Segura never deletes a credential; O(state=absent) deactivates it.
  - It replaces C(senhasegura.pam.senhasegura_credential) of senhasegura.pam 1.0.0, whose option names it takes
    as aliases (C(segura.pam.senhasegura_credential) is routed here, with a deprecation warning); see
    docs/migrating.md.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.senhasegura_aliases
  - segura.pam.attributes
  - segura.pam.attributes.pam
options:
  identifier:
    description:
      - The credential's identifier, the string the user chooses (letters, digits, C(.), C(_), C(-); checked
        before anything is sent). It selects the credential; a new credential gets it.
      - Given with a O(username) that differs from the stored one, it renames the credential's user.
    type: str
  id:
    description: Select the credential by the server's id (when O(identifier) is not given).
    type: int
    aliases: [id_credential]
  username:
    description:
      - The account's user name. With O(hostname), selects the credential when neither O(identifier) nor O(id)
        is given. Required, with O(hostname) and O(address), to create a credential.
    type: str
  hostname:
    description: The name of the credential's device in Segura (see M(segura.pam.pam_device)).
    type: str
    aliases: [device_hostname]
  address:
    description: The address of the credential's device (its C(ip) in Segura); it must match the device's.
    type: str
    aliases: [ip, device_address]
  password:
    description:
      - The password. Never shown in output, logs or diffs.
      - Set on create; on an existing credential only with O(update_password=always).
    type: str
    aliases: [content]
  credential_type:
    description: The credential type (C(Local User), C(Local Administrator), C(Domain User)...); Segura creates a
      type it does not know, and uses C(Local User) when none is given.
    type: str
    aliases: [type]
  domain:
    description: The credential's domain; it must be registered in Segura (error 1029 otherwise).
    type: str
  additional:
    description: Additional information.
    type: str
    aliases: [additional_info]
  tags:
    description: The credential's tags. No Segura answer shows them, so they are written on create and with any
      other change, never compared.
    type: list
    elements: str
  parent_credential:
    description: The id of the parent credential, whose password this one takes.
    type: str
    aliases: [parent_password]
  state:
    description:
      - V(present) creates or updates the credential, and activates it when it is deactivated.
      - V(absent) deactivates it.
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - V(on_create) sets O(password) only when the credential is created, and compares only what the list
        shows (no custody).
      - V(always) reads the stored password (taking custody) and writes O(password) when it differs.
    type: str
    choices: [always, on_create]
    default: on_create
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: O(password) is shown only as a fixed mask, followed by C((changed)) when it would change.
seealso:
  - module: segura.pam.pam_credential_info
  - module: segura.pam.pam_credential_custody
  - module: segura.pam.pam_device
  - plugin: segura.pam.pam_credential
    plugin_type: lookup
notes:
  - PAM Core takes the OAuth2 client of an A2A application whose authorization includes the PAM Core resource.
    Writes need its PAM permission set to C(Read and write) (error 1039 otherwise); check mode needs only read.
"""

EXAMPLES = r"""
- name: The database's admin account, its password set once
  segura.pam.pam_credential:
    identifier: db-01-dbadmin
    username: dbadmin
    hostname: db-01
    address: 10.20.0.7
    credential_type: Local Administrator
    password: "{{ vault_dbadmin_initial_password }}"
  module_defaults:
    group/segura.pam.pam:
      segura_url: https://segura.example.com
      segura_client_id: "{{ vault_pam_client_id }}"
      segura_client_secret: "{{ vault_pam_client_secret }}"

- name: Enforce the password on every run (reads it, which takes custody)
  segura.pam.pam_credential:
    identifier: db-01-dbadmin
    password: "{{ vault_dbadmin_password }}"
    update_password: always

- name: Deactivate it
  segura.pam.pam_credential:
    identifier: db-01-dbadmin
    state: absent
"""

RETURN = r"""
operation:
  description: What the task did (would do, in check mode).
  returned: always
  type: str
  choices: [created, updated, enabled, disabled, unchanged]
  sample: created
id:
  description: The server's id of the credential. Null when one would be created in check mode.
  returned: always
  type: int
  sample: 152
identifier:
  description: The credential's identifier (Segura makes one, a UUID, when none is given; older versions none).
  returned: always
  type: str
  sample: db-01-dbadmin
credential:
  description:
    - The credential as known after the task (as it would be, in check mode), its password masked. Fields that
      no answer showed are absent. Null when it is missing, or deactivated.
  returned: always
  type: dict
  sample:
    id: 152
    identifier: db-01-dbadmin
    username: dbadmin
    hostname: db-01
    address: 10.20.0.7
    credential_type: Local Administrator
    password: "********"
    active: true
diff:
  description: Before and after of every compared field (and of C(active) when it changes); the password masked.
  returned: always
  type: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL
from ansible_collections.segura.pam.plugins.module_utils._module import run_item_module


def main():
    run_item_module(CREDENTIAL)


if __name__ == "__main__":
    main()
