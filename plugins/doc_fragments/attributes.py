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
      - segura.pam.all
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the server.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    # For the PAM Core modules: their own action group (A2A application credentials), and the one of all.
    PAM = r"""
attributes:
  action_group:
    description: Use C(group/segura.pam.pam) in C(module_defaults) to set the connection options (an A2A
      application's client id and secret) once for every PAM Core module.
    support: full
    membership:
      - segura.pam.pam
      - segura.pam.all
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
