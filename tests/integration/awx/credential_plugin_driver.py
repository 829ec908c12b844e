# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs inside the test venv (python -I): finds the credential plugin the way AWX does and calls it.

Reads a JSON request on stdin, writes a JSON report on stdout. The request:

- ``calls``: ``[{"inputs": {...}, "metadata": {...}}]``: each is run the way AWX's
  ``CredentialInputSource.get_input_value`` runs it (the source credential's inputs, updated with
  the input source's metadata, as keyword arguments of ``backend``).
- ``extra_path``: a directory to add to ``sys.path`` (where awx-plugins is installed), or null.
- ``awx_plugins``: also load the plugin next to awx-plugins-core's own and check it against
  awx-plugins' ``CredentialPlugin`` and input types.

The report holds what each entry point group offers, the result or error of each call, the CA files
the plugin removed (seen through an audit hook just before removal) and the top-level packages imported.
"""

import json
import os
import stat
import sys
import tempfile
from importlib.metadata import entry_points
from types import SimpleNamespace

NAMESPACE = "segura_mysafe"


def load_current():
    """awx/main/models/credential/__init__.py, load_credentials(): the awx_plugins.credentials group."""
    credential_plugins = {ep.name: ep for ep in entry_points(group="awx_plugins.credentials")}
    plugin = credential_plugins[NAMESPACE].load()
    # CredentialType.load_plugin: what AWX keeps of the plugin
    registered = SimpleNamespace(namespace=NAMESPACE, name=plugin.name, kind="external", inputs=plugin.inputs,
                                 backend=plugin.backend)
    return sorted(credential_plugins), plugin, registered


def load_legacy():
    """Older AWX: every entry point of awx.credential_plugins is loaded at import time."""
    return dict((ep.name, ep.load()) for ep in entry_points(group="awx.credential_plugins"))


def describe(plugin):
    return {"name": plugin.name, "inputs": plugin.inputs, "type": type(plugin).__name__,
            "tuple_fields": list(getattr(type(plugin), "_fields", [])), "backend": plugin.backend.__name__}


def check_with_awx_plugins(plugin):
    """Our plugin beside awx-plugins-core's: same shape, input keys within awx-plugins' own types."""
    from awx_plugins.credentials import _types
    from awx_plugins.credentials.plugin import CredentialPlugin

    core = {ep.name: ep for ep in entry_points(group="awx_plugins.credentials")}["hashivault_kv"].load()
    as_core = CredentialPlugin(*plugin)
    return {
        "core_type": type(core).__name__,
        "core_is_credential_plugin": isinstance(core, CredentialPlugin),
        "as_core": [as_core.name, as_core.backend is plugin.backend, as_core.inputs is plugin.inputs],
        "inputs_keys": sorted(_types.PluginInputs.__annotations__),
        "field_keys": sorted(_types.FieldDict.__annotations__),
        "metadata_keys": sorted(_types.MetadataDict.__annotations__),
    }


def main():
    request = json.load(sys.stdin)
    if request.get("extra_path"):
        sys.path.append(request["extra_path"])
    temp_dir = tempfile.gettempdir()
    removed = []

    def watch_removals(event, args):
        if event == "os.remove" and os.path.dirname(str(args[0])) == temp_dir and os.path.isfile(args[0]):
            with open(args[0], encoding="utf-8") as stream:
                removed.append({"mode": stat.S_IMODE(os.stat(args[0]).st_mode), "text": stream.read()})

    sys.addaudithook(watch_removals)

    names, plugin, registered = load_current()
    legacy = load_legacy()
    report = {
        "groups": {"awx_plugins.credentials": names, "awx.credential_plugins": sorted(legacy)},
        "plugin": describe(plugin),
        "same_object_in_both_groups": legacy.get(NAMESPACE) is plugin,
        "calls": [],
    }
    if request.get("awx_plugins"):
        report["awx_plugins"] = check_with_awx_plugins(plugin)
    for call in request.get("calls", []):
        del removed[:]
        backend_kwargs = dict(call["inputs"])
        backend_kwargs.update(call["metadata"])
        outcome = {}
        try:
            value = registered.backend(**backend_kwargs)
            outcome["value"] = value
            outcome["value_type"] = type(value).__name__
        except Exception as error:  # the report says what AWX would show
            outcome["error"] = {"type": type(error).__name__, "message": str(error),
                                "is_runtime_error": isinstance(error, RuntimeError)}
        outcome["ca_files_removed"] = list(removed)
        outcome["left_in_temp_dir"] = sorted(os.listdir(temp_dir))
        report["calls"].append(outcome)
    report["imported"] = sorted(set(name.split(".")[0] for name in sys.modules))
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
