# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: pam_inventory
short_description: Hosts from the devices of Segura PAM Core
version_added: 0.2.0
description:
  - Makes an inventory of the PAM Core devices of a Segura (formerly senhasegura) PAM server that the A2A
    application can see. Each device becomes a host. Its hostname (or its address, see O(hostnames)) is the
    C(inventory_hostname), its address is C(ansible_host), and the host variable C(segura_device) holds what
    Segura's device list shows of it.
  - With O(credentials=true), the host variable C(segura_credentials) lists the password credentials of the
    device (matched by hostname), from Segura's credential list. That list holds no password and reading it
    takes no credential into custody, so the inventory never holds a password and its cache never holds one.
  - Passwords are read when a play needs them, by the M(segura.pam.pam_credential) lookup, in a host or group
    variable whose value is the lookup's template (see the examples and C(docs/inventory.md)).
  - One request lists the devices and, with O(credentials=true), one lists the credentials, whatever the
    number of hosts; a refresh served from the cache makes no request.
  - "The inventory file's name must end in C(segura.yml) or C(segura.yaml), or the file must say
    C(plugin: segura.pam.pam_inventory)."
  - Takes the connection options from the inventory file, the environment and C(ansible.cfg); an inventory
    source has no host or play variables, so C(segura_url) and the other connection variables do not apply.
    Use the A2A application's OAuth2 client id and secret, with PAM Core read permission.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - segura.pam.connection
  - segura.pam.connection.INVENTORY
options:
  plugin:
    description: The name of this plugin; marks the file as its inventory source.
    type: str
    required: true
    choices: [segura.pam.pam_inventory]
  hostnames:
    description:
      - What names a device's host, in order of preference; the first that the device has is used.
      - V(hostname) is the device's hostname in Segura, V(address) its IP address, DNS name or URL.
      - A device with none of them is left out; of two devices with the same name, the first listed is kept.
        A warning says how many were left out, and why.
    type: list
    elements: str
    choices: [hostname, address]
    default: [hostname]
  filters:
    description:
      - Only the devices that match every filter given, exactly (case and blanks count).
      - Segura's device list takes no filters, so they apply on this side, to the one list request.
    type: dict
    default: {}
    suboptions:
      site:
        description: The device's site.
        type: str
      type:
        description: The device's type, for example C(Linux) or C(Database).
        type: str
      vendor:
        description: The device's vendor.
        type: str
      model:
        description: The device's model.
        type: str
      tags:
        description: Tags the device must all have (it may have more).
        type: list
        elements: str
  include_inactive:
    description:
      - Keep the devices (and, with O(credentials=true), the credentials) that Segura lists as inactive.
      - The C(active) key of C(segura_device) tells them apart. It is V(false) only when Segura's list says
        so; servers that hide inactive devices do not list them, whatever this option says.
    type: bool
    default: false
  credentials:
    description:
      - Add the host variable C(segura_credentials) to every host, the password credentials of its device
        (C(id), C(identifier), C(username), C(credential_type)), from one more list request.
      - The list holds no password and takes no custody; SSH keys are not in it.
    type: bool
    default: false
notes:
  - The cache (O(cache=true)) holds what the two lists show of each device and credential, and nothing else,
    never a password, key, token or client secret.
  - Host variables from Segura are marked unsafe, so a device field that looks like a template is never
    rendered.
seealso:
  - plugin: segura.pam.pam_credential
    plugin_type: lookup
  - module: segura.pam.pam_device_info
"""

EXAMPLES = r"""
# inventory/segura.yml: every Linux server of DC1, in groups by site and by type.
# The connection comes from SEGURA_URL, SEGURA_CLIENT_ID and SEGURA_CLIENT_SECRET (or ansible.cfg's
# [segura] section); ansible-inventory -i inventory/segura.yml --graph shows the result.
plugin: segura.pam.pam_inventory
filters:
  site: DC1
  type: Linux
keyed_groups:
  - key: segura_device.site
    prefix: site
  - key: segura_device.type | lower
    prefix: type
groups:
  production: "'production' in segura_device.tags"

---
# inventory/segura.yml: log in with the credentials Segura holds, reading a password only for the hosts a
# play reaches. compose runs when the inventory is built, so it sets only values that need no secret:
# ansible_user comes from the credential list. The password must not be a compose entry (that would read
# every host's password at inventory time): it goes into group_vars as the lookup's template (below),
# which Ansible renders only when a task on that host needs it.
plugin: segura.pam.pam_inventory
credentials: true
compose:
  # with strict: false (the default), a host without credentials simply gets no ansible_user
  ansible_user: segura_credentials[0].username

# inventory/group_vars/all.yml, beside inventory/segura.yml: rendered lazily, host by host, by the lookup
# (one token for the whole run; each read takes that credential into the A2A application's custody).
# ansible_password: "{{ lookup('segura.pam.pam_credential', segura_credentials[0].identifier) }}"
# ansible_become_password: "{{ lookup('segura.pam.pam_credential', segura_credentials[0].identifier) }}"

