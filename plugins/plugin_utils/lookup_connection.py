# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options of a lookup: rendered, traced to where they came from, and checked.

A lookup receives host, group and play variables as written (``"{{ vault_secret }}"``), so the
ones it uses are rendered first (a ``!unsafe`` value stays literal). Ansible then tells where
each option came from; :func:`check_destinations` makes sure that credentials kept in the
environment or ansible.cfg only go to the server named there too, never to one that a
variable (an inventory editor, a fact a managed node returned) points to.

The inventory plugin sets its options here too, with no variables: its file, the environment
and ansible.cfg.
"""

from __future__ import annotations

import configparser
import os

from ansible import constants as C
from ansible.errors import AnsibleError

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._options import CONNECTION_ARGUMENT_SPEC
from ansible_collections.segura.pam.plugins.module_utils.client import parse_boolean

CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)
CREDENTIAL_OPTIONS = ("segura_client_id", "segura_client_secret", "segura_token")
# The options that decide where the credentials are sent, and whom the client trusts.
DESTINATION_OPTIONS = ("segura_url", "segura_proxy", "segura_token_path", "segura_ca_path", "segura_validate_certs")
# Read strictly from the value as given: Ansible's own reading takes anything unknown (ture, an
# empty ini value) for false, which would turn certificate verification off.
BOOLEAN_OPTIONS = tuple(name for name, spec in CONNECTION_ARGUMENT_SPEC.items() if spec["type"] == "bool")


class OptionSource(object):
    """One option's value, where Ansible found it, and the value it would have without variables."""

    def __init__(self, name, value, origin, value_without_vars=None, ini_key=None, keyword_place="a lookup keyword"):
        self.name = name
        self.value = value
        self.origin = origin or "default"
        self.value_without_vars = value_without_vars
        #: the key of the option in ansible.cfg's [segura] section
        self.ini_key = ini_key
        #: what a value given directly is: a lookup keyword, or an option of the inventory source
        self.keyword_place = keyword_place

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
            return "%s in the [segura] section of %s" % (self.ini_key, self.origin)
        if self.kind == "keyword":
            return self.keyword_place
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
        return C.config.get_config_value_and_origin(name, plugin_type=lookup.plugin_type, plugin_name=lookup._load_name,
                                                    variables=variables, direct=direct)
    except AnsibleError:  # a required option that only a variable sets
        return None, None


def _ini_text(path, definition):
    """The option's text in the configuration file ``path``, as Ansible parses ansible.cfg."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    parser.read(path, encoding="utf-8")
    found = [parser.get(entry["section"], entry["key"], raw=True) for entry in definition.get("ini", [])
             if parser.has_option(entry["section"], entry["key"])]
    return found[-1] if found else None  # the last entry set wins, as in Ansible


def _given(source, variables, direct, definition):
    """What ``source`` holds for its option before Ansible converts it to the option's type."""
    if source.kind == "var":
        return variables[source.origin.split(":", 1)[1].strip()]
    if source.kind == "keyword":
        return direct[source.name]
    if source.kind == "env":
        return os.environ[source.origin.split(":", 1)[1].strip()]
    if source.kind == "ini":
        return _ini_text(source.origin, definition)
    return definition.get("default")


def _resolved(lookup, name, variables, direct):
    """The :class:`OptionSource` of an option from the variables given (or none), the keywords, the
    environment and ansible.cfg: an empty environment variable means the default, as in the modules;
    a boolean is read strictly, and when empty means the default too."""
    definition = lookup.option_definitions[name]
    ini_key = definition["ini"][-1]["key"] if definition.get("ini") else None
    place = "the inventory source" if lookup.plugin_type == "inventory" else "a lookup keyword"
    value, origin = _config_value_and_origin(lookup, name, variables, direct)
    origin = origin or "default"
    if origin.startswith("env:") and not os.environ.get(origin[4:].strip(), "").strip():
        return OptionSource(name, definition.get("default"), "default", ini_key=ini_key, keyword_place=place)
    source = OptionSource(name, value, origin, ini_key=ini_key, keyword_place=place)
    if name in BOOLEAN_OPTIONS:
        source.value = parse_boolean(_given(source, variables, direct, definition),
                                     "%s, set by %s," % (name, source.describe()))
        if source.value is None:
            source.value = definition.get("default")
    return source


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
        source = _resolved(lookup, name, rendered, direct)
        lookup.set_option(name, source.value)
        # what the option would mean without the variables: the origin rule compares meanings
        source.value_without_vars = _resolved(lookup, name, None, direct).value if source.kind == "var" else source.value
        sources[name] = source
    check_destinations(sources)
