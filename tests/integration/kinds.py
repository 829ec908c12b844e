"""The kinds of MySafe item the integration tests cover: one row per kind.

A row joins the collection's own description of the kind (``plugins/module_utils/_kinds.py``:
module names, fields, secret fields, how an item is selected) with what a test needs to drive it
against the simulator: the simulator's name for the kind, a sample item, the options that select
it without its identifier, and the values each behaviour writes (see :class:`KindRow`). The
behaviour tests (``tests/integration/behaviours``) run once per row, so a new kind gets them by
adding a row here.
"""

import importlib.util
from pathlib import Path

from totp import RFC_SEED

REPO = Path(__file__).resolve().parents[2]
MASK = "********"


def _collection_kinds():
    """The collection's KINDS table, loaded from its file: the integration tests do not import the
    collection as a package (they run it through ansible-playbook), and _kinds.py needs nothing else."""
    path = REPO / "plugins" / "module_utils" / "_kinds.py"
    spec = importlib.util.spec_from_file_location("segura_pam_kinds", str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.KINDS


COLLECTION_KINDS = _collection_kinds()


class KindRow(object):
    """One kind under test. Attributes the collection's ItemKind has (``module``, ``info_module``,
    ``secret_fields``, ``code_field``, ``name_fields``, ``label``, ``plural``, ``result_key``, ...)
    are read from it.

    - ``sim_name``: the simulator's name of the kind (``/_sim/<sim_name>``, counters, seeding).
    - ``sample``: the fields of a stored item (tests seed it, with their changes over it).
    - ``selecting``: options that select the sample without its identifier (its code, or its name
      fields); seeding ``dict(sample, **selecting)`` makes them true.
    - ``plain_change``: (field, value) a field that is not secret, to update.
    - ``new_item``: the options that create an item (the secret field included).
    - ``secret_changes``: field -> (a stored value, a new value), for every secret the user sets.
    - ``spellings``: field -> (one spelling, another of the same value, the value stored), for the
      fields the module normalises before it compares (case, spaces, padding).
    - ``field_changes``: (field, value given, value stored) for every field the user sets: each
      type of field is compared and sent its own way.
    - ``not_found``: the server's words for an identifier it does not know.
    """

    def __init__(self, name, sim_name, sample, selecting, plain_change, new_item, secret_changes, spellings,
                 field_changes, not_found):
        self.item_kind = COLLECTION_KINDS[name]
        self.sim_name = sim_name
        self.sample = sample
        self.selecting = selecting
        self.plain_change = plain_change
        self.new_item = new_item
        self.secret_changes = secret_changes
        self.spellings = spellings
        self.field_changes = field_changes + SHARING_CHANGES
        self.not_found = not_found

    def __getattr__(self, attribute):
        return getattr(self.item_kind, attribute)

    def __repr__(self):
        return self.name

    @property
    def secret_field(self):
        """The secret the user sets (the password's TOTP ``token`` is the server's, not the user's)."""
        return self.secret_fields[0]

    @property
    def module_options(self):
        """Every option of the item module, for ModuleSteps."""
        code = (self.code_field,) if self.code_field else ()
        return ("identifier",) + code + tuple(field for field in self.fields if field not in code) + (
            "state", self.rewrite_option[0])


# The sharing fields every kind has: (field, value given, value stored).
SHARING_CHANGES = [
    ("users_allowed", [{"username": "dave", "can_edit": True}], [{"username": "dave", "can_edit": True}]),
    ("groups_allowed", [{"name": "auditors"}], [{"name": "auditors", "can_edit": False}]),
]

KIND_ROWS = [
    KindRow(
        "api_secret", "secrets",
        sample={"name": "GCP payments", "url": "https://gcp.example.com", "client_id": "gcp-app",
                "client_secret": "seeded-client-secret-Zq81", "identifier_code": "", "method": "get",
                "tags": "cloud,payments", "notes": "Owned by the platform team"},
        selecting={"identifier_code": "payments"},
        plain_change=("notes", "Back in use"),
        new_item={"name": "New", "url": "https://new.example.com", "client_id": "new-app",
                  "client_secret": "new-client-secret-Ce61"},
        secret_changes={"client_secret": ("stored-client-secret-Ua40", "changed-client-secret-Ce61")},
        spellings={"method": ("GET", "get", "get")},
        field_changes=[
            ("name", "GCP billing", "GCP billing"),
            ("url", "https://billing.example.com", "https://billing.example.com"),
            ("client_id", "billing-app", "billing-app"),
            ("client_secret", "rotated-client-secret-Hp20", "rotated-client-secret-Hp20"),
            ("identifier_code", "billing-gcp", "billing-gcp"),  # a field to set when identifier selects
            ("notes", "Rotated in March", "Rotated in March"),
            ("method", "PATCH", "patch"),
            ("tags", ["billing", "cloud"], "billing,cloud"),
        ],
        not_found="Api secret not found"),
    KindRow(
        "password", "passwords",
        sample={"name": "Payments database", "username": "svc_payments", "password": "seeded-password-Qm47",
                "url": "db01.example.com:5432", "secret_key": "", "notes": "Owned by the platform team",
                "tags": "database,payments"},
        selecting={"name": "Payments database", "username": "svc_payments"},
        plain_change=("notes", "Back in use"),
        new_item={"name": "New", "username": "new", "password": "new-password-Ce61"},
        secret_changes={"password": ("stored-password-Ua40", "changed-password-Ce61"),
                        "secret_key": (RFC_SEED, "MFRGGZDFMZTWQ2LK")},
        spellings={"secret_key": ("jbsw y3dp ehpk 3pxp", "JBSWY3DPEHPK3PXP====", "jbsw y3dp ehpk 3pxp")},
        field_changes=[
            ("name", "Payments database (primary)", "Payments database (primary)"),
            ("username", "svc_payments_rw", "svc_payments_rw"),
            ("password", "rotated-password-Hp20", "rotated-password-Hp20"),
            ("url", "db02.example.com:5432", "db02.example.com:5432"),
            ("secret_key", "KRSXG5CTMVRXEZLU", "KRSXG5CTMVRXEZLU"),
            ("notes", "Rotated in March", "Rotated in March"),
            ("tags", ["database", "primary"], "database,primary"),
        ],
        not_found="Password not found"),
    KindRow(
        "note", "notes",
        sample={"name": "Runbook", "note": "seeded-note-canary-Kd55 the break-glass steps"},
        selecting={"name": "Runbook"},
        plain_change=("name", "Runbook (kept)"),
        new_item={"name": "New", "note": "new-note-canary-Ce61"},
        secret_changes={"note": ("stored-note-canary-Ua40", "changed-note-canary-Ce61")},
        spellings={},
        field_changes=[
            ("name", "Runbook 2026", "Runbook 2026"),
            ("note", "rotated-note-canary-Hp20", "rotated-note-canary-Hp20"),
            ("tags", ["ops", "runbook"], "ops,runbook"),
        ],
        not_found="Note not found"),
]

ROWS = {row.name: row for row in KIND_ROWS}
