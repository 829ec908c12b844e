# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lookup of every MySafe kind: terms, parallel reads with one token, the on_* decisions.

Each lookup plugin is its documentation plus ``class LookupModule(MySafeLookup)`` naming its
kind; the behaviour is here once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._engine import find_one
from ansible_collections.segura.pam.plugins.module_utils._options import client_from_options
from ansible_collections.segura.pam.plugins.plugin_utils.lookup_connection import set_connection_options

display = Display()

# error type -> the option that says what to do with it
TOLERATED = ((errors.NotFoundError, "on_missing"), (errors.AccessDeniedError, "on_denied"),
             (errors.InactiveSecretError, "on_inactive"))


def term_key(kind, term, by):
    """The identifier (an int) or the text a term selects by; ConfigurationError when unusable."""
    text = str(term).strip()
    if by != "identifier":
        if not text:
            raise errors.ConfigurationError("An empty term cannot select %s by %s." % (kind.a_label, by),
                                            hint="Give the %s of each %s." % (by, kind.label))
        return text
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise errors.ConfigurationError(
            "Term %r is not an identifier (a positive integer)." % (term,),
            hint="Give the %s' numeric ids, or set by=%s to look them up by %s." % (
                kind.plural, kind.code_field or "name", kind.code_field or "name"))
    return int(text)


def fetch(api, key, by):
    """(entity, None) or (None, typed error) for one term; runs in a worker thread."""
    try:
        if by != "identifier":
            key = find_one(api, **{"code" if by == api.kind.code_field else "name": key})["identifier"]
        return api.get(key), None
    except errors.SeguraError as error:
        return None, error


class MySafeLookup(LookupBase):
    #: the ItemKind this lookup reads (set by each plugin)
    KIND = None

    def run(self, terms, variables=None, **kwargs):
        kind = self.KIND
        label = "segura.pam.mysafe_%s" % kind.name
        try:
            set_connection_options(self, variables, kwargs)
            by, field = self.get_option("by"), self.get_option("field")
            workers = max(1, min(self.get_option("max_parallel"), len(terms) or 1))
            keys = [term_key(kind, term, by) for term in terms]
            client = client_from_options(self.get_option, warn=display.warning, pool_size=workers)
        except errors.SeguraError as error:
            raise AnsibleLookupError("%s: %s" % (label, error))
        api = MySafeApi(client, kind)
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outcomes = list(pool.map(lambda key: fetch(api, key, by), keys))
        finally:
            client.close()
        values = []
        for term, (entity, error) in zip(terms, outcomes):
            if error is None:
                values.append(entity if field == "all" else entity[field])
                continue
            action = next((self.get_option(option) for kind_of_error, option in TOLERATED
                           if isinstance(error, kind_of_error)), "error")
            message = "%s: term %r (%s): %s" % (label, term, by, error)
            if action == "error":
                raise AnsibleLookupError(message)
            if action == "warn":
                display.warning(message + " The term is left out of the result.")
        return [wrap_var(value) for value in values]
