# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options of a lookup: rendered, traced to where they came from, and checked.

A lookup receives host, group and play variables as written (``"{{ vault_secret }}"``), so the
ones it uses are rendered first (a ``!unsafe`` value stays literal). Ansible then tells where
each option came from; :func:`check_destinations` makes sure that credentials kept in the
environment or ansible.cfg only go to the server named there too, never to one that a
variable (an inventory editor, a fact a managed node returned) points to.
"""

from __future__ import annotations

import os

from ansible import constants as C
from ansible.errors import AnsibleError

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._options import CONNECTION_ARGUMENT_SPEC

CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)
CREDENTIAL_OPTIONS = ("segura_client_id", "segura_client_secret", "segura_token")
# The options that decide where the credentials are sent, and whom the client trusts.
DESTINATION_OPTIONS = ("segura_url", "segura_proxy", "segura_token_path", "segura_ca_path", "segura_validate_certs")


class OptionSource(object):
    """One option's value, where Ansible found it, and the value it would have without variables."""

    def __init__(self, name, value, origin, value_without_vars=None):
        self.name = name
        self.value = value
        self.origin = origin or "default"
        self.value_without_vars = value_without_vars

    @property
    def kind(self):
        """var, keyword, env, ini or default."""
        if self.origin.startswith("var:"):
            return "var"
        if self.origin == "Direct" or self.origin.startswith("keyword:"):
            return "keyword"
        if self.origin.startswith("env:"):
            return "env"
        if self.origin == "default":
            return "default"
        return "ini"  # Ansible names the configuration file itself

    def describe(self):
        if self.kind == "var":
            return "the variable %s" % self.origin.split(":", 1)[1].strip()
        if self.kind == "env":
            return "the environment variable %s" % self.origin.split(":", 1)[1].strip()
        if self.kind == "ini":
            return "the [segura] section of %s" % self.origin
        if self.kind == "keyword":
            return "a lookup keyword"
        return "the default"


def check_destinations(sources):
    """Fail when a variable changes where credentials from the environment or ansible.cfg go.

    ``sources``: option name -> :class:`OptionSource`. Credentials given as variables or lookup
    keywords are the playbook's own, and may go wherever the variables say.
    """
    guarded = [sources[name] for name in CREDENTIAL_OPTIONS
               if name in sources and sources[name].value and sources[name].kind in ("env", "ini")]
    if not guarded:
        return
    for name in DESTINATION_OPTIONS:
        source = sources.get(name)
        if source is None or source.kind != "var" or source.value == source.value_without_vars:
            continue
        raise errors.ConfigurationError(
            "%s is set by %s, but %s comes from %s: a variable may not change where credentials kept in the "
            "environment or ansible.cfg are sent." % (name, source.describe(), guarded[0].name, guarded[0].describe()),
            hint="Set %s in the same place as the credentials (environment or ansible.cfg) or as a lookup keyword, "
                 "or give the credentials as variables too; then remove the variable %s from the inventory, play "
                 "and facts." % (name, name))


def _config_value_and_origin(lookup, name, variables, direct):
    try:
        return C.config.get_config_value_and_origin(name, plugin_type="lookup", plugin_name=lookup._load_name,
                                                    variables=variables, direct=direct)
    except AnsibleError:  # a required option that only a variable sets
        return None, None


def set_connection_options(lookup, variables, direct):
    """``lookup.set_options`` with the connection variables rendered and the origin rules applied.

    Raises ConfigurationError (nothing has been sent yet).
    """
    variables = variables or {}
    # rendered as the play would see them; a value marked unsafe is returned untouched
    rendered = {name: lookup._templar.template(variables[name]) for name in CONNECTION_OPTIONS if name in variables}
    lookup.set_options(var_options=rendered, direct=direct)
    sources = {}
    for name in CONNECTION_OPTIONS:
        value, origin = _config_value_and_origin(lookup, name, rendered, direct)
        origin = origin or "default"
        if origin.startswith("env:") and not os.environ.get(origin[4:].strip(), "").strip():
            # an empty environment variable means the default, as in the modules
            value, origin = lookup.option_definitions[name].get("default"), "default"
            lookup.set_option(name, value)
        without_vars = _config_value_and_origin(lookup, name, None, direct)[0] if origin.startswith("var:") else value
        sources[name] = OptionSource(name, lookup.get_option(name), origin, without_vars)
    check_destinations(sources)
