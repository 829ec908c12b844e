#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pam_device_info
short_description: Read PAM Core devices from Segura
version_added: 0.2.0
description:
  - Reads one PAM Core device of a Segura (formerly senhasegura) PAM server by O(id) or O(hostname), or lists
    the devices the A2A application can see, filtered exactly on O(site), O(type), O(vendor), O(model) and
    O(tag) (all that are given must hold; Segura's device list takes no filters, so they apply on this side).
  - One device is read in full (domains and connectivities included); a list shows what Segura's list shows.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.pam
  - segura.pam.attributes.read_only
options:
  id:
    description: Read the device with this id.
    type: int
  hostname:
    description: Read the device with exactly this name.
    type: str
  site:
    description: List the devices of this site.
    type: str
  type:
    description: List the devices of this type.
    type: str
  vendor:
    description: List the devices of this vendor.
    type: str
  model:
    description: List the devices of this model.
    type: str
  tag:
    description: List the devices that carry this tag.
    type: str
seealso:
  - module: segura.pam.pam_device
"""

EXAMPLES = r"""
- name: Every database of DC1
  segura.pam.pam_device_info:
    site: DC1
    type: Database
  register: databases

- name: One device, in full
  segura.pam.pam_device_info:
    hostname: db-01
  register: db01
"""

RETURN = r"""
device:
  description: The device selected by O(id) or O(hostname); C(active) is false when it is deactivated.
  returned: when O(id) or O(hostname) is given
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
    tags: [db]
    connectivities: [SSH:22]
    active: true
devices:
  description: The devices that match every filter given (all visible devices when none is), as Segura's list
    shows them (id, hostname, address, type, vendor, model, site, tags, active).
  returned: when neither O(id) nor O(hostname) is given
  type: list
  elements: dict
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import DEVICE
from ansible_collections.segura.pam.plugins.module_utils._module import run_info_module


def main():
    run_info_module(DEVICE)


if __name__ == "__main__":
    main()
