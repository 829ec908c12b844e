# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The PAM Core endpoints of one kind (devices, credentials, SSH keys) with :class:`MySafeApi`'s
interface (list, get, create, update, set_active), so the one engine drives them.

What PAM Core does differently, folded in here from the kinds table:

- Two path prefixes: ``api/pam`` (3.33+) and ``iso/pam`` (older). Unless ``segura_pam_path``
  pins one, the first request of a client tries ``api/pam`` and, on a 404 that is not a Segura
  answer, ``iso/pam``; the client remembers the one that answered. At most one refused request.
- Writes are upserts: ``POST <resource>`` keyed by the kind's code field (a device's hostname,
  a credential's or key's identifier), with the fields that find the same item again
  (``write_context``). Deactivate is ``DELETE <resource>/<id>``, activate ``PUT``.
- Ids are numbers sent as strings; ``tag`` was the pre-3.33 name of ``identifier``; list and
  read answers name fields differently (``ip`` / ``management_ip``, ``device_tags`` / ``tags``).
- Active or not: no documented answer says. An ``active`` flag is used wherever an answer
  carries one. Without it, an item the list leaves out but a read by hostname or identifier
  finds is inactive (servers that hide inactive items); a listed item is taken as active.
- Reading a credential takes it into the API user's custody: :meth:`PamApi.get` reads only when
  the caller needs a field that only that read shows; otherwise it answers from the list.
- Error codes are PAM Core's own (1005 is "IP not informed" here, "not found" in MySafe): the
  client's typed errors are retyped by code, with hints worded for the kind.
"""

from __future__ import annotations

import threading

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import split_tags, to_bool, to_identifier

PREFIXES = ("api/pam", "iso/pam")
SSH_KEY_TYPE = "SSH Key"
# One lock for the prefix discovery of every client: the first request of a client finds the prefix while
# the other threads of a lookup wait for it, instead of each sending its own refused request.
_DISCOVERY = threading.Lock()

READ_WRITE_HINT = (
    "This write needs the PAM Core read-and-write permission: in Segura, open A2A > Applications, the "
    "application of segura_client_id, Authorizations, and set the PAM resource permission to 'Read and write'. "
    "Check mode and reads need only read.")
NO_PAM_RESOURCE_HINT = (
    "The A2A application's authorization does not include the PAM Core resource (A2A > Applications > "
    "Authorizations > Authorized resources). PAM Core takes an A2A application's OAuth2 client id and secret; "
    "a MySafe access key cannot call it.")
# Worded for the kind at hand: the one place of these hints for PAM Core.
REFUSAL_HINTS = {
    errors.NotFoundError: "Check the %(selector)s; list the %(plural)s the A2A application can see with "
                          "%(info_module)s.",
    errors.AccessDeniedError: "The A2A application's authorization does not cover this %(label)s: add it on the "
                              "authorization's %(tab)s tab (A2A > Applications > Authorizations), or use the "
                              "application that created it.",
    errors.InactiveSecretError: "The %(label)s is deactivated: activate it with %(module)s state=present.",
}
VALIDATION_HINTS = {
    1004: "Set hostname.", 1005: "Set address (the device's IP, DNS name or URL).",
    1013: "Set public_key.", 1014: "Set private_key.", 1019: "Set site.", 1020: "Set model.",
    1021: "Set vendor.", 1022: "Set type.", 1042: "Set username.",
    1029: "Register the domain in Segura first, or leave it out.",
    1053: "Use only letters, digits, '.', '_' and '-' in identifier (some versions refuse '.').",
    1010: "That id or identifier belongs to an SSH key: manage it with segura.pam.pam_ssh_key.",
    1016: "That id or identifier belongs to a password credential: manage it with segura.pam.pam_credential.",
}


def list_value(field, value):
    """A list field as a list of strings, whether the server sent an array or a comma-separated string."""
    if field == "devices":
        items = value if isinstance(value, list) else split_tags(value)
        return [str(item.get("hostname") if isinstance(item, dict) else item) for item in items]
    return split_tags(value)


def to_wire_list(field, values):
    if field == "devices":
        return [{"hostname": hostname} for hostname in values]
    # domains: comma list without spaces (documented); the other lists are read either way
    return ",".join(values)


def unrouted(error):
    """A 404 that is not Segura's refusal of an item: the prefix is not served there."""
    return error.status == 404 and error.code is None


