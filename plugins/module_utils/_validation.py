# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of an item's fields that the argument spec cannot express.

They run before anything is sent, so a typo never reaches the server.
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._ssh_keys import check_key_pair

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
# Fields that, when given, must hold something: an empty one could only be a mistake.
NON_EMPTY = ("name", "url", "client_id", "identifier_code", "username", "password", "note", "hostname", "address",
             "identifier", "type", "vendor", "model", "site", "private_key", "public_key")
# The checks of several fields together that a kind names (ItemKind.item_checks).
ITEM_CHECKS = {"key_pair": check_key_pair}
SEED_HINT = "Give the seed exactly as the service showed it (base32), without the otpauth:// URL around it."


def _fail(option, problem, fix):
    raise errors.ConfigurationError("Option %s %s." % (option, problem), hint=fix)


def check_identifier(value, kind, option="identifier"):
    if value is not None and value < 1:
        _fail(option, "must be a positive integer, got %d" % value,
              "Use the id Segura assigned to the %s (see %s)." % (kind.label, kind.info_module))


def _check_url(value):
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if not (parts.scheme and parts.netloc):
        _fail("url", "'%s' has no scheme or host" % value, "Write the full URL, e.g. https://api.example.com.")


def _check_sharing(wanted):
    for option, key in (("users_allowed", "username"), ("groups_allowed", "name")):
        for position, item in enumerate(wanted.get(option) or []):
            if not str(item.get(key) or "").strip():
                _fail(option, "item %d has an empty %s" % (position + 1, key),
                      "Give every item of %s a %s." % (option, key))
        names = [item[key] for item in wanted.get(option) or []]
        repeated = sorted(set(n for n in names if names.count(n) > 1))
        if repeated:
            _fail(option, "names %s '%s' more than once" % (key, "', '".join(repeated)), "List each %s once." % key)


def item_fields(kind, params):
    """The fields of ``kind`` the user set, validated and normalised; left-out (None) fields are omitted.

    Secret values never appear in the messages.
    """
    check_identifier(params.get(kind.id_field) if kind.id_option or kind.sharing else None, kind, kind.id_field)
    wanted = dict((f, params[f]) for f in kind.fields if params.get(f) is not None)
    for option in NON_EMPTY:
        if option in wanted and not str(wanted[option]).strip():
            _fail(option, "is empty", "Give a non-empty value, or leave the option out to keep the stored one.")
    if "url" in wanted and kind.name == "api_secret":  # a password's url is free text (a host, a path)
        _check_url(wanted["url"])
    if "method" in wanted:
        method = wanted["method"].strip().lower()
        if method not in HTTP_METHODS:
            _fail("method", "'%s' is not an HTTP method" % wanted["method"],
                  "Use one of %s (any case)." % ", ".join(HTTP_METHODS))
        wanted["method"] = method
    for field, limit in kind.max_length.items():
        if len(wanted.get(field) or "") > limit:
            _fail(field, "is %d characters long; Segura accepts at most %d" % (len(wanted[field]), limit),
                  "Shorten it, or keep the text elsewhere (a password's notes, a file) and refer to it.")
    for field, check in kind.checks.items():
        if wanted.get(field):
            try:
                check(wanted[field])
            except ValueError as problem:
                _fail(field, str(problem), kind.check_hints.get(field, SEED_HINT))
    _check_sharing(wanted)
    for name in kind.item_checks:
        ITEM_CHECKS[name](wanted)
    return wanted
