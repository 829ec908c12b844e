# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lists of mysafe_items, one per kind: check all, resolve with few requests, apply in parallel.

1. :func:`prepare_lists`: every element of every list is validated
   (fields, a selector, listed once) before any request; problems fail the task naming the
   elements by list, index and selector.
2. :class:`BulkSync` resolves the selectors: one unfiltered list; identifier codes (which the
   list does not carry) by reading the visible items when they are not many more than the
   elements, else by one filtered list per code; no item is read twice.
3. Each element then goes through :class:`ItemSync` in a thread pool, with what was read as its
   starting point: the same rules as the single-item module (only changed fields sent,
   ambiguous writes settled by reading again). Every element is attempted; failures are
   reported per element.
4. With an exclusive tag, the tagged items that no element matched are found in the list (or in
   the list filtered by the tag, for kinds whose list does not carry tags), read once each, and
   those :func:`ownership` finds to be the API user's own are disabled; the others are named
   in a warning.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._engine import (
    ItemSync, ambiguous, read_unless_disabled, selected, selection_text)
from ansible_collections.segura.pam.plugins.module_utils._validation import item_fields

# Read every visible item to learn the identifier codes when they are at most this many per
# element (plus a few): cheaper than one filtered list per code.
READ_ALL_PER_ELEMENT = 2
READ_ALL_SLACK = 10
OPERATIONS = ("created", "updated", "enabled", "disabled", "unchanged")
# What the list and read answers tell of who owns an item the API user sees (see ownership()).
OWN, SHARED_TO_EDIT, SHARED_TO_VIEW = "own", "shared to edit", "shared to view"


def tag_option(kind):
    """The option that gives the exclusive tag of ``kind``, as messages and diff headers name it."""
    return "exclusive_tags." + kind.results_key


def ownership(summary, entity):
    """OWN, SHARED_TO_EDIT or SHARED_TO_VIEW: what the API tells of an item the API user sees.

    ``summary``: the item in the list answer; ``entity``: the item as read. The API names no
    owner. Only the owner and the shares with ``can_edit`` may change an item, so an item the
    API user may not write (``can_write`` false) is someone else's, shared with it to view;
    one it may write that no share lets anyone edit can only be its own. One it may write that
    a share lets edit may be someone else's, shared with the API user (or a group of it) to edit,
    or its own, shared with editors: the API does not tell which, since it names neither the
    API user nor its groups.
    """
    if "can_write" not in summary:  # PAM Core: no owner, no share; what the application sees and tagged is its own
        return OWN
    if not summary["can_write"]:
        return SHARED_TO_VIEW
    if any(share["can_edit"] for share in entity["users_allowed"] + entity["groups_allowed"]):
        return SHARED_TO_EDIT
    return OWN


class Element(object):
    """One element of the list of its kind: its position, selector and validated fields."""

    def __init__(self, kind, index, params):
        self.kind = kind
        self.index = index
        self.params = params
        #: the server's id (MySafe's identifier, PAM Core's id), when the element gives it
        self.identifier = params.get(kind.id_field) if kind.id_option else None
        self.code = params.get(kind.code_field) if kind.code_field else None
        self.state = params.get("state") or "present"
        self.rewrite = (params.get(kind.rewrite_option[0]) if kind.rewrite_option else None) or "always"
        self.wanted = None
        #: (identifier or None, entity or None) once resolved; None: ItemSync looks it up itself
        self.located = None
        #: a typed error found while resolving (ambiguous selection, failed list)
        self.failure = None

    @property
    def by(self):
        if self.identifier is not None:
            return "identifier"
        if self.code:
            return "code"
        if self.kind.name_fields and self.params.get(self.kind.name_fields[0]) is not None:
            return "name"
        return None

    @property
    def key(self):
        """What makes two elements the same item."""
        if self.by == "identifier":
            return ("identifier", self.identifier)
        if self.by == "code":
            return ("code", self.code)
        return ("name",) + tuple(self.params.get(field) for field in self.kind.name_fields)

    def selector(self):
        """The selector options as given (never a secret field)."""
        chosen = {"identifier": (self.kind.id_field,), "code": (self.kind.code_field,),
                  "name": self.kind.name_fields}.get(self.by, ())
        return {option: self.params[option] for option in chosen if self.params.get(option) is not None}

    def describe(self):
        shown = ", ".join("%s %r" % item for item in sorted(self.selector().items()))
        return "%s[%d]%s" % (self.kind.results_key, self.index, " (%s)" % shown if shown else "")


