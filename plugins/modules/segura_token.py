#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: segura_token
short_description: Obtain a Segura OAuth2 access token once, for the rest of a play
version_added: 0.1.0
description:
  - Requests an OAuth2 access token with the client credentials of a MySafe access key (or returns the one
    already kept in the token cache) and returns it, so that later tasks can pass it as O(segura_token) and make
    no token request of their own.
  - Most playbooks do not need this module. With the default O(segura_token_cache=true), all tasks, loops,
    lookups and forks of a run already share one token per credential. Use it when the cache is turned off,
    or to hand a token to something outside this collection.
  - Always set C(no_log) on the task. The returned token grants the access key's rights until it expires.
author:
  - segura.pam contributors (@segura-pam)
extends_documentation_fragment:
  - segura.pam.connection
  - segura.pam.attributes
  - segura.pam.attributes.read_only
seealso:
  - module: segura.pam.mysafe_api_secret
"""

EXAMPLES = r"""
- name: Get one token for the play
  segura.pam.segura_token:
    segura_url: https://segura.example.com
    segura_client_id: "{{ vault_segura_client_id }}"
    segura_client_secret: "{{ vault_segura_client_secret }}"
    segura_token_cache: false
  register: segura
  no_log: true

- name: Use it for every module of the collection
  module_defaults:
    group/segura.pam.mysafe:
      segura_url: https://segura.example.com
      segura_token: "{{ segura.token }}"
  block:
    - name: Read secret 43
      segura.pam.mysafe_api_secret_info:
        identifier: 43
"""

RETURN = r"""
token:
  description: The access token. Keep the task C(no_log).
  returned: success
  type: str
expires_in:
  description: Seconds the token stays usable (a safety margin before its real expiry already deducted).
  returned: success
  type: int
  sample: 3540
"""

from ansible_collections.segura.pam.plugins.module_utils._module import SeguraModule


def main():
    module = SeguraModule(argument_spec={}, returns_token=True, supports_check_mode=True)

    def fetch():
        token, expires_in = module.client.access_token()
        return {"changed": False, "token": token, "expires_in": expires_in}

    module.run(fetch)


if __name__ == "__main__":
    main()
