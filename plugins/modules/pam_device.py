#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_device
short_description: Create, update, deactivate and activate PAM Core devices in Segura
version_added: 0.2.0
description:
  - Keeps one PAM Core device (a server, database or network appliance) of a Segura (formerly senhasegura)
    PAM server in the wanted state. Segura matches devices by O(hostname), the device's name.
  - The module reads the device list and the device (at most two reads), compares field by field, and sends
    one write with only the fields that differ. When nothing differs it writes nothing and reports
    C(changed=false).
  - Options that are left out leave those fields as they are on the server.
  - Segura never deletes a device; O(state=absent) deactivates it, and B(Segura then deactivates every
    credential and SSH key on it). Reactivating the device does not reactivate them. Check and diff mode list
    those credentials and keys (C(deactivates) in the diff) before anything happens.
  - Whether a device is active is not in Segura's documented answers; see the PAM guide (docs/pam.md, "Active
    or not") for how the module finds out, and the one server setup where it cannot.
  - It replaces C(senhasegura.pam.senhasegura_device) of senhasegura.pam 1.0.0, whose option names it takes as
    aliases (C(segura.pam.senhasegura_device) is routed here, with a deprecation warning); see docs/migrating.md.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.senhasegura_aliases
  - segura.pam.attributes
  - segura.pam.attributes.pam
options:
  hostname:
    description: The device's name in Segura; it selects the device, and names a new one.
    type: str
    required: true
  address:
    description:
      - The device's address (IP, DNS name or URL); Segura's C(ip).
      - Required, with O(type), O(vendor), O(model) and O(site), to create a device.
    type: str
    aliases: [ip]
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
    aliases: [device_domain, domain]
  tags:
    description: The device's tags, compared as a set. V([]) removes every tag.
    type: list
    elements: str
    aliases: [device_tags]
  connectivities:
    description:
      - The device's connectivities, each C(PROTOCOL:PORT) (C(SSH:22), C(HTTPS:443)), checked before anything
        is sent. Compared as a set, the protocol's case ignored.
    type: list
    elements: str
  state:
    description:
      - V(present) creates or updates the device, and activates it when it is deactivated (its credentials
        stay deactivated).
      - V(absent) deactivates it, and with it every credential and SSH key on it.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: With O(state=absent), C(deactivates) lists the credentials and SSH keys Segura deactivates with
      the device.
seealso:
  - module: segura.pam.pam_device_info
  - module: segura.pam.pam_credential
notes:
  - PAM Core takes the OAuth2 client of an A2A application (A2A > Applications) whose authorization includes the
    PAM Core resource. Writes need its PAM permission set to C(Read and write); error 1039 says it is read-only.
"""

EXAMPLES = r"""
- name: A database server, as code
  segura.pam.pam_device:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_pam_client_id }}"
    segura_client_secret: "{{ vault_pam_client_secret }}"
    hostname: db-01
    address: 10.20.0.7
    type: Database
    vendor: PostgreSQL
    model: PostgreSQL 15
    site: DC1
    tags: [db, payments]
    connectivities: [SSH:22, PostgreSQL:5432]

- name: Retire it (its credentials and keys are deactivated with it)
  segura.pam.pam_device:
    hostname: db-01
    state: absent
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
  sample: updated
id:
  description: The server's id of the device. Null when a device would be created in check mode.
  returned: always
  type: int
  sample: 41
device:
  description: The device as stored after the task (as it would be, in check mode). Null when it is missing.
  returned: always
  type: dict
  sample:
    id: 41
    hostname: db-01
    address: 10.20.0.7
    type: Database
    vendor: PostgreSQL
    model: PostgreSQL 15
    site: DC1
    domains: []
    tags: [db, payments]
    connectivities: [SSH:22, PostgreSQL:5432]
    active: true
diff:
  description: Before and after of every compared field (and of C(active) when it changes).
  returned: always
  type: dict
  sample:
    before: {active: true, deactivates: []}
    after: {active: false, deactivates: [{id: 12, identifier: app-db-admin, username: dbadmin, type: Local User}]}
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import DEVICE
from ansible_collections.segura.pam.plugins.module_utils._module import run_item_module


def main():
    run_item_module(DEVICE)


if __name__ == "__main__":
    main()
