# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read, compare, write only the difference, honour check mode: once, for every caller.

``changed`` and the diff come from the same :class:`Differences`, so they cannot disagree.
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils.mysafe import MASK, masked, normalise_groups, normalise_users, split_tags

REQUIRED_TO_CREATE = ("name", "url", "client_id")
# An ambiguous write (dropped connection, gateway error after sending) is resolved by reading
# the secret again; this many rounds of "locate, compare, write" at most.
WRITE_ROUNDS = 3


def comparable(field, value):
    """A value in the form used for comparison (order-insensitive where the API is)."""
    if field == "tags":
        return sorted(set(split_tags(value)))
    if field == "users_allowed":
        return normalise_users(value)
    if field == "groups_allowed":
        return normalise_groups(value)
    if field == "method":
        return (value or "").lower()
    return "" if value is None else str(value)


def shown(field, value, changed=False):
    if field == "client_secret":
        return MASK + (" (changed)" if changed else "")
    return value


class Differences(object):
    """Field-by-field comparison of the current secret with the wanted fields."""

    def __init__(self, current, wanted):
        self.before = {}
        self.after = {}
        self.changes = {}
        for field, value in sorted(wanted.items()):
            old = comparable(field, current.get(field)) if current is not None else None
            new = comparable(field, value)
            differs = old != new
            if differs:
                self.changes[field] = new
            self.before[field] = shown(field, old) if current is not None else None
            self.after[field] = shown(field, new, differs and current is not None)

    def add(self, field, before, after):
        self.before[field], self.after[field] = before, after
        if before != after:
            self.changes[field] = after


class SecretSync(object):
    """Bring one API secret to the wanted state.

    ``selector``: identifier, identifier_code or neither (then ``name`` among visible secrets).
    ``wanted``: normalised fields given by the user (left-out fields stay as they are).
    """

    def __init__(self, api, identifier=None, identifier_code=None, wanted=None, state="present",
                 update_secret="always", check_mode=False):
        self.api = api
        self.identifier = identifier
        self.identifier_code = identifier_code
        self.wanted = dict(wanted or {})
        if identifier_code:
            self.wanted["identifier_code"] = identifier_code
        self.state = state
        self.update_secret = update_secret
        self.check_mode = check_mode
        self.warnings = []
        #: the write under way, reported if it turns out applied after an ambiguous failure
        self.attempting = None
        #: an ambiguous create of a secret selected by name: the server may apply it late
        self.unconfirmed_create = None

    # -- locating -------------------------------------------------------------------------

    def _candidates(self):
        if self.identifier_code:
            return self.api.list(identifier_code=self.identifier_code), "identifier_code '%s'" % self.identifier_code
        name = self.wanted.get("name")
        if not name:
            raise errors.ConfigurationError(
                "No way to select the API secret: none of identifier, identifier_code or name is set.",
                hint="Set identifier (the server's id), identifier_code, or name.")
        return [s for s in self.api.list() if s["name"] == name], "name '%s'" % name

    def locate(self):
        """Returns (identifier or None, current entity or None; entity None + id = inactive)."""
        identifier = self.identifier
        if identifier is None:
            found, what = self._candidates()
            if not found:
                return None, None
            if len(found) > 1:
                raise errors.ConfigurationError(
                    "%d API secrets match %s (identifiers %s)." % (
                        len(found), what, ", ".join(str(s["identifier"]) for s in found)),
                    hint="Set identifier to choose one%s."
                         % ("" if self.identifier_code else ", or use a unique identifier_code"))
            identifier = found[0]["identifier"]
        try:
            return identifier, self.api.get(identifier)
        except errors.InactiveSecretError:
            return identifier, None
        except errors.NotFoundError:
            if self.identifier is not None and self.state == "absent":
                return None, None
            raise

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
                if self.attempting == "created" and not self.identifier_code:
                    self.unconfirmed_create = exc
                self.warnings.append("%s The secret was read again before any retry." % exc.message)
                continue
            if attempted and result["operation"] == "unchanged" and not self.check_mode:
                # the write that seemed to fail was applied: report what it did
                result.update(changed=True, operation=attempted)
            return result

    def _result(self, operation, identifier, entity, diff):
        """``operation``: created, updated, enabled, disabled or unchanged (what a real run does)."""
        return {
            "changed": operation != "unchanged",
            "operation": operation,
            "identifier": identifier,
            "api_secret": masked(entity) if entity else None,
            "diff": {"before": diff.before, "after": diff.after},
        }

    def _run_once(self):
        identifier, current = self.locate()
        if self.state == "absent":
            return self._disable(identifier, current)
        if identifier is None:
            return self._create()
        diff = Differences({}, {})
        activated = False
        if current is None:  # inactive: it must be enabled before it can be read
            diff.add("active", False, True)
            if self.check_mode:
                return self._result("enabled", identifier, None, diff)
            self.attempting = "enabled"
            self.api.set_active(identifier, True)
            activated = True
            current = self.api.get(identifier)
        wanted = dict(self.wanted)
        if self.update_secret == "on_create":
            wanted.pop("client_secret", None)
        fields = Differences(current, wanted)
        diff.before.update(fields.before)
        diff.after.update(fields.after)
        if not fields.changes:
            return self._result("enabled" if activated else "unchanged", identifier, current, diff)
        if not self.check_mode:
            self.attempting = "updated"
            self._report_sharing(self.api.update(identifier, fields.changes))
            current = self.api.get(identifier)
        else:
            current = dict(current, **fields.changes)
        return self._result("updated", identifier, current, diff)

    def _create(self):
        missing = [f for f in REQUIRED_TO_CREATE if not self.wanted.get(f)]
        if missing:
            raise errors.ConfigurationError(
                "No matching API secret exists, and %s %s required to create one." % (
                    ", ".join(missing), "is" if len(missing) == 1 else "are"),
                hint="Set %s, or select an existing secret with identifier or identifier_code." % ", ".join(missing))
        diff = Differences(None, self.wanted)
        if self.check_mode:
            return self._result("created", None, dict(self.wanted, active=True), diff)
        if self.unconfirmed_create is not None:
            # Nothing but the name tells secrets apart, and a late create shows up only later:
            # a second create could make a duplicate that no later run can tell from the first.
            raise errors.UnconfirmedWriteError(
                "Creating the API secret named '%s' may have been applied by Segura although its answer was lost "
                "(%s); it is not visible yet, so it is not created a second time."
                % (self.wanted["name"], self.unconfirmed_create.message),
                self.unconfirmed_create,
                hint="Look for it in a minute (segura.pam.mysafe_api_secret_info with name, or in MySafe) before "
                     "running the task again. Give the secret an identifier_code: a create selected by "
                     "identifier_code can never be duplicated.")
        self.attempting = "created"
        identifier, shared_error = self.api.create(self.wanted)
        self._report_sharing(shared_error)
        return self._result("created", identifier, self.api.get(identifier), diff)

    def _disable(self, identifier, current):
        diff = Differences({}, {})
        if identifier is None or current is None:  # missing or already disabled
            return self._result("unchanged", identifier, None, diff)
        diff.add("active", True, False)
        self.attempting = "disabled"
        if not self.check_mode and not self.api.set_active(identifier, False):
            return self._result("unchanged", identifier, dict(current, active=False), diff)
        return self._result("disabled", identifier, dict(current, active=False), diff)

    def _report_sharing(self, shared_error):
        if shared_error:
            self.warnings.append("Segura could not apply part of the sharing: %s. Check that every user in "
                                 "users_allowed and group in groups_allowed exists." % "; ".join(map(str, shared_error)))
