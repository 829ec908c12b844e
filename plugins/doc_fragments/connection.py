# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import yaml


class ModuleDocFragment(object):
    # The connection options of every module and the lookup. Modules get them from
    # plugins/module_utils/options.py (CONNECTION_ARGUMENT_SPEC); keep both in step.
    DOCUMENTATION = r"""
options:
  segura_url:
    description:
      - Base URL of the Segura server, for example C(https://segura.example.com).
      - In a module, falls back to the E(SEGURA_URL) environment variable, then E(SENHASEGURA_URL),
        of the host that runs the module.
      - A plain C(http://) URL works but sends the access key and tokens unencrypted; a warning says so
        once per run.
    type: str
    required: true
  segura_client_id:
    description:
      - Client ID of the MySafe access key (MySafe > Integrations > Access keys) used to obtain an OAuth2 token.
      - Falls back to E(SEGURA_CLIENT_ID), then E(SENHASEGURA_CLIENT_ID).
      - Named with the C(segura_) prefix because C(client_id) is a field of the API secret itself.
    type: str
  segura_client_secret:
    description:
      - Client secret of the MySafe access key.
      - Falls back to E(SEGURA_CLIENT_SECRET), then E(SENHASEGURA_CLIENT_SECRET).
    type: str
  segura_token:
    description:
      - An OAuth2 access token obtained earlier, for example with M(segura.pam.segura_token).
      - When set, no token request is made. If the server rejects it and O(segura_client_id) and
        O(segura_client_secret) are also set, a new token is requested once.
      - Surrounding whitespace (the trailing newline of a YAML block scalar) is removed; a token with
        whitespace or control characters inside is refused without being shown.
      - Falls back to E(SEGURA_TOKEN).
    type: str
  segura_validate_certs:
    description:
      - Verify the server's TLS certificate. Turning this off lets anyone on the network path read
        the secrets; prefer O(segura_ca_path). A warning is shown when it is off.
      - Falls back to E(SEGURA_VALIDATE_CERTS). An empty environment variable means the default, V(true).
      - Read strictly from every source (task option, variable, lookup keyword, environment, C(ansible.cfg)), as
        V(true) or V(false), V(yes) or V(no), V(on) or V(off), V(1) or V(0), in any case. Anything else (C(ture),
        C(enabled)) fails naming where it came from instead of turning verification off; an empty value means
        the default.
    type: bool
    default: true
  segura_ca_path:
    description:
      - PEM file of the CA (or bundle) that signed the Segura server's certificate, when that CA is not
        trusted by default (the default bundle of the Python library C(requests), that of C(certifi), or
        E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) when set).
      - Falls back to E(SEGURA_CA_PATH).
    type: path
  segura_timeout:
    description:
      - Seconds to wait for each answer. Reads and token requests that time out are retried with
        exponential backoff; writes are never repeated blindly.
      - Falls back to E(SEGURA_TIMEOUT).
    type: float
    default: 30
  segura_token_cache:
    description:
      - Share the access token between the tasks, loops and forks of a run through a file only the
        running user can read (in C(~/.ansible/segura/tokens), mode 0600). It holds the token and its
        expiry, never the client secret, and is used until shortly before the token expires. Its name
        is an HMAC-SHA256 of URL, token path, tenant and credentials under a random per-user key kept
        beside it, so the name cannot be used to test guesses of the secret.
      - The cache is used only if C(HOME) and the directories below it belong to the running user,
        are writable by no one else and are not symbolic links. Otherwise, or when C(HOME) is missing
        or read-only, tasks run without it (one token request per task) and one warning says why.
      - Set to V(false) to keep tokens in memory only, at the cost of one token request per task.
      - Falls back to E(SEGURA_TOKEN_CACHE). Read as strictly as O(segura_validate_certs); empty means the default.
    type: bool
    default: true
  segura_token_path:
    description:
      - Path of the OAuth2 token endpoint. The MySafe pages name C(/api/oauth2/token); the A2A pages and
        most servers use the default.
      - Falls back to E(SEGURA_TOKEN_PATH).
    type: str
    default: /iso/oauth2/token
  segura_tenant:
    description:
      - Tenant (subdomain) sent as the C(tenant) parameter of the token request, for multi-tenant servers
        reached by IP address.
      - Falls back to E(SEGURA_TENANT).
    type: str
  segura_proxy:
    description:
      - HTTP(S) proxy URL for every request, for example C(http://proxy.example.com:3128). Overrides the
        E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables, which apply when this is unset,
        as C(requests) reads them.
      - Falls back to E(SEGURA_PROXY).
    type: str
  segura_pam_path:
    description:
      - "The path of PAM Core's API on the server, for the PAM Core plugins (devices, credentials, SSH keys):
        C(api/pam) (Segura 3.33 and later) or C(iso/pam) (older versions)."
      - When not set, the first request tries C(api/pam) and, if the server does not serve it (HTTP 404),
        C(iso/pam); that costs at most one refused request per task or lookup call.
      - MySafe plugins ignore it.
      - Falls back to E(SEGURA_PAM_PATH); an empty value means unset.
    type: str
notes:
  - Requires the Python library C(requests) 2.32 or newer on the host that runs the task.
  - C(~/.netrc) is never read, so no credential other than the ones given here is sent to Segura.
  - Credentials, tokens and the user info of O(segura_url) and O(segura_proxy) are masked in every message,
    including error text a server or gateway copies from the request.
"""

    # The same options for the lookup: variables, environment and ansible.cfg sources.
    # Ansible uses the LAST environment variable of a list that is set: the vendor's older
    # SENHASEGURA_* names come first so that SEGURA_* wins, as in the modules.
    PLUGINS = r"""
options:
  segura_url:
    env:
      - name: SENHASEGURA_URL
      - name: SEGURA_URL
    ini:
      - section: segura
        key: url
    vars:
      - name: segura_url
  segura_client_id:
    env:
      - name: SENHASEGURA_CLIENT_ID
      - name: SEGURA_CLIENT_ID
    ini:
      - section: segura
        key: client_id
    vars:
      - name: segura_client_id
  segura_client_secret:
    env:
      - name: SENHASEGURA_CLIENT_SECRET
      - name: SEGURA_CLIENT_SECRET
    ini:
      - section: segura
        key: client_secret
    vars:
      - name: segura_client_secret
  segura_token:
    env:
      - name: SEGURA_TOKEN
    vars:
      - name: segura_token
  segura_validate_certs:
    env:
      - name: SEGURA_VALIDATE_CERTS
    ini:
      - section: segura
        key: validate_certs
    vars:
      - name: segura_validate_certs
  segura_ca_path:
    env:
      - name: SEGURA_CA_PATH
    ini:
      - section: segura
        key: ca_path
    vars:
      - name: segura_ca_path
  segura_timeout:
    env:
      - name: SEGURA_TIMEOUT
    ini:
      - section: segura
        key: timeout
    vars:
      - name: segura_timeout
  segura_token_cache:
    env:
      - name: SEGURA_TOKEN_CACHE
    ini:
      - section: segura
        key: token_cache
    vars:
      - name: segura_token_cache
  segura_token_path:
    env:
      - name: SEGURA_TOKEN_PATH
    ini:
      - section: segura
        key: token_path
    vars:
      - name: segura_token_path
  segura_tenant:
    env:
      - name: SEGURA_TENANT
    ini:
      - section: segura
        key: tenant
    vars:
      - name: segura_tenant
  segura_proxy:
    env:
      - name: SEGURA_PROXY
    ini:
      - section: segura
        key: proxy
    vars:
      - name: segura_proxy
  segura_pam_path:
    env:
      - name: SEGURA_PAM_PATH
    ini:
      - section: segura
        key: pam_path
    vars:
      - name: segura_pam_path
"""


def _without_variables(fragment):
    """``fragment`` without its ``vars`` sources: an inventory source has no host or play variables."""
    options = yaml.safe_load(fragment)["options"]
    return yaml.safe_dump({"options": {name: {source: entries for source, entries in option.items() if source != "vars"}
                                       for name, option in options.items()}}, sort_keys=False)


# The same options for the inventory plugin: its file, environment and ansible.cfg sources.
ModuleDocFragment.INVENTORY = _without_variables(ModuleDocFragment.PLUGINS)
