# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The MySafe endpoints of every kind, and the quirks folded into one item shape.

Whatever the server answers (``api_entity`` on create and update but ``api_secret_entity`` on
read, ``note`` in a password's write answer but ``notes`` on read, ids as strings, users as
``username`` or ``name``), callers get one normalised dict per item::

    {identifier: int, <the kind's text fields>: str, tags: [str],
     users_allowed: [{username, can_edit}], groups_allowed: [{name, can_edit}], active: bool}
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils.errors import MASK


def to_bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def to_identifier(value):
    try:
        identifier = int(str(value).strip())
    except (TypeError, ValueError):
        identifier = -1
    if identifier < 1 or isinstance(value, bool):
        raise errors.UnexpectedResponseError(
            "Segura sent an identifier that is not a positive integer (%r)." % (value,),
            hint="The server's answer is not what the MySafe API documents.")
    return identifier


def split_tags(tags):
    """``tags`` is one comma-separated string on the wire; a list everywhere else."""
    if tags is None:
        return []
    if isinstance(tags, (list, tuple)):
        parts = tags
    else:
        parts = str(tags).split(",")
    return [str(t).strip() for t in parts if str(t).strip()]


def normalise_users(users):
    return sorted(({"username": str(u.get("username") or u.get("name") or ""), "can_edit": to_bool(u.get("can_edit"))}
                   for u in users or [] if isinstance(u, dict)), key=lambda u: u["username"])


def normalise_groups(groups):
    return sorted(({"name": str(g.get("name") or g.get("groupname") or ""), "can_edit": to_bool(g.get("can_edit"))}
                   for g in groups or [] if isinstance(g, dict)), key=lambda g: g["name"])


def normalise_entity(kind, raw, active=True):
    """One item shape from a read answer."""
    entity = {"identifier": to_identifier(raw.get("identifier"))}
    for field in kind.text_fields + kind.read_only_fields:
        value = raw.get(field)
        entity[field] = "" if value is None else str(value)
    if "method" in entity:
        entity["method"] = entity["method"].lower()
    entity["tags"] = split_tags(raw.get("tags"))
    entity["users_allowed"] = normalise_users(raw.get("users_allowed"))
    entity["groups_allowed"] = normalise_groups(raw.get("groups_allowed"))
    entity["active"] = active
    return entity


def normalise_summary(kind, raw):
    """An item of the list answer: identifier, name (and username for passwords), permissions."""
    summary = {"identifier": to_identifier(raw.get("identifier"))}
    for field in kind.summary_fields:
        summary[field] = split_tags(raw.get(field)) if field == "tags" else str(raw.get(field) or "")
    summary.update(
        can_view=to_bool(raw.get("can_view", True)),
        can_write=to_bool(raw.get("can_write", False)),
        need_justify=to_bool(raw.get("need_justify", False)),
        need_approval=to_bool(raw.get("need_approval", False)),
    )
    return summary


def masked(kind, entity):
    """A copy safe to return or log: every secret field that holds a value replaced by the mask."""
    safe = dict(entity)
    for field in kind.secret_fields:
        if safe.get(field):
            safe[field] = MASK
    return safe


def to_request(fields):
    """Normalised fields -> request body (tags joined, users named ``username``)."""
    body = {}
    for field, value in fields.items():
        if field == "tags":
            body["tags"] = ",".join(split_tags(value))
        elif field == "users_allowed":
            body[field] = [{"username": u["username"], "can_edit": bool(u.get("can_edit"))} for u in value]
        elif field == "groups_allowed":
            body[field] = [{"name": g["name"], "can_edit": bool(g.get("can_edit"))} for g in value]
        else:
            body[field] = value
    return body


def _entity_of(envelope, keys, required=True):
    for key in keys:
        if isinstance(envelope.get(key), dict):
            return envelope[key]
    if not required:
        return {}
    raise errors.UnexpectedResponseError(
        "Segura's answer has none of %s." % ", ".join(keys),
        hint="The server's answer is not what the MySafe API documents; check the Segura version.")


# What to do about Segura's refusals of an item, said for the kind at hand: the one wording of these
# hints. Every module, lookup and the AWX plugin reach MySafe through MySafeApi, so the client's
# error mapping, which knows no kind, gives these errors no hint of its own.
REFUSAL_HINTS = {
    errors.NotFoundError: "Check the identifier; list the %(plural)s you can see with %(info_module)s.",
    errors.AccessDeniedError: (
        "The API user of segura_client_id has no access, or only view access, to this %(label)s: the owner must "
        "share it with that user (users_allowed / groups_allowed, with can_edit: true to change, disable or "
        "enable it)."),
    errors.InactiveSecretError: "The %(label)s is disabled: enable it with %(module)s state=present.",
}


class MySafeApi(object):
    """The MySafe endpoints of one kind over one :class:`SeguraClient`."""

    def __init__(self, client, kind):
        self.client = client
        self.kind = kind

    def _request(self, method, path, params=None, body=None):
        try:
            return self.client.request(method, path, params=params, body=body)
        except (errors.NotFoundError, errors.AccessDeniedError, errors.InactiveSecretError) as error:
            kind = self.kind
            error.hint = REFUSAL_HINTS[type(error)] % {"plural": kind.plural, "label": kind.label,
                                                       "module": kind.module, "info_module": kind.info_module}
            raise

    def list(self, **filters):
        """The visible items (summaries), narrowed by the server's own filters where given."""
        params = {name: value for name, value in filters.items() if value and name in self.kind.list_filters}
        envelope = self._request("GET", self.kind.path, params=params or None)
        items = next((envelope[key] for key in self.kind.list_keys if key in envelope), None) or []
        if not isinstance(items, list):
            raise errors.UnexpectedResponseError("Segura's list answer is not a list.",
                                                 hint="Check the Segura version.")
        return [normalise_summary(self.kind, item) for item in items if isinstance(item, dict)]

    def get(self, identifier, needs=()):
        """The item; ``needs`` (the fields the caller compares) does not matter here: a read shows them all."""
        envelope = self._request("GET", "%s/%d" % (self.kind.path, identifier))
        return normalise_entity(self.kind, _entity_of(envelope, self.kind.read_keys))

    def create(self, fields):
        """Returns (identifier, shared_error list)."""
        envelope = self._request("POST", self.kind.path, body=to_request(fields))
        raw = _entity_of(envelope, self.kind.write_keys)
        return to_identifier(raw.get("identifier")), list(raw.get("shared_error") or [])

    def update(self, identifier, fields):
        """Send only ``fields``; returns the shared_error list."""
        envelope = self._request("PUT", "%s/update/%d" % (self.kind.path, identifier), body=to_request(fields))
        return list(_entity_of(envelope, self.kind.write_keys, required=False).get("shared_error") or [])

    def set_active(self, identifier, active, context=None):
        """Enable or disable; returns False when the server says it already was (``context`` is for PAM
        Core, which may need the wanted fields to find an item's id)."""
        envelope = self._request("POST", "%s/%s/%d" % (self.kind.path, "active" if active else "inactive", identifier))
        message = str((envelope.get("response") or {}).get("message") or "")
        return "already" not in message.lower()
