# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lookup of every kind, MySafe's and PAM Core's: terms, parallel reads with one token, the on_*
decisions.

Each lookup plugin is its documentation plus ``class LookupModule(MySafeLookup)`` naming its
kind; the behaviour is here once. A PAM Core credential is read (which takes custody) only for the
fields that only that read shows; its user name, hostname and address come from the list.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._options import client_from_options
from ansible_collections.segura.pam.plugins.module_utils._pam import PamApi
from ansible_collections.segura.pam.plugins.module_utils._terms import selected_id, term_key
from ansible_collections.segura.pam.plugins.plugin_utils.lookup_connection import set_connection_options

display = Display()

# error type -> the option that says what to do with it
TOLERATED = ((errors.NotFoundError, "on_missing"), (errors.AccessDeniedError, "on_denied"),
             (errors.InactiveSecretError, "on_inactive"))


def fetch(api, by, key, needs):
    """(entity, None) or (None, typed error) for one term; runs in a worker thread."""
    try:
        return api.get(selected_id(api, by, key), needs=needs), None
    except errors.SeguraError as error:
        return None, error


class MySafeLookup(LookupBase):
    #: the ItemKind this lookup reads (set by each plugin)
    KIND = None

    def run(self, terms, variables=None, **kwargs):
        kind = self.KIND
        label = kind.module
        try:
            set_connection_options(self, variables, kwargs)
            by, field = self.get_option("by"), self.get_option("field")
            workers = max(1, min(self.get_option("max_parallel"), len(terms) or 1))
            keys = [term_key(kind, term, by) for term in terms]
            client = client_from_options(self.get_option, warn=display.warning, pool_size=workers)
        except errors.SeguraError as error:
            raise AnsibleLookupError("%s: %s" % (label, error))
        # one api for every term: a PAM Core list answer is asked once and resolves them all
        api = (PamApi if kind.service == "pam" else MySafeApi)(client, kind)
        needs = kind.entity_fields if field == "all" else (field,)
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outcomes = list(pool.map(lambda selection: fetch(api, selection[0], selection[1], needs), keys))
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
