# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: pam_credential
short_description: Read PAM Core credentials (privileged passwords) from Segura, e.g. for ansible_password
version_added: 0.2.0
description:
  - Returns the password (or another field, see O(field)) of each PAM Core credential named by the terms, in
    the order of the terms. This is what C(ansible_password) and C(ansible_become_password) are set from.
  - "Terms are credential ids, identifiers, or C(username@hostname) (the account's user name and its device's
    name in Segura; the last C(@) splits, so a user name may hold one). With O(by=auto), the default: digits are
    an id, text with C(@) is C(username@hostname), other text an identifier."
  - B(Reading a password takes the credential into the A2A application's custody) in Segura (an audited
    check-out). Custody stays until it is released, with M(segura.pam.pam_credential_custody); when the
    credential rotates automatically, releasing it may make Segura change the password. O(field=username),
    V(hostname) and V(address) come from Segura's credential list and take no custody.
  - All terms of one call are resolved with one list request and read in parallel, with one access token.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.connection.plugins
  - segura.pam.lookup
options:
  _terms:
    description: Ids, identifiers or C(username@hostname) of the credentials (see O(by)).
    required: true
    type: list
    elements: str
  by:
    description:
      - What the terms are. V(auto) tells by each term's form (see the description).
      - A term that matches several visible credentials (one user name on two devices of the same name, say)
        fails the lookup, naming their ids.
    type: str
    choices: [auto, id, identifier, username_at_hostname]
    default: auto
  field:
    description:
      - The field of each credential to return. V(password) and V(all) read the credential, which takes custody.
      - V(all) returns the credential as a dict (C(id), C(identifier), C(username), C(hostname), C(address),
        C(password), C(credential_type), C(domain), C(additional), C(parent_credential), C(active)).
    type: str
    default: password
    choices: [password, username, hostname, address, all]
notes:
  - PAM Core takes the OAuth2 client (segura_client_id and segura_client_secret) of an A2A application whose
    authorization includes the PAM Core resource; reading needs only its read permission. A MySafe access key
    cannot read PAM Core.
  - "Set C(ansible_password) in host or group variables as a template string, for example
    C(ansible_password: \"{{ lookup('segura.pam.pam_credential', 'root@' ~ inventory_hostname) }}\"): Ansible
    renders it only when it connects to that host, so a password is read (and custody taken) only for the hosts
    a play reaches, once per host and task that connects. With the segura.pam.pam_inventory inventory, the
    credentials of each device are in C(segura_credentials)."
  - The values are unsafe text, so a password holding C({{) is never templated.
seealso:
  - module: segura.pam.pam_credential
  - module: segura.pam.pam_credential_info
  - module: segura.pam.pam_credential_custody
  - plugin: segura.pam.pam_inventory
    plugin_type: inventory
"""

EXAMPLES = r"""
# group_vars/linux.yml: log in and become with the credentials Segura holds and rotates.
# The strings are templates: each host's password is read when Ansible connects to it.
# ansible_user: root
# ansible_password: "{{ lookup('segura.pam.pam_credential', 'root@' ~ inventory_hostname) }}"
# ansible_become_password: "{{ lookup('segura.pam.pam_credential', inventory_hostname ~ '-root') }}"

- name: A database password by identifier (connection from SEGURA_* or segura_* variables)
  community.postgresql.postgresql_query:
    login_user: "{{ lookup('segura.pam.pam_credential', 'db-01-dbadmin', field='username') }}"
    login_password: "{{ lookup('segura.pam.pam_credential', 'db-01-dbadmin') }}"
    query: SELECT 1
  no_log: true

- name: Several at once, in the order of the terms (one token, one list, parallel reads)
  ansible.builtin.set_fact:
    passwords: "{{ query('segura.pam.pam_credential', 'root@web-01', 'root@web-02', 152) }}"
  no_log: true

- name: Release the custody the reads took (Segura may then rotate the passwords)
  segura.pam.pam_credential_custody:
    credentials: [root@web-01, root@web-02, 152]
"""

RETURN = r"""
_raw:
  description:
    - One value per term, in the order of the terms (terms left out by V(warn) or V(skip) excepted).
    - A string, or a dict with O(field=all).
  type: list
  elements: raw
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL
from ansible_collections.segura.pam.plugins.plugin_utils.mysafe_lookup import MySafeLookup


class LookupModule(MySafeLookup):
    KIND = CREDENTIAL
