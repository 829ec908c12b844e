# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options, defined once for every module and the lookup.

Modules merge :data:`CONNECTION_ARGUMENT_SPEC` into their argument spec (documented by the
``segura.pam.connection`` doc fragment); the lookup declares the same names through the
fragment's ``PLUGINS`` part. Both hand a getter to :func:`client_from_options`, so the same
values reach the same client constructor.
"""

from __future__ import annotations

import functools
import os

from ansible.module_utils.basic import AnsibleFallbackNotFound
from ansible.module_utils.common.warnings import warn as module_warning

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._transport import without_userinfo
from ansible_collections.segura.pam.plugins.module_utils.client import (
    DEFAULT_TIMEOUT, DEFAULT_TOKEN_PATH, SeguraClient, parse_boolean)


def nonempty_env_fallback(*names):
    """The first of ``names`` set to a non-blank value: an empty variable means the default."""
    for name in names:
        if os.environ.get(name, "").strip():
            return os.environ[name]
    raise AnsibleFallbackNotFound


def boolean_env_fallback(option, *names):
    """:func:`nonempty_env_fallback` for the bool ``option``. AnsibleModule checks the value as strictly
    as any other (``ture`` fails); its message names the option only, so a warning names the variable."""
    value = nonempty_env_fallback(*names)
    try:
        parse_boolean(value, option)
    except errors.ConfigurationError:
        variable = next(name for name in names if os.environ.get(name, "").strip())
        module_warning("%s comes from the environment variable %s, which is %r: give true or false, or unset it."
                       % (option, variable, value))
    return value


def _env(*names):
    return (nonempty_env_fallback, list(names))


def _boolean_env(option, *names):
    # the option is bound, not passed as keyword arguments, which ansible-test's schema refuses here
    return (functools.partial(boolean_env_fallback, option), list(names))


CONNECTION_ARGUMENT_SPEC = dict(
    segura_url=dict(type="str", required=True, fallback=_env("SEGURA_URL", "SENHASEGURA_URL")),
    segura_client_id=dict(type="str", fallback=_env("SEGURA_CLIENT_ID", "SENHASEGURA_CLIENT_ID")),
    segura_client_secret=dict(type="str", no_log=True,
                              fallback=_env("SEGURA_CLIENT_SECRET", "SENHASEGURA_CLIENT_SECRET")),
    segura_token=dict(type="str", no_log=True, fallback=_env("SEGURA_TOKEN")),
    segura_validate_certs=dict(type="bool", default=True,
                               fallback=_boolean_env("segura_validate_certs", "SEGURA_VALIDATE_CERTS")),
    segura_ca_path=dict(type="path", fallback=_env("SEGURA_CA_PATH")),
    segura_timeout=dict(type="float", default=DEFAULT_TIMEOUT, fallback=_env("SEGURA_TIMEOUT")),
    segura_token_cache=dict(type="bool", default=True,
                            fallback=_boolean_env("segura_token_cache", "SEGURA_TOKEN_CACHE")),
    segura_token_path=dict(type="str", default=DEFAULT_TOKEN_PATH, no_log=False, fallback=_env("SEGURA_TOKEN_PATH")),
    segura_tenant=dict(type="str", fallback=_env("SEGURA_TENANT")),
    segura_proxy=dict(type="str", fallback=_env("SEGURA_PROXY")),
    # no choices: an empty SEGURA_PAM_PATH (AWX injects one) means unset, which Ansible's choice check refuses
    segura_pam_path=dict(type="str", fallback=_env("SEGURA_PAM_PATH")),
)


PAM_PATHS = ("api/pam", "iso/pam")


def _check_url(option, value):
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        if valid:
            parts.port  # raises ValueError on a bad port
    except ValueError:
        valid = False
    if not valid:
        raise errors.ConfigurationError(
            "%s '%s' is not an http(s) URL." % (option, without_userinfo(value)),
            hint="Give the scheme and host, e.g. https://segura.example.com.")


def client_from_options(get, warn=None, **overrides):
    """Validate the connection options and build the client.

    ``get(name)`` returns an option's value: ``module.params.get`` in a module,
    ``self.get_option`` in the lookup. Raises ConfigurationError before anything is sent.
    """
    url = get("segura_url")
    if not url:
        raise errors.ConfigurationError(
            "segura_url is required.", hint="Set segura_url (or SEGURA_URL) to the Segura server's base URL.")
    _check_url("segura_url", url)
    client_id, client_secret, token = get("segura_client_id"), get("segura_client_secret"), get("segura_token")
    if not token and not (client_id and client_secret):
        named = (("segura_client_id", client_id), ("segura_client_secret", client_secret))
        missing = " and ".join(name for name, value in named if not value)
        raise errors.ConfigurationError(
            "No credentials: %s %s not set." % (missing, "are" if " and " in missing else "is"),
            hint="Set segura_client_id and segura_client_secret (or SEGURA_CLIENT_ID and SEGURA_CLIENT_SECRET) "
                 "to a MySafe access key, or segura_token to an access token.")
    timeout = get("segura_timeout")
    try:
        timeout = float(DEFAULT_TIMEOUT if timeout is None else timeout)
    except (TypeError, ValueError):
        timeout = -1
    if timeout <= 0:
        raise errors.ConfigurationError("segura_timeout must be a positive number of seconds, not %r."
                                        % (get("segura_timeout"),), hint="The default is %d." % DEFAULT_TIMEOUT)
    ca_path = get("segura_ca_path")
    if ca_path:
        ca_path = os.path.expanduser(ca_path)
        if not os.path.isfile(ca_path):
            raise errors.ConfigurationError(
                "segura_ca_path '%s' is not a readable file on this host." % ca_path,
                hint="Point it to the PEM file of the CA that signed the Segura server's certificate.")
    proxy = get("segura_proxy")
    if proxy:
        _check_url("segura_proxy", proxy)
    pam_path = get("segura_pam_path")
    if pam_path and pam_path.strip("/") not in PAM_PATHS:
        raise errors.ConfigurationError("segura_pam_path '%s' is not a PAM Core path." % pam_path,
                                        hint="Use api/pam (Segura 3.33 and later) or iso/pam (older), or leave "
                                             "it unset to find out.")
    settings = dict(
        url=url, client_id=client_id, client_secret=client_secret, token=token,
        validate_certs=parse_boolean(get("segura_validate_certs"), "segura_validate_certs") is not False,
        ca_path=ca_path, timeout=timeout, token_path=get("segura_token_path") or DEFAULT_TOKEN_PATH,
        tenant=get("segura_tenant"), proxy=proxy, pam_path=pam_path.strip("/") if pam_path else None,
        token_cache=parse_boolean(get("segura_token_cache"), "segura_token_cache") is not False, warn=warn,
    )
    settings.update(overrides)
    return SeguraClient(**settings)
