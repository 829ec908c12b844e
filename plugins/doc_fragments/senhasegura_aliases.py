# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # senhasegura.pam 1.0.0's names of the connection options, as aliases in the modules that replace its
    # modules. Extends segura.pam.connection (list it after that fragment: the options merge key by key).
    # The names come from SENHASEGURA_CONNECTION_ALIASES in plugins/module_utils/_kinds.py; keep both in step.
    DOCUMENTATION = r"""
options:
  segura_url:
    aliases: [system_url]
  segura_client_id:
    aliases: [client_id]
  segura_client_secret:
    aliases: [client_secret]
  segura_validate_certs:
    aliases: [validate_certs]
"""