---
# inventory/pam.yml: hosts named by address, inactive devices kept, and the lists cached for an hour in
# JSON files (the cache holds the device and credential lists only, never a secret).
plugin: segura.pam.pam_inventory
hostnames: [address, hostname]
include_inactive: true
credentials: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/segura-inventory
cache_timeout: 3600
segura_url: https://segura.example.com
segura_ca_path: /etc/pki/segura-ca.pem
"""

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.plugins.loader import lookup_loader
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL, DEVICE
from ansible_collections.segura.pam.plugins.module_utils._options import client_from_options
from ansible_collections.segura.pam.plugins.module_utils._pam import PamApi, matches
from ansible_collections.segura.pam.plugins.plugin_utils.lookup_connection import set_connection_options

display = Display()

# What the inventory keeps of each listed item: the host variables, and all the cache holds.
DEVICE_FIELDS = ("id", "hostname", "address", "type", "vendor", "model", "site", "tags", "active")
CREDENTIAL_FIELDS = ("id", "identifier", "username", "credential_type")
# a credential's hostname and active flag place it; they are not shown in segura_credentials
CREDENTIAL_ROW_FIELDS = CREDENTIAL_FIELDS + ("hostname", "active")
FILTERS = ("site", "type", "vendor", "model", "tags")
PLUGIN_LINE = re.compile(r"""^plugin:\s*["']?segura\.pam\.pam_inventory["']?\s*(#.*)?$""")


def kept(row, fields):
    return {field: row.get(field) for field in fields}


def checked_filters(filters):
    """The filters given, with ``tags`` as a list; AnsibleParserError on an unknown one."""
    if not isinstance(filters, dict):
        raise AnsibleParserError("filters must be a mapping of %s." % ", ".join(FILTERS))
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise AnsibleParserError("filters: unknown %s. Filter on %s." % (", ".join(unknown), ", ".join(FILTERS)))
    given = {name: value for name, value in filters.items() if value is not None}
    if "tags" in given and not isinstance(given["tags"], list):
        given["tags"] = [given["tags"]]
    return given


def wanted(device, filters):
    """Every filter holds: fields exactly, and each tag is one of the device's."""
    tags = filters.get("tags", [])
    fields = {name: str(value) for name, value in filters.items() if name != "tags"}
    return matches(device, fields) and all(matches(device, {"tag": str(tag)}) for tag in tags)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "segura.pam.pam_inventory"

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        if path.endswith(("segura.yml", "segura.yaml")):
            return True
        if not path.endswith((".yml", ".yaml")):
            return False
        with open(path, encoding="utf-8", errors="replace") as source:
            return any(PLUGIN_LINE.match(line.rstrip()) for line in source)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        config = self._read_config_data(path)
        filters = checked_filters(self.get_option("filters") or {})
        with_credentials = self.get_option("credentials")
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        rows = None
        if use_cache and cache:
            try:
                rows = self._cache[cache_key]
            except KeyError:
                pass
        if rows is None or (with_credentials and rows.get("credentials") is None):
            rows = self._listed(config, with_credentials)
            if use_cache:
                self._cache[cache_key] = rows
        self._populate(rows, filters, with_credentials)
        if with_credentials:
            # Loaded here, in the controller's main process, the lookup that reads these credentials is
            # inherited by every forked worker instead of being imported (collection metadata and all) by each
            # worker for each host: what makes a per-host password lookup cheap.
            lookup_loader.get("segura.pam.pam_credential")

    def _listed(self, config, with_credentials):
        """{"devices": rows, "credentials": rows or None}: one list request per kind, the fields kept only."""
        try:
            set_connection_options(self, None, config)
            client = client_from_options(self.get_option, warn=display.warning)
        except errors.SeguraError as error:
            raise AnsibleParserError("%s: %s" % (self.NAME, error))
        try:
            devices = [kept(row, DEVICE_FIELDS) for row in PamApi(client, DEVICE).list()]
            credentials = ([kept(row, CREDENTIAL_ROW_FIELDS) for row in PamApi(client, CREDENTIAL).list()]
                           if with_credentials else None)
        except errors.SeguraError as error:
            raise AnsibleParserError("%s: %s" % (self.NAME, error))
        finally:
            client.close()
        return {"devices": devices, "credentials": credentials}

    def _host_name(self, device):
        return next((device[field] for field in self.get_option("hostnames") if device.get(field)), None)

    def _populate(self, rows, filters, with_credentials):
        include_inactive = self.get_option("include_inactive")
        strict = self.get_option("strict")
        by_hostname = {}
        for credential in rows.get("credentials") or ():
            if include_inactive or credential.get("active") is not False:
                by_hostname.setdefault(credential.get("hostname"), []).append(kept(credential, CREDENTIAL_FIELDS))
        unnamed, duplicates, named = 0, [], set()
        for device in rows["devices"]:
            if (not include_inactive and device.get("active") is False) or not wanted(device, filters):
                continue
            name = self._host_name(device)
            if not name:
                unnamed += 1
                continue
            if name in named:
                duplicates.append(name)
                continue
            named.add(name)
            self.inventory.add_host(name)
            host_vars = {"segura_device": device}
            if device.get("address"):
                host_vars["ansible_host"] = device["address"]
            if with_credentials:
                host_vars["segura_credentials"] = by_hostname.get(device.get("hostname"), [])
            for variable, value in host_vars.items():
                # Segura's data is never a template
                self.inventory.set_variable(name, variable, wrap_var(value))
            variables = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
        if unnamed:
            display.warning("%s: %d device(s) have none of %s, and are left out."
                            % (self.NAME, unnamed, ", ".join(self.get_option("hostnames"))))
        if duplicates:
            display.warning("%s: more than one device is named %s by %s; the first listed is kept."
                            % (self.NAME, ", ".join(sorted(set(duplicates))), ", ".join(self.get_option("hostnames"))))
