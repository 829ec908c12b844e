# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWX / Ansible Automation Platform credential plugin for Segura MySafe (entry point ``segura_mysafe``).

AWX finds :data:`segura_awx_credential_plugin.plugin.segura_mysafe_plugin` through the entry
points ``awx_plugins.credentials`` and ``awx.credential_plugins``.
"""
