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
                 info_selectors=(), read_only_fields=(), max_length=None, checks=None, **pam):
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
        #: PAM Core only (see :class:`PamKind`); MySafe kinds keep these defaults
        self.service = "mysafe"
        self.id_field = "identifier"
        self.sharing = True
        self.upsert = False
        self.id_option = True
        #: where an item's tags show: "list" (the list answer), "filter" (only the list's tag filter),
        #: "read" (reading the item), None (no answer)
        self.tags_shown_by = "list" if "tags" in summary_fields else "filter"
        self.cascades = False
        self.aliases = {}
        self.replaces = ()
        #: checks of several fields together, each raising ConfigurationError (an SSH key pair)
        self.item_checks = ()
        self.check_hints = {}
        #: the warning when the server could not apply part of a write (``%s``: its list of problems)
        self.partial_error_text = ("Segura could not apply part of the sharing: %s. Check that every user in "
                                   "users_allowed and group in groups_allowed exists.")
        #: what a user can do about fields that cannot be compared (MySafe answers show every field)
        self.unverified_hint = ""
        #: the fields ``rewrite_option: on_create`` leaves alone on an existing item
        self.rewrite_fields = (rewrite_option[1],) if rewrite_option else ()

    @property
    def sharing_fields(self):
        return SHARING_FIELDS if self.sharing else ()

    @property
    def fields(self):
        """Every field the user can set."""
        return self.text_fields + self.sharing_fields

    @property
    def entity_fields(self):
        """Every field of the normalised item, in a stable order."""
        return (self.id_field,) + self.text_fields + self.read_only_fields + self.sharing_fields + ("active",)

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
        return "segura.pam.%s_%s" % (self.service, self.name)

    @property
    def info_module(self):
        return self.module + "_info"

    def selectors(self, params):
        """The selector options the user set, for messages: ``identifier 4``, ``name 'x'``."""
        chosen = [option for option in (self.id_field,) + ((self.code_field,) if self.code_field else ())
                  if params.get(option) is not None]
        chosen = chosen[:1] or [option for option in self.name_fields if params.get(option) is not None]
        return ", ".join("%s %s" % (option, params[option] if option == self.id_field else "'%s'" % params[option])
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


# -- PAM Core ---------------------------------------------------------------------------------

IDENTIFIER_PATTERN = r"[A-Za-z0-9_.-]+"


def check_pam_identifier(value):
    """The characters Segura accepts in a credential's or key's identifier (else error 1053)."""
    import re

    if not re.match(r"\A%s\Z" % IDENTIFIER_PATTERN, value):
        raise ValueError("may contain only letters, digits, '.', '_' and '-'")


def check_connectivity(value):
    """``PROTOCOL:PORT``, as Segura's connectivities list takes it."""
    import re

    for item in value:
        if not re.match(r"\A[A-Za-z][A-Za-z0-9 _-]*:\d{1,5}\Z", item.strip()) or not 0 < int(item.rsplit(":", 1)[1]) < 65536:
            raise ValueError("item '%s' is not PROTOCOL:PORT (e.g. SSH:22, HTTPS:443)" % item)


#: senhasegura.pam 1.0.0's names of the connection options, which its modules took in every task: aliases
#: in the modules that replace them, so that changing the namespace is all a playbook needs
SENHASEGURA_CONNECTION_ALIASES = {"segura_url": ["system_url"], "segura_client_id": ["client_id"],
                                  "segura_client_secret": ["client_secret"],
                                  "segura_validate_certs": ["validate_certs"]}


class PamKind(ItemKind):
    """One kind of PAM Core item (device, credential, SSH key): an :class:`ItemKind` with the
    ways PAM Core differs from MySafe said as data.

    - ``id`` is the server's number (a string on the wire); ``identifier`` is, for credentials and
      keys, the string the user chooses, and the ``code_field`` that selects one (a device's is
      its ``hostname``). Writes are upserts by POST keyed by the code field, so repeating an
      ambiguous create is safe (``upsert``).
    - ``resource``: the path segment below the PAM prefix (``device``, ``credential``, ``key``).
    - ``listed_by``: the resource whose list shows these items (keys appear in the credential list).
    - ``wire``: field -> (key written, keys read in order); fields not named are the same on the wire.
    - ``list_fields``: fields that are lists (comma-separated or arrays on the wire).
    - ``custody_fields``: fields only a read that takes the item into the API user's custody
      shows (``custody``: reading an item takes custody). Nothing is read for them unless asked.
    - ``unreadable_fields``: fields no answer shows: written, never compared.
    - ``write_context``: fields sent with every update, from the current item, so the server's
      upsert finds the same item.
    - ``already``: vendor codes of "already in that state" answers to activate / deactivate.
    - ``rewrite_fields``: what ``rewrite_option: on_create`` leaves alone (default: its one field).
    - ``id_option``: the module also selects by ``id``; otherwise the code field is required.
    - ``cascades``: deactivating one deactivates the credentials and keys on it (devices).
    - ``aliases``: option -> the names senhasegura.pam 1.0.0 gave it (see docs/migrating.md).
    - ``item_checks``: checks of several fields together, before anything is sent, by name (the functions
      live in _validation.ITEM_CHECKS: this table imports nothing, so scripts can read it alone).
    - ``replaces``: the senhasegura.pam 1.0.0 modules that meta/runtime.yml routes to this kind's item
      or info module; a module that replaces one also takes that collection's connection option names
      (:data:`SENHASEGURA_CONNECTION_ALIASES`).
    """

    def __init__(self, name, label, resource, text_fields, secret_fields, required_to_create, code_field,
                 wire, list_fields, rewrite_option, entity_key, list_key, listed_by=None, name_fields=(),
                 summary_fields=(), list_filters=(), custody_fields=(), unreadable_fields=(), write_context=(),
                 not_found_codes=(), inactive_codes=(), already=None, checks=None, partial_error=None,
                 rewrite_fields=None, unverified_hint="", id_option=False, cascades=False, aliases=None,
                 check_hints=None, tags_shown_by="list", replaces=(), item_checks=()):
        super(PamKind, self).__init__(
            name=name, label=label, path=resource, list_keys=(list_key,), read_keys=(entity_key,),
            write_keys=(entity_key,), text_fields=text_fields, secret_fields=secret_fields,
            required_to_create=required_to_create, name_fields=name_fields, summary_fields=summary_fields,
            list_filters=list_filters, rewrite_option=rewrite_option, code_field=code_field, checks=checks)
        self.service = "pam"
        self.id_field = "id"
        self.sharing = False
        self.upsert = True
        self.resource = resource
        self.listed_by = listed_by or resource
        self.wire = wire
        self.list_fields = list_fields
        self.custody_fields = custody_fields
        self.unreadable_fields = unreadable_fields
        self.write_context = write_context
        self.not_found_codes = not_found_codes
        self.inactive_codes = inactive_codes
        self.already = already or {}
        self.partial_error = partial_error
        if rewrite_fields:
            self.rewrite_fields = rewrite_fields
        self.partial_error_text = "Segura could not link every device to the %s: %%s." % label
        self.id_option = id_option
        self.tags_shown_by = tags_shown_by
        self.cascades = cascades
        self.aliases = aliases or {}
        self.replaces = replaces
        self.item_checks = item_checks
        self.check_hints = check_hints or {}
        self.unverified_hint = unverified_hint

    @property
    def entity_fields(self):
        return ("id",) + tuple(f for f in self.text_fields if f != "id") + ("active",)

    @property
    def custody(self):
        return bool(self.custody_fields)


DEVICE = PamKind(
    name="device", label="device", resource="device", entity_key="device", list_key="devices",
    text_fields=("hostname", "address", "type", "vendor", "model", "site", "domains", "tags", "connectivities"),
    secret_fields=(), required_to_create=("hostname", "address", "type", "vendor", "model", "site"),
    code_field="hostname", list_fields=("domains", "tags", "connectivities"),
    wire={"address": ("ip", ("ip",)), "domains": ("device_domain", ("device_domain",)),
          "tags": ("device_tags", ("device_tags", "tags")), "connectivities": ("connectivities", ("connectivities",))},
    summary_fields=("hostname", "address", "type", "vendor", "model", "site", "tags"),
    list_filters=("hostname", "site", "type", "vendor", "model", "tag"), rewrite_option=None,
    write_context=("hostname",), not_found_codes=(1011,), already={True: (1044,), False: ()},
    checks={"connectivities": check_connectivity}, cascades=True,
    aliases={"address": ["ip"], "domains": ["device_domain", "domain"], "tags": ["device_tags"]},
    replaces=("senhasegura_device",),
    check_hints={"connectivities": "Write each as PROTOCOL:PORT, e.g. [SSH:22, HTTPS:443]."},
)

CREDENTIAL = PamKind(
    name="credential", label="credential", resource="credential", entity_key="credential", list_key="credentials",
    text_fields=("identifier", "username", "hostname", "address", "password", "credential_type", "domain",
                 "additional", "tags", "parent_credential"),
    secret_fields=("password",), required_to_create=("username", "hostname", "address"),
    code_field="identifier", name_fields=("username", "hostname"), list_fields=("tags",),
    wire={"address": ("ip", ("ip", "management_ip")), "password": ("content", ("password", "content")),
          "identifier": ("identifier", ("identifier", "tag")), "credential_type": ("credential_type", ("type",)),
          "parent_credential": ("parent_password", ("parent_credential_cod",))},
    summary_fields=("identifier", "username", "hostname", "address", "credential_type"),
    list_filters=("identifier", "username", "hostname", "credential_type"),
    rewrite_option=("update_password", "password"),
    custody_fields=("password", "additional", "domain", "parent_credential"), unreadable_fields=("tags",),
    tags_shown_by=None,
    unverified_hint=(" (additional, domain and parent_credential are compared with update_password: always, "
                     "whose read of the password takes custody; no answer shows tags)"),
    write_context=("identifier", "username", "hostname", "address"),
    not_found_codes=(1007, 1010), inactive_codes=(1008, 1017), already={True: (1043, 1017), False: (1008, 1017)},
    checks={"identifier": check_pam_identifier}, id_option=True,
    aliases={"id": ["id_credential"], "hostname": ["device_hostname"], "address": ["ip", "device_address"],
             "password": ["content"], "credential_type": ["type"], "additional": ["additional_info"],
             "parent_credential": ["parent_password"]},
    replaces=("senhasegura_credential", "senhasegura_credential_info"),
    check_hints={"identifier": "Use only letters, digits, '.', '_' and '-'."},
)

SSH_KEY = PamKind(
    name="ssh_key", label="SSH key", resource="key", entity_key="key", list_key="credentials", listed_by="credential",
    text_fields=("identifier", "hostname", "address", "username", "key_name", "private_key", "passphrase",
                 "public_key", "tags", "devices"),
    secret_fields=("private_key", "passphrase"), required_to_create=("identifier", "hostname", "address",
                                                                     "private_key", "public_key"),
    code_field="identifier", list_fields=("tags", "devices"),
    wire={"address": ("ip", ("ip", "management_ip")), "passphrase": ("password", ("password",)),
          "identifier": ("identifier", ("identifier", "tag"))},
    summary_fields=("identifier", "username", "hostname", "address"),
    list_filters=("identifier", "username", "hostname"), rewrite_option=("update_private_key", "private_key"),
    write_context=("identifier", "hostname", "address", "private_key", "public_key"),
    not_found_codes=(1015, 1016), inactive_codes=(1017,), already={True: (1045,), False: (1017,)},
    checks={"identifier": check_pam_identifier}, partial_error="devices_error", tags_shown_by="read",
    item_checks=("key_pair",),
    aliases={"address": ["ip"], "passphrase": ["password"]},
    check_hints={"identifier": "Use only letters, digits, '.', '_' and '-'."},
    # the private key, its passphrase and the public key are one pair: rewritten together or not at all
    rewrite_fields=("private_key", "passphrase", "public_key"),
)

PAM_KINDS = {kind.name: kind for kind in (DEVICE, CREDENTIAL, SSH_KEY)}
