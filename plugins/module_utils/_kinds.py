# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The kinds of MySafe item, as data: one :class:`ItemKind` per kind, read by one engine.

Everything that differs between API secrets, passwords and notes lives in this table: the
paths and answer keys, the fields (which are secret, which are required to create, which the
list answer carries), how an item is selected, and the option that governs rewriting its
secret. Adding a kind is an entry here plus its plugins' documentation.
"""

from __future__ import annotations

# The fields every kind shares, after the kind's own text fields.
SHARING_FIELDS = ("tags", "users_allowed", "groups_allowed")


class ItemKind(object):
    """One kind of MySafe item.

    - ``text_fields``: the kind's own string fields, as sent and read (``tags`` and the sharing
      lists are common to all kinds and not listed).
    - ``read_only_fields``: fields only the server sets (the TOTP ``token`` of a password).
    - ``secret_fields``: masked everywhere unless the user asks to reveal them.
    - ``code_field``: a field the list can be filtered on that selects one item per owner.
    - ``name_fields``: the fields that select an item among the visible ones when neither an
      identifier nor a code is given (``name``, plus ``username`` for passwords).
    - ``summary_fields``: what the list answer carries besides the identifier and permissions.
    - ``info_selectors``: options of the info module that, given alone, select one item rather
      than filter the list (besides ``identifier`` and the code field).
    - ``list_filters``: the list's query filters; the collection filters again on its side,
      since the server's own matching is not documented as exact.
    - ``rewrite_option``: (option, field): the module option that says whether the stored secret
      is replaced on every run (``always``) or only set when the item is created.
    - ``max_length``: field -> the most characters the server accepts.
    - ``checks``: field -> a function raising ValueError with what is wrong (e.g. base32).
    """

    def __init__(self, name, label, path, list_keys, read_keys, write_keys, text_fields, secret_fields,
                 required_to_create, name_fields, summary_fields, list_filters, rewrite_option, code_field=None,
                 info_selectors=(), read_only_fields=(), max_length=None, checks=None):
        self.name = name
        self.label = label
        self.path = path
        self.list_keys = list_keys
        self.read_keys = read_keys
        self.write_keys = write_keys
        self.text_fields = text_fields
        self.read_only_fields = read_only_fields
        self.secret_fields = secret_fields
        self.required_to_create = required_to_create
        self.code_field = code_field
        self.name_fields = name_fields
        self.summary_fields = summary_fields
        self.info_selectors = info_selectors
        self.list_filters = list_filters
        self.rewrite_option = rewrite_option
        self.max_length = max_length or {}
        self.checks = checks or {}

    @property
    def fields(self):
        """Every field the user can set."""
        return self.text_fields + SHARING_FIELDS

    @property
    def entity_fields(self):
        """Every field of the normalised item, in a stable order."""
        return ("identifier",) + self.text_fields + self.read_only_fields + SHARING_FIELDS + ("active",)

    @property
    def a_label(self):
        """The label with its article: "an API secret", "a password"."""
        return ("an " if self.label[0].lower() in "aeiou" else "a ") + self.label

    @property
    def plural(self):
        return self.label + "s"

    @property
    def result_key(self):
        """The key of one item in module results (``api_secret``, ``password``, ``note``)."""
        return self.name

    @property
    def results_key(self):
        return self.name + "s"

    @property
    def module(self):
        return "segura.pam.mysafe_" + self.name

    @property
    def info_module(self):
        return self.module + "_info"

    def selectors(self, params):
        """The selector options the user set, for messages: ``identifier 4``, ``name 'x'``."""
        chosen = [option for option in ("identifier",) + ((self.code_field,) if self.code_field else ())
                  if params.get(option) is not None]
        chosen = chosen[:1] or [option for option in self.name_fields if params.get(option) is not None]
        return ", ".join("%s %s" % (option, params[option] if option == "identifier" else "'%s'" % params[option])
                         for option in chosen)


def check_base32(value):
    """A TOTP seed: base32 letters, spaces and ``=`` padding allowed, case ignored."""
    import base64
    import binascii

    compact = "".join(str(value).split()).upper().rstrip("=")
    if not compact:
        return
    try:
        base64.b32decode(compact + "=" * (-len(compact) % 8))
    except (binascii.Error, ValueError):
        raise ValueError("is not a base32 TOTP seed (letters A-Z and digits 2-7)")


API_SECRET = ItemKind(
    name="api_secret", label="API secret", path="/api/mysafe/secretapi",
    list_keys=("api_secret_on_list",), read_keys=("api_secret_entity", "api_entity"),
    write_keys=("api_entity", "api_secret_entity"),
    text_fields=("name", "url", "client_id", "client_secret", "identifier_code", "method", "notes"),
    secret_fields=("client_secret",), required_to_create=("name", "url", "client_id"),
    code_field="identifier_code", name_fields=("name",), summary_fields=("name",),
    list_filters=("tag", "identifier_code"),
    rewrite_option=("update_secret", "client_secret"),
)

PASSWORD = ItemKind(
    name="password", label="password", path="/api/mysafe/password",
    list_keys=("password_on_list", "passwords_on_list"), read_keys=("password_entity", "passwords_entity"),
    write_keys=("password_entity", "passwords_entity"),
    text_fields=("name", "username", "password", "url", "secret_key", "notes"), read_only_fields=("token",),
    secret_fields=("password", "secret_key", "token"), required_to_create=("name", "username", "password"),
    name_fields=("name", "username"), summary_fields=("name", "username", "url", "tags"),
    list_filters=("tag", "name", "username", "url"), info_selectors=("name",),
    rewrite_option=("update_password", "password"), checks={"secret_key": check_base32},
)

NOTE = ItemKind(
    name="note", label="note", path="/api/mysafe/note",
    list_keys=("note_on_list", "notes_on_list"), read_keys=("note_entity", "notes_entity"),
    write_keys=("note_entity", "notes_entity"),
    text_fields=("name", "note"), secret_fields=("note",), required_to_create=("name", "note"),
    name_fields=("name",), summary_fields=("name", "tags"), list_filters=("tag", "name"),
    info_selectors=("name",), rewrite_option=("update_note", "note"),
    max_length={"note": 900},
)

KINDS = {kind.name: kind for kind in (API_SECRET, PASSWORD, NOTE)}
