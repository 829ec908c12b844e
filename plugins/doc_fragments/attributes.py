# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/segura.pam.mysafe) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - segura.pam.mysafe
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the server.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    # For read-only modules.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs unchanged in check mode.
  diff_mode:
    support: N/A
    details: The module only reads.
"""
