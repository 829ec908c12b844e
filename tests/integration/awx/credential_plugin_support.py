"""Helpers of test_credential_plugin.py: the wheel and its venv, AWX's rules for inputs, the driver.

The wheel is built the way the docs say (``pip wheel``) from a copy of exactly what a clone holds
of the two directories it needs, installed into a fresh venv without Ansible, and driven there by
credential_plugin_driver.py. pytest-xdist workers share one build through a lock file.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlparse

import jsonschema

REPO = Path(__file__).resolve().parents[3]
PLUGIN_SOURCE = REPO / "extensions" / "awx" / "credential_plugin"
MODULE_UTILS = REPO / "plugins" / "module_utils"
DRIVER = Path(__file__).resolve().parent / "credential_plugin_driver.py"
# The released awx-plugins packages (pre-releases: the only releases so far) to load the plugin beside.
AWX_PLUGINS = ("awx-plugins-core==0.2.0a0", "awx-plugins.interfaces==0.0.1a5")

# -- building ---------------------------------------------------------------------------------


def _pip(*args):
    completed = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"] + list(args),
                               capture_output=True, text=True, timeout=300, check=False)
    if completed.returncode != 0:
        raise RuntimeError("pip %s failed:\n%s%s" % (" ".join(args), completed.stdout, completed.stderr))


def _build(root):
    checkout = root / "checkout"
    shutil.copytree(PLUGIN_SOURCE, checkout / "extensions" / "awx" / "credential_plugin",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    shutil.copytree(MODULE_UTILS, checkout / "plugins" / "module_utils", ignore=shutil.ignore_patterns("__pycache__"))
    _pip("wheel", "--no-deps", "-w", str(root / "dist"), str(checkout / "extensions" / "awx" / "credential_plugin"))
    [wheel] = (root / "dist").glob("segura_awx_credential_plugin-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", str(wheel), "requests==%s" % version("requests"))
    _pip("install", "--no-deps", "--target", str(root / "awx-plugins"), *AWX_PLUGINS)
    return {"python": str(python), "wheel": str(wheel), "checkout": str(checkout),
            "awx_plugins": str(root / "awx-plugins")}


def plugin_environment(root):
    """The wheel, a venv with it (and requests), and awx-plugins in a directory of its own; built once."""
    root.mkdir(parents=True, exist_ok=True)
    ready = root / "ready.json"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            for leftover in ("checkout", "dist", "venv", "awx-plugins"):
                shutil.rmtree(root / leftover, ignore_errors=True)
            ready.write_text(json.dumps(_build(root)))
    return json.loads(ready.read_text())


def run_driver(environment, work_dir, calls=(), awx_plugins=False):
    """The driver's report; TMPDIR and HOME are fresh directories of ``work_dir``, and no CA comes from the environment."""
    temp_dir, home = work_dir / "tmp", work_dir / "home"
    temp_dir.mkdir(parents=True)
    home.mkdir()
    request = {"calls": list(calls), "awx_plugins": awx_plugins,
               "extra_path": environment["awx_plugins"] if awx_plugins else None}
    completed = subprocess.run(
        [environment["python"], "-I", str(DRIVER)], input=json.dumps(request), capture_output=True, text=True,
        timeout=120, check=False,
        env={"PATH": os.environ["PATH"], "HOME": str(home), "TMPDIR": str(temp_dir), "LANG": "C.UTF-8"})
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    report["stderr"] = completed.stderr
    report["home_files"] = sorted(str(path.relative_to(home)) for path in home.rglob("*"))
    return report


# -- AWX's rules (awx/main/fields.py) -----------------------------------------------------------

# CredentialTypeInputField: what one input field may hold.
FIELD_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"enum": ["string", "boolean"]},
        "format": {"enum": ["ssh_private_key", "url"]},
        "choices": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
        "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
        "label": {"type": "string"},
        "help_text": {"type": "string"},
        "multiline": {"type": "boolean"},
        "secret": {"type": "boolean"},
        "ask_at_runtime": {"type": "boolean"},
        "default": {},
    },
    "additionalProperties": False,
    "required": ["id", "label"],
}
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("url")
def _is_url(value):
    parts = urlparse(value)
    return bool(parts.scheme and parts.netloc)


def input_problems(inputs):
    """Everything AWX would refuse in a plugin's ``inputs`` (empty when it accepts them)."""
    problems = ["unknown key %s" % key for key in sorted(set(inputs) - {"fields", "metadata", "required"})]
    items = inputs.get("fields", []) + inputs.get("metadata", [])
    for item in items:
        problems += ["%s: %s" % (item.get("id"), error.message)
                     for error in jsonschema.Draft4Validator(FIELD_SCHEMA).iter_errors(item)]
        kind = item.get("type", "string")
        if item.get("id") == "tower":
            problems.append("'tower' is a reserved field name")
        if "default" in item and not isinstance(item["default"], {"string": str, "boolean": bool}.get(kind, ())):
            problems.append("%s: default %r is not a %s" % (item["id"], item["default"], kind))
        problems += ["%s: %s not allowed for %s" % (item["id"], key, kind)
                     for key in ("choices", "multiline", "format", "secret") if key in item and kind != "string"]
    # AWX merges the credential's inputs and the metadata into one set of keyword arguments.
    ids = [item.get("id") for item in items]
    problems += ["id %s is not unique" % name for name in sorted(set(i for i in ids if ids.count(i) > 1))]
    problems += ["required %s is not a field" % name for name in inputs.get("required", []) if name not in ids]
    return problems


def _schema(items):
    properties = {}
    for item in items:
        item = dict(item)
        if item.get("choices"):
            item["enum"] = list(item["choices"])
        properties[item["id"]] = item
    return {"type": "object", "properties": properties, "additionalProperties": False}


def awx_call(plugin_inputs, inputs, metadata):
    """One backend call, after checking that AWX accepts these credential inputs and this metadata.

    CredentialInputField and DynamicCredentialInputField: the types, choices and formats of the
    plugin's fields, no unknown key, and every required metadata field set.
    """
    for values, items in ((inputs, plugin_inputs["fields"]), (metadata, plugin_inputs["metadata"])):
        errors = [error.message for error in
                  jsonschema.Draft4Validator(_schema(items), format_checker=FORMATS).iter_errors(values)]
        assert not errors, errors
    metadata_ids = [item["id"] for item in plugin_inputs["metadata"]]
    assert all(metadata.get(name) for name in plugin_inputs["required"] if name in metadata_ids)
    return {"inputs": inputs, "metadata": metadata}
