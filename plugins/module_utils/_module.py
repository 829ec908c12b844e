# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every segura.pam module shares: the AnsibleModule with the connection options, the one
place where a client error becomes ``fail_json``, the item and info modules of every kind
and mysafe_items (their argument specs and what they do), so each module file is its
documentation and a call."""

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MySafeApi, masked
from ansible_collections.segura.pam.plugins.module_utils._pam import PamApi
from ansible_collections.segura.pam.plugins.module_utils._bulk import (
    OPERATIONS, BulkSync, bulk_outcome, prepare_lists, tag_option)
from ansible_collections.segura.pam.plugins.module_utils._engine import ItemSync, find_one, read_unless_disabled
from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL, SENHASEGURA_CONNECTION_ALIASES
from ansible_collections.segura.pam.plugins.module_utils._terms import selected_id, term_key
from ansible_collections.segura.pam.plugins.module_utils._validation import check_identifier, item_fields
from ansible_collections.segura.pam.plugins.module_utils._transport import url_credentials
from ansible_collections.segura.pam.plugins.module_utils._options import CONNECTION_ARGUMENT_SPEC, client_from_options

SHARING_SPEC = dict(
    users_allowed=dict(type="list", elements="dict", options=dict(
        username=dict(type="str", required=True), can_edit=dict(type="bool", default=False))),
    groups_allowed=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True), can_edit=dict(type="bool", default=False))),
)


class SeguraModule(AnsibleModule):
    """``returns_token``: the module hands the access token back on purpose (segura_token), so
    fetched tokens are not added to the values Ansible masks in its result."""

    def __init__(self, argument_spec, returns_token=False, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super(SeguraModule, self).__init__(argument_spec=spec, **kwargs)
        # user info inside the proxy or server URL is a credential too
        for option in ("segura_proxy", "segura_url"):
            self.no_log_values.update(url_credentials(self.params.get(option)))
        self._returns_token = returns_token
        self._client = None
        #: more settings for the client, e.g. a connection pool as large as the parallel requests
        self.client_settings = {}

    @property
    def client(self):
        if self._client is None:
            on_secret = None if self._returns_token else self.no_log_values.add
            self._client = client_from_options(self.params.get, warn=self.warn, on_secret=on_secret,
                                               **self.client_settings)
        return self._client

    def api(self, kind):
        return (PamApi if kind.service == "pam" else MySafeApi)(self.client, kind)

    def fail_from_error(self, error, **result):
        """Turn a typed client error into the task's failure (never a traceback)."""
        result.update(error.to_result())
        self.fail_json(msg=str(error), **result)

    def run(self, action):
        """Call ``action()`` (returns the result dict) and exit; typed errors fail the task."""
        try:
            result = action()
        except errors.SeguraError as error:
            self.fail_from_error(error)
        finally:
            if self._client is not None:
                self._client.close()
        self.exit_json(**result)


# -- the item module of a kind: mysafe_api_secret, mysafe_password, mysafe_note ----------------


def item_argument_spec(kind):
    """Selector, fields (secret ones no_log), state, and the kind's rewrite option.

    PAM Core kinds: lists are lists, the code field is required unless ``id`` selects, the rewrite
    option defaults to ``on_create`` (a credential's password is read, taking custody, only with
    ``always``), and senhasegura.pam's option names are aliases."""
    spec = dict(((kind.id_field, dict(type="int")),) if kind.id_option else ())
    if kind.code_field:
        spec[kind.code_field] = dict(type="str", required=not kind.id_option)
    for field in kind.text_fields:
        if field != kind.code_field:
            spec[field] = (dict(type="list", elements="str") if field in getattr(kind, "list_fields", ()) else
                           dict(type="str", no_log=field in kind.secret_fields))
    spec["tags"] = dict(type="list", elements="str")
    if kind.sharing:
        spec.update(SHARING_SPEC)
    for field, names in kind.aliases.items():
        spec[field]["aliases"] = names
    spec["state"] = dict(type="str", choices=["present", "absent"], default="present")
    # no_log=False said outright: AnsibleModule warns about any unmarked option named like a
    # password ("update_password") on every run.
    if kind.rewrite_option:
        spec[kind.rewrite_option[0]] = dict(type="str", choices=["always", "on_create"], no_log=False,
                                            default="always" if kind.sharing else "on_create")
    return spec


