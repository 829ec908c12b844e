# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's version, as sent in every request's User-Agent (a test keeps it equal to galaxy.yml)."""

from __future__ import annotations

COLLECTION_VERSION = "0.2.0"


def user_agent():
    try:
        from ansible.module_utils.ansible_release import __version__ as ansible_version
    except ImportError:  # pragma: no cover - always present where Ansible runs
        ansible_version = "unknown"
    return "segura.pam/%s (ansible-core/%s)" % (COLLECTION_VERSION, ansible_version)
