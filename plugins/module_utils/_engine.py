# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one engine of every kind: find one item, compare, write only the difference.

- :func:`find_one`: exactly one visible item for an identifier code or a name, or a clear error
  naming the candidates' identifiers.
- :class:`Differences`: ``changed`` and the diff come from the same comparison, so they cannot
  disagree; secret fields are masked in it.
- :class:`ItemSync`: read, compare, write only the difference, honour check mode, and settle
  an ambiguous write by reading again, never by a blind second create.
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import (
    MASK, masked, normalise_groups, normalise_users, split_tags)

# An ambiguous write (dropped connection, gateway error after sending) is resolved by reading
# the item again; this many rounds of "locate, compare, write" at most.
WRITE_ROUNDS = 3


def comparable(field, value):
    """A value in the form used for comparison (order-insensitive where the API is)."""
    if field in ("tags", "domains", "devices"):
        return sorted(set(split_tags(value)))
    if field == "connectivities":  # "ssh:22" and "SSH:22" are one connectivity
        return sorted(set(item.replace(" ", "").upper() for item in split_tags(value)))
    if field == "users_allowed":
        return normalise_users(value)
    if field == "groups_allowed":
        return normalise_groups(value)
    if field == "method":
        return (value or "").lower()
    if field == "secret_key":  # base32: case, spaces and padding carry no meaning
        return "".join(str(value or "").split()).upper().rstrip("=")
    return "" if value is None else str(value)


def selected(summaries, selection):
    """The list summaries whose fields equal every value given in ``selection`` (exact, case included)."""
    wanted = {field: value for field, value in selection.items() if value is not None}
    return [summary for summary in summaries if all(summary.get(field) == value for field, value in wanted.items())]


def find_all(api, code=None, **selection):
    """Every visible item with this identifier code, or with exactly these name fields.

    The list's own filters narrow the answer; the match is exact on our side, since the
    server's matching is not documented as exact.
    """
    kind = api.kind
    selection = {field: value for field, value in selection.items() if value is not None}
    if not code and (not kind.name_fields or kind.name_fields[0] not in selection):
        names = " and ".join(kind.name_fields[:1] if kind.sharing else kind.name_fields)
        raise errors.ConfigurationError(
            "No way to select the %s: none of %s%s%s is set." % (
                kind.label, kind.id_field, ", %s" % kind.code_field if kind.code_field else "",
                " or %s" % names if names else ""),
            hint="Set %s (the server's id)%s%s." % (
                kind.id_field, ", %s" % kind.code_field if kind.code_field else "", " or %s" % names if names else ""))
    if code:  # the list answer does not carry the code: the server's filter decides
        return api.list(**{kind.code_field: code}), selection_text(kind, code=code)
    return selected(api.list(**selection), selection), selection_text(kind, **selection)


def selection_text(kind, code=None, **selection):
    """How a code or name selection reads in messages: ``identifier_code 'x'``, ``name 'db' and username 'svc'``."""
    if code:
        return "%s '%s'" % (kind.code_field, code)
    return " and ".join("%s '%s'" % (field, selection[field]) for field in kind.name_fields
                        if selection.get(field) is not None)


def find_one(api, code=None, **selection):
    """The summary of the one visible item selected, or NotFoundError / AmbiguousSelectionError."""
    kind = api.kind
    found, what = find_all(api, code=code, **selection)
    if not found:
        raise errors.NotFoundError(
            "No %s visible to this API user has %s." % (kind.label, what),
            hint="Check the value and that the %s is shared with the API user (%s lists what it sees)."
                 % (kind.label, kind.info_module))
    if len(found) > 1:
        raise ambiguous(kind, [item[kind.id_field] for item in found], what)
    return found[0]


def ambiguous(kind, identifiers, what):
    """The error for a code or name selection (``what``, from :func:`selection_text`) that several
    visible items match, naming their identifiers."""
    return errors.AmbiguousSelectionError(
        "%d %s visible to this API user have %s (%ss %s)." % (
            len(identifiers), kind.plural, what, kind.id_field, ", ".join(map(str, identifiers))),
        hint="Select one with %s: %s." % (kind.id_field, (
            "several owners may share theirs with this API user under the same %s" % what.split(" ", 1)[0])
            if kind.sharing else "several items match, e.g. one username on several devices"))


