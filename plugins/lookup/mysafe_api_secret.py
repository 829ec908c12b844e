# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mysafe_api_secret
short_description: Read MySafe API secret values from Segura
version_added: 0.1.0
description:
  - Returns the C(client_secret) (or another field, see O(field)) of each MySafe API secret named by the terms,
    in the order of the terms.
  - Terms are the secrets' identifiers, or their identifier codes with O(by=identifier_code), or their names
    with O(by=name).
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.connection.plugins
  - segura.pam.lookup
options:
  _terms:
    description: Identifiers (default), identifier codes or names of the secrets.
    required: true
    type: list
    elements: str
  by:
    description:
      - What the terms are.
      - With V(identifier_code) or V(name), each term must match exactly one secret visible to the API user
        (the owner's secrets and those shared with it); several matches fail the lookup, naming their identifiers.
    type: str
    choices: [identifier, identifier_code, name]
    default: identifier
  field:
    description:
      - The field of each secret to return, for example V(client_id) or V(url).
      - V(all) returns the whole normalised secret as a dict (C(identifier), C(name), C(url), C(client_id),
        C(client_secret), C(identifier_code), C(method), C(tags), C(notes), C(users_allowed),
        C(groups_allowed), C(active)).
    type: str
    default: client_secret
    choices: [client_secret, client_id, url, name, identifier, identifier_code, method, tags, notes,
              users_allowed, groups_allowed, all]
seealso:
  - module: segura.pam.mysafe_api_secret_info
"""

EXAMPLES = r"""
- name: Use the client_secret of secret 43 (connection from SEGURA_* or segura_* variables)
  ansible.builtin.uri:
    url: https://gcp.example.com/oauth/token
    method: POST
    body_format: form-urlencoded
    body:
      client_id: "{{ lookup('segura.pam.mysafe_api_secret', 43, field='client_id') }}"
      client_secret: "{{ lookup('segura.pam.mysafe_api_secret', 43) }}"
  no_log: true

- name: Several secrets at once, as a list in the order of the terms
  ansible.builtin.set_fact:
    app_secrets: "{{ query('segura.pam.mysafe_api_secret', 3, 43, 51) }}"
  no_log: true

- name: By the owner's identifier codes, leaving out disabled ones with a warning
  ansible.builtin.debug:
    msg: "{{ query('segura.pam.mysafe_api_secret', 'payments-gcp', 'crm', by='identifier_code', on_inactive='warn') | length }}"

- name: The whole secret as a dict
  ansible.builtin.debug:
    msg: "{{ lookup('segura.pam.mysafe_api_secret', 43, field='all').url }}"

- name: Explicit connection options
  ansible.builtin.debug:
    msg: "{{ lookup('segura.pam.mysafe_api_secret', 43, segura_url='https://segura.example.com',
             segura_client_id=sid, segura_client_secret=ssecret, segura_ca_path='/etc/pki/segura-ca.pem') | length }}"
"""

RETURN = r"""
_raw:
  description:
    - One value per term, in the order of the terms (terms left out by V(warn) or V(skip) excepted).
    - A string for the text fields, a list for C(tags), C(users_allowed) and C(groups_allowed), an integer for
      C(identifier), a dict with O(field=all).
  type: list
  elements: raw
"""

from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.plugin_utils.mysafe_lookup import MySafeLookup


class LookupModule(MySafeLookup):
    KIND = API_SECRET
