# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # What every lookup does with terms it cannot read (plugins/plugin_utils/mysafe_lookup.py).
    DOCUMENTATION = r"""
options:
  on_missing:
    description:
      - What to do when an item does not exist (MySafe error 1005; PAM Core 1007 or 1015), or no visible item has
        the term's code, name or C(username@hostname).
      - V(error) fails, V(warn) shows a warning and leaves the term out, V(skip) leaves it out silently.
      - Several visible items with the term's code or name always fail the lookup, naming their identifiers.
    type: str
    choices: [error, warn, skip]
    default: error
  on_denied:
    description: What to do when the API user has no access to an item (MySafe error 1006; PAM Core 1009, outside
      the A2A authorization's scope); see O(on_missing).
    type: str
    choices: [error, warn, skip]
    default: error
  on_inactive:
    description: What to do when an item is disabled (MySafe error 1009; PAM Core 1008 or 1017, deactivated); see
      O(on_missing).
    type: str
    choices: [error, warn, skip]
    default: error
  max_parallel:
    description: How many items are read at the same time, over one connection pool with one access token.
    type: int
    default: 8
notes:
  - Like every lookup, it runs on the controller, with the controller's environment and files.
  - Many terms are read in parallel over kept-alive connections with one access token.
  - Terms left out by V(warn) or V(skip) make the result shorter than the list of terms.
  - Values are returned as unsafe text, so a value such as C({{ lookup('pipe', 'id') }}) is returned as it is
    and never templated.
  - Connection options given as variables (host, group, play or task vars) are rendered like any variable, so
    a C(segura_client_secret) variable set to C({{ vault_segura_client_secret }}) works; a value marked
    C(!unsafe) stays literal.
  - When the credentials (O(segura_client_id) and O(segura_client_secret), or O(segura_token)) come from the
    environment or C(ansible.cfg), a variable may not change O(segura_url), O(segura_proxy),
    O(segura_token_path), O(segura_ca_path) or O(segura_validate_certs); the lookup fails naming both origins,
    so that nobody who can edit the inventory, or a fact returned by a managed node, sends the controller's
    credentials elsewhere. Set those options where the credentials are set, or as lookup keywords.
  - C(~/.netrc) is never read, and an empty environment variable means the option's default.
"""
