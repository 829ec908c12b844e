# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every segura.pam module shares: the AnsibleModule with the connection options, and
the one place where a client error becomes ``fail_json``."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils.client import url_credentials
from ansible_collections.segura.pam.plugins.module_utils.mysafe import MySafeApi
from ansible_collections.segura.pam.plugins.module_utils.options import CONNECTION_ARGUMENT_SPEC, client_from_options


class SeguraModule(AnsibleModule):
    """``returns_token``: the module hands the access token back on purpose (segura_token), so
    fetched tokens are not added to the values Ansible masks in its result."""

    def __init__(self, argument_spec, returns_token=False, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super(SeguraModule, self).__init__(argument_spec=spec, **kwargs)
        # user info inside the proxy or server URL is a credential too
        for option in ("segura_proxy", "segura_url"):
            self.no_log_values.update(url_credentials(self.params.get(option)))
        self._returns_token = returns_token
        self._client = None

    @property
    def client(self):
        if self._client is None:
            on_secret = None if self._returns_token else self.no_log_values.add
            self._client = client_from_options(self.params.get, warn=self.warn, on_secret=on_secret)
        return self._client

    @property
    def api(self):
        return MySafeApi(self.client)

    def fail_from_error(self, error, **result):
        """Turn a typed client error into the task's failure (never a traceback)."""
        result.update(error.to_result())
        self.fail_json(msg=str(error), **result)

    def run(self, action):
        """Call ``action()`` (returns the result dict) and exit; typed errors fail the task."""
        try:
            result = action()
        except errors.SeguraError as error:
            self.fail_from_error(error)
        finally:
            if self._client is not None:
                self._client.close()
        self.exit_json(**result)