class PamApi(object):
    """The PAM Core endpoints of one kind over one :class:`SeguraClient`."""

    def __init__(self, client, kind):
        self.client = client
        self.kind = kind
        #: id -> what is known of the item: a list row, completed by reads and write answers
        self._known = {}
        #: ids a read found that the list left out: inactive on servers that hide inactive items
        self._unlisted = set()
        self._flagged = False
        #: the rows of the last list answer, until a write: one list per task, whatever asks for it
        self._rows = None
        self._list_lock = threading.Lock()
        #: ids whose last write answer showed every field (a device's): no read needed after it
        self._fresh = set()

    # -- requests --------------------------------------------------------------------------

    def _call(self, prefix, method, sub, body):
        return self.client.request(method, "/%s/%s" % (prefix, sub), body=body)

    def request(self, method, sub, body=None, selector=None):
        """One PAM Core call below the prefix; typed errors carry PAM Core's meaning and hints."""
        try:
            return self._routed(method, sub, body)
        except errors.SeguraError as error:
            raise self._retyped(error, selector or sub.rpartition("/")[2])

    def _routed(self, method, sub, body):
        client = self.client
        if getattr(client, "pam_path", None):
            return self._call(client.pam_path, method, sub, body)
        with _DISCOVERY:
            if getattr(client, "pam_path", None):
                prefix = client.pam_path
            else:
                try:
                    answer = self._call(PREFIXES[0], method, sub, body)
                except errors.SeguraError as error:
                    if not unrouted(error):
                        if error.code is not None:  # Segura answered there: the prefix is served
                            client.pam_path = PREFIXES[0]
                        raise
                else:
                    client.pam_path = PREFIXES[0]
                    return answer
                try:
                    answer = self._call(PREFIXES[1], method, sub, body)
                except errors.SeguraError as error:
                    if unrouted(error):
                        raise errors.ConfigurationError(
                            "Neither /%s nor /%s answered on %s: the server answered 404 to both."
                            % (PREFIXES[0], PREFIXES[1], client.transport.shown_url),
                            status=404, hint="Check segura_url, or set segura_pam_path to the server's PAM Core "
                                             "path.")
                    client.pam_path = PREFIXES[1]
                    raise
                client.pam_path = PREFIXES[1]
                return answer
        return self._call(prefix, method, sub, body)

    def _retyped(self, error, selector):
        kind = self.kind
        code = error.code
        text = error.message
        names = {"plural": kind.plural, "label": kind.label, "module": kind.module,
                 "info_module": kind.info_module, "selector": "%s or %s" % (kind.id_field, kind.code_field),
                 "tab": "Devices" if kind.name == "device" else "Credentials"}
        if code == 1039:
            return errors.AccessDeniedError(text, code=code, status=error.status, hint=READ_WRITE_HINT)
        if code == 1011:
            return errors.NotFoundError(
                text, code=code, status=error.status,
                hint="The device must exist before %s is stored on it: create it with segura.pam.pam_device, "
                     "or correct hostname and address (both must match the device's)." % kind.a_label
                if kind.name != "device" else REFUSAL_HINTS[errors.NotFoundError] % names)
        new_type = (errors.NotFoundError if code in kind.not_found_codes and code not in (1010, 1016) else
                    errors.AccessDeniedError if code == 1009 else
                    errors.InactiveSecretError if code in kind.inactive_codes and "already" not in text.lower() else
                    None)
        if new_type is not None:
            return new_type(text, code=code, status=error.status, hint=REFUSAL_HINTS[new_type] % names)
        if code in VALIDATION_HINTS:
            return errors.ValidationError(text, code=code, status=error.status, hint=VALIDATION_HINTS[code])
        if "not authorized to access this resource" in text.lower():
            return errors.AccessDeniedError(text, code=code, status=error.status, hint=NO_PAM_RESOURCE_HINT)
        if isinstance(error, errors.ServerError) and code is not None and error.status < 500:
            error.hint = "This error code is not documented for PAM Core."
        return error

    # -- answers ---------------------------------------------------------------------------

    def normalise(self, raw):
        """One item shape from a list row, a read or a write answer: only the fields it carries."""
        kind = self.kind
        entity = {"id": to_identifier(raw.get("id"))}
        for field in kind.text_fields:
            read_keys = kind.wire.get(field, (field, (field,)))[1]
            key = next((key for key in read_keys if key in raw), None)
            if key is None:
                continue
            value = raw[key]
            if field in kind.list_fields:
                entity[field] = list_value(field, value)
            else:
                entity[field] = "" if value is None else str(value)
        if "active" in raw:
            self._flagged = True
            entity["active"] = to_bool(raw["active"])
        return entity

    def _remember(self, entity):
        known = self._known.setdefault(entity["id"], {})
        known.update(entity)
        return dict(known)

    def to_request(self, fields):
        body = {}
        for field, value in fields.items():
            key = self.kind.wire.get(field, (field,))[0]
            if field in self.kind.list_fields:
                value = to_wire_list(field, value)
            elif field == "parent_credential" and str(value).isdigit():
                value = int(value)
            body[key] = value
        return body

    # -- the engine's interface ------------------------------------------------------------

    def list(self, **filters):
        """The visible items, filtered exactly on our side (the v1 lists take no filters).

        Filtered on the code field and finding nothing, a read by that code tells whether an
        item exists that the list leaves out (an inactive one, on servers that hide them).
        """
        kind = self.kind
        with self._list_lock:  # the threads of a lookup or a bulk task share one list answer
            rows = self._rows
            if rows is None:
                rows = self.request("GET", kind.listed_by, selector="list").get(kind.list_keys[0])
                if isinstance(rows, list):
                    self._rows = rows
        if not isinstance(rows, list):
            raise errors.UnexpectedResponseError("Segura's list of %s is not a list." % kind.plural,
                                                 hint="Check the Segura version and segura_pam_path.")
        items = []
        for raw in rows:
            # the credential list shows SSH keys too, as type "SSH Key"
            if not isinstance(raw, dict) or (kind.listed_by == "credential"
                                             and (kind.resource == "key") != (raw.get("type") == SSH_KEY_TYPE)):
                continue
            entity = self.normalise(raw)
            entity.setdefault("active", True)  # listed without a flag: taken as active (see the docs)
            items.append(self._remember(entity))
        found = [item for item in items if matches(item, filters)]
        code = filters.get(kind.code_field)
        if code and not found and not self._flagged:
            found = self._unlisted_item(code)
        return found

    def _unlisted_item(self, code):
        """[the item] when a read by ``code`` finds one the list left out (it is inactive), else []."""
        kind = self.kind
        try:
            entity = self.normalise(self._entity(self.request("GET", "%s/%s" % (kind.resource, code))))
        except errors.InactiveSecretError:  # refused as inactive (credentials, keys): addressed by the code
            return [self._remember({"id": code, kind.code_field: code, "active": False})]
        except errors.NotFoundError:
            return []
        self._unlisted.add(entity["id"])
        entity.setdefault(kind.code_field, code)
        entity.setdefault("active", False)
        return [self._remember(entity)]

    def _entity(self, envelope):
        raw = envelope.get(self.kind.read_keys[0])
        if not isinstance(raw, dict):
            raise errors.UnexpectedResponseError(
                "Segura's answer has no %s object." % self.kind.read_keys[0],
                hint="The server's answer is not what PAM Core documents; check the Segura version.")
        return raw

    def get(self, identifier, needs=()):
        """The item; raises InactiveSecretError when it is inactive.

        Credentials are read (which takes custody) only when ``needs`` holds the password, to
        compare it; otherwise what the list showed is the answer.
        """
        kind = self.kind
        known = self._known.get(identifier)
        if kind.custody and kind.rewrite_option[1] not in needs:
            if known is None:
                self.list()
                known = self._known.get(identifier)
            if known is None:
                raise errors.NotFoundError("No %s with id %s is visible to the A2A application." % (kind.label, identifier),
                                           hint=REFUSAL_HINTS[errors.NotFoundError] % {
                                               "selector": "id", "plural": kind.plural, "info_module": kind.info_module})
            return self._active(dict(known))
        if identifier in self._fresh:
            self._fresh.discard(identifier)
            return self._active(dict(known))
        if known is not None and known.get("active") is False:
            raise errors.InactiveSecretError("The %s %s is deactivated." % (kind.label, identifier),
                                             hint=REFUSAL_HINTS[errors.InactiveSecretError] % {
                                                 "label": kind.label, "module": kind.module})
        entity = self.normalise(self._entity(self.request("GET", "%s/%s" % (kind.resource, identifier))))
        if "active" not in entity:
            entity["active"] = identifier not in self._unlisted
        return self._active(self._remember(entity))

    def _active(self, entity):
        if entity.get("active") is False:
            raise errors.InactiveSecretError(
                "The %s %s is deactivated." % (self.kind.label, entity["id"]),
                hint=REFUSAL_HINTS[errors.InactiveSecretError] % {"label": self.kind.label,
                                                                  "module": self.kind.module})
        return entity

    def _upsert(self, fields):
        kind = self.kind
        self._rows = None
        envelope = self.request("POST", kind.resource, body=self.to_request(fields),
                                selector=fields.get(kind.code_field))
        raw = self._entity(envelope)
        entity = dict(fields, **self.normalise(raw))
        if all(field in entity for field in kind.text_fields):
            self._fresh.add(entity["id"])
        # the element shape is undocumented: {hostname, message} in the simulator, anything else shown as is
        partial = [("%s (%s)" % (problem.get("hostname"), problem.get("message")) if isinstance(problem, dict)
                    else str(problem)) for problem in raw.get(kind.partial_error) or []] if kind.partial_error else []
        return entity, partial

    def create(self, fields):
        """Returns (id, the parts the server could not apply)."""
        entity, partial = self._upsert(fields)
        entity["active"] = True
        self._remember(entity)
        return entity["id"], partial

    def update(self, identifier, fields):
        """Send the changed ``fields`` with what finds the same item again; returns the parts not applied."""
        known = self._known.get(identifier, {})
        context = dict((field, known[field]) for field in self.kind.write_context if known.get(field) not in (None, ""))
        context.update(fields)
        entity, partial = self._upsert(context)
        self._remember(entity)
        return partial

    def known(self, identifier):
        """What the list and reads showed of the item (an inactive one cannot be read)."""
        return dict(self._known.get(identifier) or {"id": identifier})

    def _id_by_upsert(self, code, context):
        """The id of the hidden item ``code``, from the answer of an upsert of the fields that select it."""
        kind = self.kind
        fields = dict((field, context[field]) for field in kind.write_context if context.get(field))
        fields[kind.code_field] = code
        missing = [field for field in kind.write_context if field not in fields]
        if missing:
            raise errors.ConfigurationError(
                "The %s '%s' is deactivated and Segura's list does not show it, so its id is unknown; Segura "
                "activates it by id only." % (kind.label, code),
                hint="Set id (Segura shows it in the credential's page), or %s, to activate it."
                     % " and ".join(missing))
        entity, _partial = self._upsert(fields)
        self._known[code] = dict(self._known.get(code, {}), **entity)
        return entity["id"]

    def release_custody(self, identifier):
        """Release the A2A application's custody of credential ``identifier``; False when it held none (1018)."""
        try:
            self.request("DELETE", "credential/custody/%s" % identifier)
        except errors.SeguraError as error:
            if error.code == 1018:
                return False
            raise
        return True

    def dependents(self, device):
        """The credentials and SSH keys on ``device`` (from the credential list: no custody), as
        ``{id, identifier, username, type}``: what deactivating the device deactivates too."""
        envelope = self.request("GET", "credential", selector="list")
        return [dict(id=to_identifier(row.get("id")), identifier=row.get("identifier", row.get("tag")),
                     username=row.get("username"), type=row.get("type"))
                for row in envelope.get("credentials") or []
                if isinstance(row, dict) and row.get("hostname") == device.get("hostname")]

    def set_active(self, identifier, active, context=None):
        """Activate (PUT) or deactivate (DELETE); returns False when the server says it already was.

        ``context``: the fields the caller wants, which find the item again by an upsert when only its
        identifier is known (a deactivated credential the list hides: Segura activates those by id only)."""
        kind = self.kind
        original = identifier
        if active and kind.name == "credential" and not str(identifier).isdigit():
            identifier = self._id_by_upsert(identifier, context or {})
        self._rows = None
        try:
            self.request("PUT" if active else "DELETE", "%s/%s" % (kind.resource, identifier))
        except errors.SeguraError as error:
            if error.code in kind.already.get(active, ()):
                return False
            raise
        for key in set([identifier, original]):
            if key in self._known:
                self._known[key]["active"] = active
            self._unlisted.discard(key)
        return True


def matches(item, filters):
    """Exact match of every filter given (``tag``: one of the item's tags)."""
    for name, value in filters.items():
        if value is None:
            continue
        if name == "tag":
            if value not in item.get("tags", []):
                return False
        elif item.get(name) != value:
            return False
    return True
