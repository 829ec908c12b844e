# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Terms: what a lookup term, a custody module's list or an AWX input source names, and the one item
it selects, for every kind.

- the server's id (MySafe's ``identifier``, PAM Core's ``id``): a positive integer;
- the kind's code (an API secret's ``identifier_code``, a PAM credential's or key's ``identifier``);
- a MySafe ``name``;
- PAM Core's ``username@hostname`` (the last ``@`` splits: a user name may hold one);
- ``auto`` (PAM Core): digits are an id, text with ``@`` is ``username@hostname``, other text an identifier.
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._engine import find_one

USERNAME_AT_HOSTNAME = "username_at_hostname"


def term_key(kind, term, by):
    """(how the term selects, its key: an int id or the text); ConfigurationError when unusable."""
    text = str(term).strip()
    if by == "auto":
        by = (kind.id_field if text.isascii() and text.isdigit() else
              USERNAME_AT_HOSTNAME if "@" in text else kind.code_field)
    if by != kind.id_field:
        if not text:
            raise errors.ConfigurationError("An empty term cannot select %s by %s." % (kind.a_label, by),
                                            hint="Give the %s of each %s." % (by, kind.label))
        if by == USERNAME_AT_HOSTNAME and not all(text.rpartition("@")[::2]):
            raise errors.ConfigurationError(
                "Term %r is not username@hostname." % (term,),
                hint="Write the credential's user name and its device's hostname joined by @ (e.g. root@db-01).")
        return by, text
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise errors.ConfigurationError(
            "Term %r is not %s (a positive integer)." % (term, "an id" if kind.id_field == "id" else "an identifier"),
            hint="Give the %s' numeric %ss, or set by=%s to look them up by %s." % (
                kind.plural, kind.id_field, kind.code_field or "name", kind.code_field or "name"))
    return by, int(text)


def selected_id(api, by, key):
    """The server's id of the one visible item the term selects (NotFound / AmbiguousSelection otherwise)."""
    kind = api.kind
    if by == kind.id_field:
        return key
    if by == USERNAME_AT_HOSTNAME:
        username, _at, hostname = key.rpartition("@")
        return find_one(api, username=username, hostname=hostname)[kind.id_field]
    return find_one(api, **{"code" if by == kind.code_field else "name": key})[kind.id_field]
