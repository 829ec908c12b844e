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
  - Terms are the secrets' identifiers, or their identifier codes with O(by=identifier_code).
  - Many terms are read in parallel over kept-alive connections with one access token.
  - Values are returned as unsafe text, so a value such as C({{ lookup('pipe', 'id') }}) is returned as it is
    and never templated.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.connection.plugins
options:
  _terms:
    description: Identifiers (default) or identifier codes of the secrets.
    required: true
    type: list
    elements: str
  by:
    description: What the terms are.
    type: str
    choices: [identifier, identifier_code]
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
  on_missing:
    description:
      - What to do when a secret does not exist (error 1005), or no visible secret has the identifier code.
      - V(error) fails, V(warn) shows a warning and leaves the term out, V(skip) leaves it out silently.
    type: str
    choices: [error, warn, skip]
    default: error
  on_denied:
    description: What to do when the API user has no access to a secret (error 1006); see O(on_missing).
    type: str
    choices: [error, warn, skip]
    default: error
  on_inactive:
    description: What to do when a secret is disabled (error 1009); see O(on_missing).
    type: str
    choices: [error, warn, skip]
    default: error
  max_parallel:
    description: How many secrets are read at the same time.
    type: int
    default: 8
notes:
  - Like every lookup, it runs on the controller, with the controller's environment and files.
  - Connection options given as variables (host, group, play or task vars) are rendered like any variable, so
    a C(segura_client_secret) variable set to C({{ vault_segura_client_secret }}) works; a value marked
    C(!unsafe) stays literal.
  - When the credentials (O(segura_client_id) and O(segura_client_secret), or O(segura_token)) come from the
    environment or C(ansible.cfg), a variable may not change O(segura_url), O(segura_proxy),
    O(segura_token_path), O(segura_ca_path) or O(segura_validate_certs); the lookup fails naming both origins,
    so that nobody who can edit the inventory, or a fact returned by a managed node, sends the controller's
    credentials elsewhere. Set those options where the credentials are set, or as lookup keywords.
  - C(~/.netrc) is never read, and an empty environment variable means the option's default.
  - Terms left out by V(warn) or V(skip) make the result shorter than the list of terms.
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

from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils.mysafe import MySafeApi
from ansible_collections.segura.pam.plugins.module_utils.options import client_from_options
from ansible_collections.segura.pam.plugins.plugin_utils.lookup_connection import set_connection_options

display = Display()

# error type -> the option that says what to do with it
TOLERATED = ((errors.NotFoundError, "on_missing"), (errors.AccessDeniedError, "on_denied"),
             (errors.InactiveSecretError, "on_inactive"))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        try:
            set_connection_options(self, variables, kwargs)
            by, field = self.get_option("by"), self.get_option("field")
            workers = max(1, min(self.get_option("max_parallel"), len(terms) or 1))
            keys = [self._key(term, by) for term in terms]
            client = client_from_options(self.get_option, warn=display.warning, pool_size=workers)
        except errors.SeguraError as error:
            raise AnsibleLookupError("segura.pam.mysafe_api_secret: %s" % error)
        api = MySafeApi(client)
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outcomes = list(pool.map(lambda key: self._fetch(api, key, by), keys))
        finally:
            client.close()
        values = []
        for term, (entity, error) in zip(terms, outcomes):
            if error is None:
                values.append(entity if field == "all" else entity[field])
                continue
            action = next((self.get_option(option) for kind, option in TOLERATED if isinstance(error, kind)), "error")
            message = "segura.pam.mysafe_api_secret: term %r (%s): %s" % (term, by, error)
            if action == "error":
                raise AnsibleLookupError(message)
            if action == "warn":
                display.warning(message + " The term is left out of the result.")
        return [wrap_var(value) for value in values]

    @staticmethod
    def _key(term, by):
        text = str(term).strip()
        if by == "identifier_code":
            if not text:
                raise errors.ConfigurationError("An identifier code term is empty.",
                                                hint="Give the identifier_code of each secret.")
            return text
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise errors.ConfigurationError(
                "Term %r is not a secret identifier (a positive integer)." % (term,),
                hint="Give the secrets' numeric ids, or set by=identifier_code to look them up by code.")
        return int(text)

    @staticmethod
    def _fetch(api, key, by):
        """(entity, None) or (None, typed error) for one term; runs in a worker thread."""
        try:
            if by == "identifier_code":
                found = api.list(identifier_code=key)
                if not found:
                    raise errors.NotFoundError("No API secret visible to this API user has identifier_code '%s'." % key,
                                               hint="Check the code and that the secret is shared with the API user.")
                if len(found) > 1:
                    return None, errors.ConfigurationError(
                        "%d visible API secrets have identifier_code '%s' (identifiers %s)." % (
                            len(found), key, ", ".join(str(s["identifier"]) for s in found)),
                        hint="Several owners use this code: look the secret up by identifier instead.")
                key = found[0]["identifier"]
            return api.get(key), None
        except errors.SeguraError as error:
            return None, error