def _checked(kind, items):
    """(the elements of one list, the problems found in it)."""
    elements, problems, seen = [], [], {}
    for index, params in enumerate(items or []):
        element = Element(kind, index, params)
        elements.append(element)
        if element.by is None:
            ways = (((kind.id_field,) if kind.id_option else ()) + ((kind.code_field,) if kind.code_field else ())
                    + ((" and ".join(kind.name_fields[:1] if kind.sharing else kind.name_fields),)
                       if kind.name_fields else ()))
            problems.append("%s selects nothing: set %s" % (element.describe(), " or ".join(
                filter(None, (", ".join(ways[:-1]), ways[-1])))))
            continue
        try:
            element.wanted = item_fields(kind, params)
        except errors.ConfigurationError as error:
            problems.append("%s: %s" % (element.describe(), error))
        if element.key in seen:
            problems.append("%s names the same %s as %s[%d]" % (element.describe(), kind.label, kind.results_key,
                                                                seen[element.key]))
        seen.setdefault(element.key, index)
    return elements, problems


def prepare_lists(lists):
    """``lists``: (kind, items) each. The validated elements of each list; one
    ConfigurationError naming every element of every list that cannot be applied."""
    checked = [_checked(kind, items) for kind, items in lists]
    problems = [problem for _elements, found in checked for problem in found]
    if problems:
        raise errors.ConfigurationError(
            "%d of the %d items cannot be applied, so nothing was sent: %s." % (
                len(problems), sum(len(elements) for elements, _found in checked),
                "; ".join(problem.rstrip(".") for problem in problems)),
            hint="Correct those items and run the task again.")
    return [elements for elements, _found in checked]


def bulk_outcome(results, excluded):
    """What a bulk run returns: {changed, results, excluded, summary, diff list} (the diffs are
    taken out of the results)."""
    summary = dict.fromkeys(OPERATIONS + ("failed",), 0)
    diffs = []
    for result in results + excluded:
        summary["failed" if result["failed"] else result["operation"]] += 1
        if "diff" in result:
            diffs.append(result.pop("diff"))
    return {
        "changed": any(r["changed"] for r in results + excluded),
        "results": results,
        "excluded": excluded,
        "summary": summary,
        "diff": diffs,
    }