def read_unless_disabled(api, identifier, needs=()):
    """The full item, or None when it is disabled (Segura refuses to read a disabled item).

    ``needs``: the fields the caller compares (a PAM credential is read, taking custody, only
    for the fields only that read shows)."""
    try:
        return api.get(identifier, needs=needs)
    except errors.InactiveSecretError:
        return None


class Differences(object):
    """Field-by-field comparison of the current item with the wanted fields."""

    def __init__(self, kind, current, wanted):
        self.before = {}
        self.after = {}
        self.changes = {}
        #: fields the current item does not show (PAM Core answers lack some): not compared
        self.unverified = sorted(field for field in wanted if current is not None and field not in current)
        for field, value in sorted(wanted.items()):
            if field in self.unverified:
                continue
            old = comparable(field, current.get(field)) if current is not None else None
            new = comparable(field, value)
            differs = old != new
            if differs:
                self.changes[field] = value if field == "secret_key" else new
            secret = field in kind.secret_fields
            self.before[field] = (MASK if secret else old) if current is not None else None
            self.after[field] = MASK + (" (changed)" if differs and current is not None else "") if secret else new

    def add(self, field, before, after):
        self.before[field], self.after[field] = before, after
        if before != after:
            self.changes[field] = after


class ItemSync(object):
    """Bring one item to the wanted state.

    Selected by ``identifier``, else by the kind's code field, else by its name fields among
    the visible items. ``wanted``: the normalised fields the user set (left-out fields stay as
    they are). ``rewrite``: ``always`` or ``on_create`` for the kind's rewrite field.
    ``located``: (identifier or None, current entity or None) when the caller has already looked
    the item up (the bulk engine); used for the first round only.
    """

    def __init__(self, api, identifier=None, code=None, wanted=None, state="present", rewrite="always",
                 check_mode=False, located=None):
        self.api = api
        self.kind = api.kind
        self.identifier = identifier
        self.code = code
        self.wanted = dict(wanted or {})
        if code:
            self.wanted[self.kind.code_field] = code
        self.state = state
        self.rewrite = rewrite
        self.check_mode = check_mode
        self.warnings = []
        #: the write under way, reported if it turns out applied after an ambiguous failure
        self.attempting = None
        #: an ambiguous create of an item selected by name: the server may apply it late
        self.unconfirmed_create = None
        self._located = located

    # -- locating -------------------------------------------------------------------------

    def locate(self):
        """Returns (identifier or None, current entity or None; entity None + id = inactive)."""
        if self._located is not None:
            located, self._located = self._located, None
            identifier, current = located
            compared = self._compared()
            if current is not None and any(field not in current for field in self.kind.rewrite_fields
                                           if field in compared):
                # looked up without the field the rewrite compares (a PAM credential's list row): read it
                return identifier, read_unless_disabled(self.api, identifier, needs=compared)
            return located
        identifier = self.identifier
        if identifier is None:
            selection = {field: self.wanted.get(field) for field in self.kind.name_fields}
            found, what = find_all(self.api, code=self.code, **selection)
            if not found:
                return None, None
            if len(found) > 1:
                raise ambiguous(self.kind, [item[self.kind.id_field] for item in found], what)
            identifier = found[0][self.kind.id_field]
        try:
            return identifier, read_unless_disabled(self.api, identifier, needs=self._compared())
        except errors.NotFoundError:
            if self.identifier is not None and self.state == "absent":
                return None, None
            raise

    def _compared(self):
        """The fields compared with the current item (the rewritten ones only with ``always``)."""
        wanted = dict(self.wanted)
        if self.rewrite == "on_create":
            for field in self.kind.rewrite_fields:
                wanted.pop(field, None)
        return wanted

    # -- applying -------------------------------------------------------------------------

    def run(self):
        attempted = None
        for round_number in range(WRITE_ROUNDS):
            self.attempting = None
            try:
                result = self._run_once()
            except errors.AmbiguousWriteError as exc:
                if round_number == WRITE_ROUNDS - 1 or isinstance(exc, errors.UnconfirmedWriteError):
                    raise
                attempted = attempted or self.attempting
                # an upsert finds the item it may have created: only a MySafe create can be duplicated
                if self.attempting == "created" and not self.code and not self.kind.upsert:
                    self.unconfirmed_create = exc
                self.warnings.append("%s The %s was read again before any retry." % (exc.message, self.kind.label))
                continue
            if attempted and result["operation"] == "unchanged" and not self.check_mode:
                # the write that seemed to fail was applied: report what it did
                result.update(changed=True, operation=attempted)
            return result

    def _result(self, operation, identifier, entity, diff):
        """``operation``: created, updated, enabled, disabled or unchanged (what a real run does)."""
        result = {
            "changed": operation != "unchanged",
            "operation": operation,
            self.kind.id_field: identifier,
            self.kind.result_key: masked(self.kind, entity) if entity else None,
            "diff": {"before": diff.before, "after": diff.after},
        }
        if self.kind.id_field != "identifier" and "identifier" in self.kind.text_fields:
            result["identifier"] = (entity or {}).get("identifier", self.code)
        return result

    def _run_once(self):
        identifier, current = self.locate()
        if self.state == "absent":
            return self._disable(identifier, current)
        if identifier is None:
            return self._create()
        diff = Differences(self.kind, {}, {})
        activated = False
        if current is None:  # inactive: it must be enabled before it can be read
            diff.add("active", False, True)
            if self.check_mode:
                return self._result("enabled", identifier, None, diff)
            self.attempting = "enabled"
            self.api.set_active(identifier, True, context=self.wanted)
            activated = True
            current = self.api.get(identifier, needs=self._compared())
            identifier = current.get(self.kind.id_field, identifier)  # PAM Core: the id, once the code found it
        fields = Differences(self.kind, current, self._compared())
        diff.before.update(fields.before)
        diff.after.update(fields.after)
        if fields.unverified:
            self.warnings.append(
                "Segura's answers do not show the %s's %s, so %s not compared: %s written only with another "
                "change%s." % (self.kind.label, ", ".join(fields.unverified),
                               "it was" if len(fields.unverified) == 1 else "they were",
                               "it is" if len(fields.unverified) == 1 else "they are", self.kind.unverified_hint))
        if not fields.changes:
            return self._result("enabled" if activated else "unchanged", identifier, current, diff)
        if not self.check_mode:
            self.attempting = "updated"
            changes = dict(fields.changes, **dict((f, self.wanted[f]) for f in fields.unverified))
            self._report_sharing(self.api.update(identifier, changes))
            current = self.api.get(identifier)
        else:
            current = dict(current, **fields.changes)
        return self._result("updated", identifier, current, diff)

    def _create(self):
        kind = self.kind
        missing = [f for f in kind.required_to_create if not self.wanted.get(f)]
        if missing:
            raise errors.ConfigurationError(
                "No matching %s exists, and %s %s required to create one." % (
                    kind.label, ", ".join(missing), "is" if len(missing) == 1 else "are"),
                hint="Set %s, or select an existing %s with identifier%s." % (
                    ", ".join(missing), kind.label, " or %s" % kind.code_field if kind.code_field else ""))
        diff = Differences(kind, None, self.wanted)
        if self.check_mode:
            return self._result("created", None, dict(self.wanted, active=True), diff)
        if self.unconfirmed_create is not None:
            # Nothing but the name tells items apart, and a late create shows up only later:
            # a second create could make a duplicate that no later run can tell from the first.
            raise errors.UnconfirmedWriteError(
                "Creating the %s named '%s' may have been applied by Segura although its answer was lost "
                "(%s); it is not visible yet, so it is not created a second time."
                % (kind.label, self.wanted["name"], self.unconfirmed_create.message),
                self.unconfirmed_create,
                hint="Look for it in a minute (%s with name, or in MySafe) before running the task again.%s"
                     % (kind.info_module, " Give the %s an %s: a create selected by %s can never be duplicated."
                        % (kind.label, kind.code_field, kind.code_field) if kind.code_field else ""))
        self.attempting = "created"
        identifier, shared_error = self.api.create(self.wanted)
        self._report_sharing(shared_error)
        return self._result("created", identifier, self.api.get(identifier), diff)

    def _disable(self, identifier, current):
        diff = Differences(self.kind, {}, {})
        if identifier is None or current is None:  # missing or already disabled
            return self._result("unchanged", identifier, None, diff)
        diff.add("active", True, False)
        if self.kind.cascades:  # what Segura deactivates with it, shown before it happens (check mode too)
            diff.add("deactivates", [], self.api.dependents(current))
        self.attempting = "disabled"
        if not self.check_mode and not self.api.set_active(identifier, False):
            return self._result("unchanged", identifier, dict(current, active=False), diff)
        return self._result("disabled", identifier, dict(current, active=False), diff)

    def _report_sharing(self, shared_error):
        if shared_error:
            self.warnings.append(self.kind.partial_error_text % "; ".join(map(str, shared_error)))