def apply_item(module, kind):
    """One item brought to the wanted state; the result dict (warnings shown by the module)."""
    params = module.params
    sync = ItemSync(module.api(kind), identifier=params.get(kind.id_field) if kind.id_option else None,
                    code=params.get(kind.code_field) if kind.code_field else None,
                    wanted=item_fields(kind, params), state=params["state"],
                    rewrite=params[kind.rewrite_option[0]] if kind.rewrite_option else "always",
                    check_mode=module.check_mode)
    result = sync.run()
    for warning in sync.warnings:
        module.warn(warning)
    return result


def with_senhasegura_names(kind, spec, info=False):
    """``spec``, and in a module that replaces one of senhasegura.pam 1.0.0 (``kind.replaces``, routed in
    meta/runtime.yml) that collection's names of the connection options and of the module's options as
    aliases, so that an old task runs once its namespace is changed."""
    if not any(name.endswith("_info") == info for name in kind.replaces):
        return spec
    spec = dict(spec, **dict((option, dict(CONNECTION_ARGUMENT_SPEC[option], aliases=names))
                             for option, names in SENHASEGURA_CONNECTION_ALIASES.items()))
    for option, names in kind.aliases.items():
        if option in spec:
            spec[option] = dict(spec[option], aliases=names)
    return spec


def run_item_module(kind):
    module = SeguraModule(argument_spec=with_senhasegura_names(kind, item_argument_spec(kind)),
                          supports_check_mode=True)
    module.run(lambda: apply_item(module, kind))


# -- the info module of a kind ------------------------------------------------------------------


def info_argument_spec(kind):
    spec = dict(identifier=dict(type="int"), tag=dict(type="str"))
    if kind.code_field:
        spec[kind.code_field] = dict(type="str")
    for field in kind.list_filters + kind.name_fields:
        if field != "tag":
            spec[field] = dict(type="str")
    spec.update(details=dict(type="bool", default=True), reveal_secret=dict(type="bool", default=False))
    return spec


def single_selectors(kind):
    """The options that, given alone, select one item (the others list)."""
    return ("identifier",) + ((kind.code_field,) if kind.code_field else ()) + kind.info_selectors


def listed_matches(summary, filters):
    """Exact match of a list summary with every filter the user gave that the summary carries
    (the others were left to the server's own filter)."""
    for option, value in filters.items():
        if option == "tag":
            if "tags" in summary and value not in summary["tags"]:
                return False
        elif option in summary and summary[option] != value:
            return False
    return True


def read_or_stub(api, identifier, summary=None):
    """The full item, or ``{identifier, active: false}`` when it is disabled, with the name fields
    its list ``summary`` tells."""
    entity = read_unless_disabled(api, identifier)
    if entity is not None:
        return entity
    return dict(((field, summary[field]) for field in api.kind.name_fields if field in (summary or {})),
                identifier=identifier, active=False)


def collect_info(module, kind):
    """``{<kind>: item}`` for one item, or ``{<kind>s: [items]}`` for a list (secrets masked unless revealed)."""
    params = module.params
    check_identifier(params["identifier"], kind)
    api = module.api(kind)

    def shown(entity):
        return entity if params["reveal_secret"] else masked(kind, entity)

    given = {option: params[option] for option in info_argument_spec(kind)
             if option not in ("details", "reveal_secret") and params.get(option) is not None}
    if params["identifier"] is not None:
        return {"changed": False, kind.result_key: shown(read_or_stub(api, params["identifier"]))}
    alone = [option for option in single_selectors(kind) if option in given]
    if alone and len(given) == 1:
        option = alone[0]
        found = find_one(api, **({"code": given[option]} if option == kind.code_field else {option: given[option]}))
        return {"changed": False, kind.result_key: shown(read_or_stub(api, found["identifier"]))}
    filters = {option: value for option, value in given.items() if option != kind.code_field}
    server_filters = dict(filters, **({kind.code_field: given[kind.code_field]} if kind.code_field in given else {}))
    listed = [summary for summary in api.list(**server_filters) if listed_matches(summary, filters)]
    if not params["details"]:
        return {"changed": False, kind.results_key: listed}
    return {"changed": False,
            kind.results_key: [shown(read_or_stub(api, s["identifier"], s)) for s in listed]}


