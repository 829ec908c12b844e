# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the secret's fields that the argument spec cannot express.

They run before anything is sent, so a typo never reaches the server.
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils.mysafe import FIELDS

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def _fail(option, problem, fix):
    raise errors.ConfigurationError("Option %s %s." % (option, problem), hint=fix)


def check_identifier(value, option="identifier"):
    if value is not None and value < 1:
        _fail(option, "must be a positive integer, got %d" % value,
              "Use the id Segura assigned to the secret (see segura.pam.mysafe_api_secret_info).")


def secret_fields(params):
    """The fields the user set, validated and normalised; left-out (None) fields are omitted."""
    check_identifier(params.get("identifier"))
    wanted = dict((f, params[f]) for f in FIELDS if params.get(f) is not None)
    for option in ("name", "url", "client_id", "identifier_code"):
        if option in wanted and not str(wanted[option]).strip():
            _fail(option, "is empty", "Give a non-empty value, or leave the option out to keep the stored one.")
    if "url" in wanted:
        from urllib.parse import urlsplit

        parts = urlsplit(wanted["url"].strip())
        if not (parts.scheme and parts.netloc):
            _fail("url", "'%s' has no scheme or host" % wanted["url"],
                  "Write the full URL, e.g. https://api.example.com.")
    if "method" in wanted:
        method = wanted["method"].strip().lower()
        if method not in HTTP_METHODS:
            _fail("method", "'%s' is not an HTTP method" % wanted["method"],
                  "Use one of %s (any case)." % ", ".join(HTTP_METHODS))
        wanted["method"] = method
    for option, key in (("users_allowed", "username"), ("groups_allowed", "name")):
        for position, item in enumerate(wanted.get(option) or []):
            if not str(item.get(key) or "").strip():
                _fail(option, "item %d has an empty %s" % (position + 1, key),
                      "Give every item of %s a %s." % (option, key))
        names = [item[key] for item in wanted.get(option) or []]
        repeated = sorted(set(n for n in names if names.count(n) > 1))
        if repeated:
            _fail(option, "names %s '%s' more than once" % (key, "', '".join(repeated)), "List each %s once." % key)
    return wanted