class BulkSync(object):
    """Apply ``elements`` (from :func:`prepare_lists`) of ``api.kind`` with ``max_parallel`` requests at once.

    ``owned_tag``: the kind's tag from ``exclusive_tags``; the active items that carry it, that no
    element matched and that are the API user's own are disabled. ``include_shared``: also those
    a share lets it edit, which may be someone else's (see :func:`ownership`). Items shared with it
    to view only are never disabled. The others are named in :attr:`warnings`.
    """

    def __init__(self, api, elements, max_parallel=8, owned_tag=None, include_shared=False, check_mode=False):
        self.api = api
        self.kind = api.kind
        self.elements = elements
        self.workers = max(1, max_parallel)
        self.owned_tag = owned_tag
        self.include_shared = include_shared
        self.check_mode = check_mode
        #: identifier -> entity, or None when it is disabled (it cannot be read then)
        self.read = {}
        self.visible = []
        #: the typed error of the unfiltered list, when it failed
        self.list_error = None
        self.warnings = []
        #: what made the whole kind fail besides its elements (the list of the tagged items)
        self.failures = []

    def _parallel(self, function, values):
        values = list(values)
        if not values:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(values))) as pool:
            return list(pool.map(function, values))

    def _read(self, identifier):
        """(identifier, entity, or None when disabled, or the typed error of the read)."""
        try:
            return identifier, read_unless_disabled(self.api, identifier)
        except errors.SeguraError as error:
            return identifier, error

    def _readable(self):
        return {i: entity for i, entity in self.read.items() if isinstance(entity, dict)}

    def _read_all(self, identifiers):
        """Read each identifier not read yet (in parallel); every item is read at most once."""
        for identifier, entity in self._parallel(self._read, [i for i in dict.fromkeys(identifiers)
                                                              if i not in self.read]):
            self.read[identifier] = entity

    # -- resolving --------------------------------------------------------------------------

    def resolve(self):
        """Give every element its (identifier, current entity); failures are kept on the element."""
        kind, elements = self.kind, self.elements
        if any(e.by != "identifier" for e in elements) or (self.owned_tag and self._list_has_tags):
            try:
                self.visible = self.api.list()
            except errors.SeguraError as error:  # the elements and the exclusive tag that needed it fail with it
                self.list_error = error
                for element in elements:
                    if element.by != "identifier":
                        element.failure = error
        by_code = [e for e in elements if e.by == "code" and e.failure is None]
        if by_code:
            self._resolve_codes(by_code)
        for element in elements:
            if element.failure is not None:
                continue
            if element.by == "name":
                names = {field: element.params.get(field) for field in kind.name_fields}
                found = selected(self.visible, names)
                if len(found) > 1:
                    element.failure = ambiguous(kind, [s[kind.id_field] for s in found],
                                                selection_text(kind, **names))
                element.located = (found[0][kind.id_field], None) if len(found) == 1 else (None, None)
            elif element.by == "identifier":
                element.located = (element.identifier, None)
        self._read_all(e.located[0] for e in elements if e.located and e.located[0] is not None)
        for element in elements:
            if element.located and element.located[0] is not None:
                entity = self.read[element.located[0]]
                if not isinstance(entity, errors.SeguraError):
                    element.located = (element.located[0], entity)
                elif isinstance(entity, errors.NotFoundError) and element.by == "identifier" and element.state == "absent":
                    element.located = (None, None)  # as in the single-item module: nothing to disable
                else:  # the read's own error, without reading it a second time
                    element.failure, element.located = entity, None

    def _resolve_codes(self, by_code):
        """Codes the list answer carries (PAM Core's hostnames and identifiers) are matched there; MySafe's
        identifier codes are not in it: read the visible items, or list per code."""
        code_field, id_field = self.kind.code_field, self.kind.id_field
        if code_field in self.kind.summary_fields:
            codes = {}
            for summary in self.visible:
                codes.setdefault(summary.get(code_field), []).append(summary[id_field])
            unknown = [e for e in by_code if e.code not in codes]
        elif len(self.visible) <= READ_ALL_PER_ELEMENT * len(self.elements) + READ_ALL_SLACK:
            self._read_all(s[id_field] for s in self.visible)
            codes = {}
            for entity in self._readable().values():
                codes.setdefault(entity[code_field], []).append(entity[id_field])
            # The list holds every visible item, disabled ones included: a code missing from what
            # was read can only be on an item that could not be read (disabled); none: it is new.
            unread = any(not isinstance(self.read.get(s[id_field]), dict) for s in self.visible)
            unknown = [e for e in by_code if e.code not in codes] if unread else []
        else:
            codes, unknown = {}, by_code

        # Not among the readable or listed items (new, or disabled): the filtered list says which.
        def listed(element):
            try:
                return [s[id_field] for s in self.api.list(**{code_field: element.code})]
            except errors.SeguraError as error:
                element.failure = error
                return []

        for element, found in zip(unknown, self._parallel(listed, unknown)):
            codes[element.code] = found
        for element in by_code:
            if element.failure is not None:
                continue
            matches = codes.get(element.code) or []
            if len(matches) > 1:
                element.failure = ambiguous(self.kind, matches, selection_text(self.kind, code=element.code))
            element.located = (matches[0], None) if len(matches) == 1 else (None, None)

    # -- applying ---------------------------------------------------------------------------

    def _apply(self, element):
        id_field = self.kind.id_field
        result = dict(element.selector(), operation=None, changed=False, failed=False, msg="")
        result[id_field] = element.identifier
        try:
            if element.failure is not None:
                raise element.failure
            sync = ItemSync(self.api, identifier=element.identifier, code=element.code, wanted=element.wanted,
                            state=element.state, rewrite=element.rewrite, check_mode=self.check_mode,
                            located=element.located)
            outcome = sync.run()
            self.warnings.extend("%s: %s" % (element.describe(), warning) for warning in sync.warnings)
            result.update(operation=outcome["operation"], changed=outcome["changed"])
            result[id_field] = outcome[id_field]
            if outcome["changed"]:
                result["diff"] = dict(outcome["diff"], before_header=element.describe(),
                                      after_header=element.describe())
        except errors.SeguraError as error:
            result.update(failed=True, msg=str(error))
            result[id_field] = element.located[0] if element.located else element.identifier
        return result

    @property
    def _list_has_tags(self):
        return self.kind.tags_shown_by == "list"

    def _tagged_summaries(self):
        """The list summaries of the items that may carry the exclusive tag. A list without tags is
        asked with the tag filter, whose matching is not documented as exact; a kind whose tags only a
        read shows gives every listed item: reads confirm it."""
        if self.kind.tags_shown_by != "filter":
            if self.list_error is not None:
                raise self.list_error
            return [s for s in self.visible if not self._list_has_tags or self.owned_tag in s["tags"]]
        return self.api.list(tag=self.owned_tag)

    def _named(self, item):
        """``identifier 4 (name 'x')``, ``id 7 (hostname 'db-01')``: an item in messages."""
        label = self.kind.code_field if not self.kind.sharing else "name"
        return "%s %s (%s %r)" % (self.kind.id_field, item[self.kind.id_field], label, item.get(label))

    def _left_alone(self, entities, why):
        shown = ", ".join(self._named(e) for e in entities)
        self.warnings.append("%s '%s' left alone %d tagged %s that no element names, %s: %s." % (
            tag_option(self.kind), self.owned_tag, len(entities),
            self.kind.label if len(entities) == 1 else self.kind.plural, why, shown))

    def _exclusive(self, results):
        """Disable the API user's own active items with the exclusive tag that no element matched."""
        id_field = self.kind.id_field
        label = self.kind.code_field if not self.kind.sharing else "name"
        matched = {r[id_field] for r in results if r[id_field] is not None}
        try:
            candidates = [s for s in self._tagged_summaries() if s[id_field] not in matched]
        except errors.SeguraError as error:
            self.failures.append("%s '%s' was not applied: %s" % (tag_option(self.kind), self.owned_tag, error))
            return []
        self._read_all(s[id_field] for s in candidates)
        found = {OWN: [], SHARED_TO_EDIT: [], SHARED_TO_VIEW: []}
        unread = []
        for summary in candidates:
            entity = self.read[summary[id_field]]
            # None: disabled; not found: gone since the list, or disabled on a server that says so (older pages)
            if isinstance(entity, errors.NotFoundError) or entity is None:
                continue
            if isinstance(entity, errors.SeguraError):
                unread.append((summary, entity))
            elif self.owned_tag in entity["tags"]:
                found[ownership(summary, entity)].append(entity)
        if found[SHARED_TO_VIEW]:
            self._left_alone(found[SHARED_TO_VIEW], "shared with the API user to view only (ask their owners to "
                                                    "remove the tag)")
        if found[SHARED_TO_EDIT] and not self.include_shared:
            self._left_alone(found[SHARED_TO_EDIT], "which a share lets edit, so each may be someone else's shared "
                                                    "with the API user as well as its own shared with editors (the "
                                                    "API does not tell; exclusive_tags_include_shared: true "
                                                    "disables them too)")
        owned = found[OWN] + (found[SHARED_TO_EDIT] if self.include_shared else [])

        def disable(entity):
            identifier = entity[id_field]
            sync = ItemSync(self.api, identifier=identifier, state="absent", check_mode=self.check_mode,
                            located=(identifier, entity))
            result = {id_field: identifier, label: entity.get(label), "failed": False, "msg": ""}
            try:
                outcome = sync.run()
                header = "%s %s (%s %r)" % (id_field, identifier, tag_option(self.kind), self.owned_tag)
                result.update(operation=outcome["operation"], changed=outcome["changed"])
                if outcome["changed"]:
                    result["diff"] = dict(outcome["diff"], before_header=header, after_header=header)
            except errors.SeguraError as error:
                result.update(operation=None, changed=False, failed=True, msg=str(error))
            return result

        failed_reads = [{id_field: summary[id_field], label: summary.get(label), "operation": None,
                         "changed": False, "failed": True, "msg": str(error)} for summary, error in unread]
        return failed_reads + self._parallel(disable, sorted(owned, key=lambda e: e[id_field]))

    def run(self):
        """{changed, results, summary, diff list} — ``failed`` elements are counted, not raised."""
        try:
            self.resolve()
        except errors.SeguraError as error:  # the list itself failed: every element fails with it
            for element in self.elements:
                element.failure = error
        results = self._parallel(self._apply, self.elements)
        excluded = []
        if self.owned_tag:
            # an element selected by identifier is matched whatever happened to it afterwards
            unmatched = [element.describe() for element in self.elements
                         if element.failure is not None and element.by != "identifier"]
            if unmatched:  # such an element may mean any of the tagged items: none is surely unlisted
                self.warnings.append("%s '%s' was not applied: %s could not be matched to %s." % (
                    tag_option(self.kind), self.owned_tag, ", ".join(unmatched), self.kind.a_label))
            else:
                excluded = self._exclusive(results)
        return bulk_outcome(results, excluded)