def run_info_module(kind):
    if kind.service == "pam":
        return run_pam_info_module(kind)
    module = SeguraModule(argument_spec=info_argument_spec(kind), supports_check_mode=True,
                          mutually_exclusive=[("identifier", option) for option in info_argument_spec(kind)
                                              if option not in ("identifier", "details", "reveal_secret")])
    module.run(lambda: collect_info(module, kind))


# -- the info module of a PAM Core kind ---------------------------------------------------------


def pam_info_argument_spec(kind):
    """``id``, the code field, the list's filters; ``reveal_secret`` where the kind holds a secret."""
    spec = dict(id=dict(type="int"), **{kind.code_field: dict(type="str")})
    for option in kind.list_filters:
        spec.setdefault(option, dict(type="str"))
    if kind.secret_fields:
        spec["reveal_secret"] = dict(type="bool", default=False)
    return spec


def collect_pam_info(module, kind):
    """``{<kind>: item}`` selected by id, code or every name field; else ``{<kind>s: [list rows]}``.

    Lists come from the list answer alone: never a secret, never custody. One item is read in full
    when the read takes no custody, or when ``reveal_secret`` asks for the secret (a credential's
    read takes it into the A2A application's custody)."""
    params = module.params
    check_identifier(params["id"], kind, "id")
    api = module.api(kind)
    reveal = params.get("reveal_secret")
    given = dict((option, value) for option, value in params.items()
                 if option in pam_info_argument_spec(kind) and option != "reveal_secret" and value is not None)
    if reveal and not ("id" in given or kind.code_field in given or all(f in given for f in kind.name_fields or ("-",))):
        raise errors.ConfigurationError(
            "reveal_secret reads one %s, and no option selects one." % kind.label,
            hint="Select it with id, %s%s; lists never show a secret." % (
                kind.code_field, " or %s" % " and ".join(kind.name_fields) if kind.name_fields else ""))
    if "id" in given:
        identifier = given["id"]
    elif kind.code_field in given or (kind.name_fields and all(f in given for f in kind.name_fields)):
        code = given.get(kind.code_field)
        found = find_one(api, code=code, **dict((f, given.get(f)) for f in kind.name_fields if f in given))
        identifier = found["id"]
    else:
        return {"changed": False, kind.results_key: api.list(**given)}
    needs = kind.secret_fields if reveal else ()
    try:
        entity = api.get(identifier, needs=needs)
    except errors.InactiveSecretError:
        entity = dict(api.known(identifier), active=False)
    return {"changed": False, kind.result_key: entity if reveal else masked(kind, entity)}


def run_pam_info_module(kind):
    spec = pam_info_argument_spec(kind)
    module = SeguraModule(argument_spec=with_senhasegura_names(kind, spec, info=True), supports_check_mode=True,
                          mutually_exclusive=[("id", option) for option in spec if option not in ("id", "reveal_secret")])
    module.run(lambda: collect_pam_info(module, kind))


# -- mysafe_items: a list per kind -----------------------------------------------------------


def items_argument_spec(kinds):
    """A list per kind, named after the kind (``api_secrets``, ``passwords``, ``notes``; ``devices``,
    ``credentials``, ``ssh_keys``), whose elements take the options of the kind's item module; an
    exclusive tag per kind whose tags an answer shows.

    no_log=False said outright: the names look like secrets to Ansible, which would otherwise warn;
    the secret fields inside the elements are no_log themselves.
    """
    spec = dict((kind.results_key, dict(type="list", elements="dict", default=[], no_log=False,
                                        options=item_argument_spec(kind)))
                for kind in kinds)
    spec.update(
        exclusive_tags=dict(type="dict", options=dict((kind.results_key, dict(type="str", no_log=False))
                                                      for kind in kinds if kind.tags_shown_by)),
        max_parallel=dict(type="int", default=8),
    )
    if any(kind.sharing for kind in kinds):
        spec["exclusive_tags_include_shared"] = dict(type="bool", default=False)
    return spec


