# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # What every MySafe info module does (plugins/module_utils/_module.py collect_info), whatever the kind.
    DOCUMENTATION = r"""
options:
  tag:
    description: List only the items carrying exactly this tag.
    type: str
  details:
    description:
      - When listing, read every listed item in full (one request each). V(false) returns only the list's
        summary (the identifier, the fields the list carries and the permissions) in one request.
    type: bool
    default: true
  reveal_secret:
    description:
      - Return the secret fields (named in the description) in clear instead of a mask.
      - Pair it with C(no_log) on the task, or the values appear in the output and logs.
    type: bool
    default: false
notes:
  - A disabled item is reported with C(active=false) (Segura does not let anyone read its fields), not as a
    failure.
  - Filters match exactly, case included. Segura's own list filters are not documented as exact (a server may
    match part of a name, in any case), so the collection filters the server's answer again.
"""
