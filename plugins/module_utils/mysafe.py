# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""MySafe API secrets: the endpoints, and the quirks folded into one entity shape.

Whatever the server answers (``api_entity`` on create and update, ``api_secret_entity`` on
read, ids as strings, users as ``username`` or ``name``), callers get the same normalised
dict::

    {identifier: int, name, url, client_id, client_secret, identifier_code, method,
     tags: [str], notes, users_allowed: [{username, can_edit}],
     groups_allowed: [{name, can_edit}], active: bool}
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils.errors import MASK

SECRETS_PATH = "/api/mysafe/secretapi"
TEXT_FIELDS = ("name", "url", "client_id", "client_secret", "identifier_code", "method", "notes")
FIELDS = TEXT_FIELDS + ("tags", "users_allowed", "groups_allowed")


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


def normalise_entity(raw, active=True):
    """One entity shape from a create, update or read answer."""
    entity = {"identifier": to_identifier(raw.get("identifier"))}
    for field in TEXT_FIELDS:
        value = raw.get(field)
        entity[field] = "" if value is None else str(value)
    entity["method"] = entity["method"].lower()
    entity["tags"] = split_tags(raw.get("tags"))
    entity["users_allowed"] = normalise_users(raw.get("users_allowed"))
    entity["groups_allowed"] = normalise_groups(raw.get("groups_allowed"))
    entity["active"] = active
    return entity


def normalise_summary(raw):
    return {
        "identifier": to_identifier(raw.get("identifier")),
        "name": str(raw.get("name") or ""),
        "can_view": to_bool(raw.get("can_view", True)),
        "can_write": to_bool(raw.get("can_write", False)),
        "need_justify": to_bool(raw.get("need_justify", False)),
        "need_approval": to_bool(raw.get("need_approval", False)),
    }


def masked(entity):
    """A copy safe to return or log: the client_secret replaced by a fixed mask."""
    safe = dict(entity)
    if safe.get("client_secret"):
        safe["client_secret"] = MASK
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


def _entity_of(envelope, *keys):
    for key in keys:
        if isinstance(envelope.get(key), dict):
            return envelope[key]
    raise errors.UnexpectedResponseError(
        "Segura's answer has none of %s." % ", ".join(keys),
        hint="The server's answer is not what the MySafe API documents; check the Segura version.")


class MySafeApi(object):
    """The MySafe API-secret endpoints over one :class:`SeguraClient`."""

    def __init__(self, client):
        self.client = client

    def list(self, tag=None, identifier_code=None):
        params = {}
        if tag:
            params["tag"] = tag
        if identifier_code:
            params["identifier_code"] = identifier_code
        envelope = self.client.request("GET", SECRETS_PATH, params=params or None)
        items = envelope.get("api_secret_on_list") or []
        if not isinstance(items, list):
            raise errors.UnexpectedResponseError("Segura's list answer is not a list.",
                                                 hint="Check the Segura version.")
        return [normalise_summary(item) for item in items if isinstance(item, dict)]

    def get(self, identifier):
        envelope = self.client.request("GET", "%s/%d" % (SECRETS_PATH, identifier))
        return normalise_entity(_entity_of(envelope, "api_secret_entity", "api_entity"))

    def create(self, fields):
        """Returns (identifier, shared_error list)."""
        envelope = self.client.request("POST", SECRETS_PATH, body=to_request(fields))
        raw = _entity_of(envelope, "api_entity", "api_secret_entity")
        return to_identifier(raw.get("identifier")), list(raw.get("shared_error") or [])

    def update(self, identifier, fields):
        """Send only ``fields``; returns the shared_error list."""
        envelope = self.client.request("PUT", "%s/update/%d" % (SECRETS_PATH, identifier), body=to_request(fields))
        raw = envelope.get("api_entity") if isinstance(envelope.get("api_entity"), dict) else {}
        return list(raw.get("shared_error") or [])

    def set_active(self, identifier, active):
        """Enable or disable; returns False when the server says it already was."""
        envelope = self.client.request(
            "POST", "%s/%s/%d" % (SECRETS_PATH, "active" if active else "inactive", identifier))
        message = str((envelope.get("response") or {}).get("message") or "")
        return "already" not in message.lower()