def apply_items(module, kinds):
    """Every kind's list applied with one client, one list after another in the table's order (PAM
    Core's devices before the credentials and keys on them), each in parallel;
    ``{changed, diff, <list>: {results, excluded, summary}}``.

    Nothing is sent unless every element of every list is valid. A list with neither elements
    nor an exclusive tag sends nothing. Failed elements do not stop the others: the task fails
    at the end, listing the failed elements of each kind, then the counts done all the same.
    """
    params = module.params
    max_parallel = params["max_parallel"]
    if max_parallel < 1:
        raise errors.ConfigurationError("Option max_parallel must be at least 1, got %d." % max_parallel,
                                        hint="The default, 8, suits most servers.")
    tags = dict((kind, (params["exclusive_tags"] or {}).get(kind.results_key)) for kind in kinds)
    for kind, tag in tags.items():
        if tag is not None and not tag.strip():
            raise errors.ConfigurationError("Option %s is empty." % tag_option(kind),
                                            hint="Give the tag that marks the %s this task owns, or leave it out."
                                                 % kind.plural)
    prepared = prepare_lists([(kind, params[kind.results_key]) for kind in kinds])
    module.client_settings["pool_size"] = max_parallel
    # One client for every list, built now: the connection options are checked even when there is nothing to do.
    apis = [module.api(kind) for kind in kinds]
    result = {"changed": False, "diff": []}
    failures, done = [], {}
    for kind, elements, api in zip(kinds, prepared, apis):
        outcome, kind_failures = bulk_outcome([], []), []
        if elements or tags[kind]:
            bulk = BulkSync(api, elements, max_parallel=max_parallel, owned_tag=tags[kind],
                            include_shared=params.get("exclusive_tags_include_shared"), check_mode=module.check_mode)
            outcome = bulk.run()
            for warning in bulk.warnings:
                module.warn(warning)
            kind_failures = bulk.failures
        failed = ["%s: %s" % (element.describe(), element_result["msg"])
                  for element, element_result in zip(elements, outcome["results"]) if element_result["failed"]]
        failed += ["%s %s: %s" % (kind.id_field, excluded[kind.id_field], excluded["msg"])
                   for excluded in outcome["excluded"] if excluded["failed"]]
        failed += kind_failures
        if failed:
            failures.append("%d of the %s failed: %s" % (len(failed), kind.plural, "; ".join(failed)))
        result["changed"] = result["changed"] or outcome["changed"]
        result["diff"].extend(outcome["diff"])
        result[kind.results_key] = dict((key, outcome[key]) for key in ("results", "excluded", "summary"))
        done[kind.results_key] = dict((operation, outcome["summary"][operation]) for operation in OPERATIONS)
    if failures:
        module.fail_json(msg="%s Done all the same: %s." % (" ".join(failures), json.dumps(done)), **result)
    return result


def run_items_module(kinds):
    """mysafe_items (``KINDS``) or pam_items (``PAM_KINDS``): ``kinds``, in the order they are applied."""
    kinds = list(kinds.values())
    module = SeguraModule(argument_spec=items_argument_spec(kinds), supports_check_mode=True)
    module.run(lambda: apply_items(module, kinds))


# -- pam_credential_custody ----------------------------------------------------------------------


CUSTODY_ARGUMENT_SPEC = dict(
    credentials=dict(type="list", elements="str", required=True),
    by=dict(type="str", choices=["auto", "id", "identifier", "username_at_hostname"], default="auto"),
    state=dict(type="str", choices=["released"], default="released"),
)


def release_custody(module):
    """``{changed, credentials: [{term, id, released}]}``: every term resolved (one list) before any release.

    A credential the application does not hold (1018) is not a change. Segura shows no one who holds custody,
    so check mode reports each selected credential as one it would release."""
    params = module.params
    keys = [term_key(CREDENTIAL, term, params["by"]) for term in params["credentials"]]
    api = module.api(CREDENTIAL)
    ids = [selected_id(api, by, key) for by, key in keys]
    outcome = []
    for term, identifier in zip(params["credentials"], ids):
        released = True if module.check_mode else api.release_custody(identifier)
        outcome.append({"term": term, "id": identifier, "released": released})
    return {"changed": any(item["released"] for item in outcome), "credentials": outcome}


def run_custody_module():
    module = SeguraModule(argument_spec=CUSTODY_ARGUMENT_SPEC, supports_check_mode=True)
    module.run(lambda: release_custody(module))
