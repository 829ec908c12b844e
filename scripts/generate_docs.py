# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write the element options of the bulk modules' lists from the item options' one source.

MySafe: the options of an item are written once, in plugins/doc_fragments/mysafe_item.py (the
ones every kind shares, and each kind's own), and the item modules extend that fragment. PAM
Core: the options of pam_device, pam_credential and pam_ssh_key are written in those modules.
Doc fragments cannot fill suboptions, so the lists of plugins/modules/mysafe_items.py
(``api_secrets``, ``passwords``, ``notes``) and of plugins/modules/pam_items.py (``devices``,
``credentials``, ``ssh_keys``) hold a copy, between two marker lines, that this script
rewrites: references to an element's own options become references inside its list
(``O(name)`` -> ``O(notes[].name)``).

``python scripts/generate_docs.py`` rewrites the region (``make docs`` runs it);
``--check`` only says whether it is up to date (exit 1 when not).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FRAGMENT = ROOT / "plugins" / "doc_fragments" / "mysafe_item.py"
KINDS_FILE = ROOT / "plugins" / "module_utils" / "_kinds.py"
MODULES = ROOT / "plugins" / "modules"
ITEMS_MODULE = MODULES / "mysafe_items.py"
PAM_ITEMS_MODULE = MODULES / "pam_items.py"
BEGIN = "  # BEGIN generated from plugins/doc_fragments/mysafe_item.py by scripts/generate_docs.py (make docs)\n"
PAM_BEGIN = "  # BEGIN generated from the options of pam_device, pam_credential, pam_ssh_key by scripts/generate_docs.py\n"
END = "  # END generated\n"


def _load(path):
    """A plugin file as a plain module: neither file imports anything of the collection."""
    spec = importlib.util.spec_from_file_location("segura_pam_" + path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _FlowList(list):
    """A list written inline (``[present, absent]``), as the hand-written docs write choices."""


class _Dumper(yaml.SafeDumper):
    """Block style with indented sequences, as the hand-written parts of the docs are."""

    def increase_indent(self, flow=False, indentless=False):
        return super(_Dumper, self).increase_indent(flow, False)


_Dumper.add_representer(_FlowList, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=True))


def _in_list(value, list_name, names):
    """``value`` with every ``O(option`` of an element's own option written as ``O(list[].option``."""
    if isinstance(value, str):
        return re.sub(r"O\(([a-z_]+)(?=[).=])",
                      lambda match: "O(%s[].%s" % (list_name, match.group(1))
                      if match.group(1) in names else match.group(0), value)
    if isinstance(value, list):
        copied = [_in_list(item, list_name, names) for item in value]
        return _FlowList(copied) if isinstance(value, _FlowList) else copied
    if isinstance(value, dict):
        return dict((key, _FlowList(item) if key == "choices" else _in_list(item, list_name, names))
                    for key, item in value.items())
    return value


def module_documentation(path):
    """The DOCUMENTATION of a module file, read without importing it (it imports the collection)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(target, "id", None) == "DOCUMENTATION" for target in node.targets))
    return yaml.safe_load(text)


def element_options(kind):
    """The options of one element of ``kind``: a MySafe kind's own, then the shared ones (as the
    item module gets them from its two fragments); a PAM Core kind's module's options."""
    if kind.service == "pam":
        return module_documentation(MODULES / ("pam_%s.py" % kind.name))["options"]
    fragment = _load(FRAGMENT).ModuleDocFragment
    options = dict(yaml.safe_load(getattr(fragment, kind.name.upper()))["options"])
    options.update(yaml.safe_load(fragment.DOCUMENTATION)["options"])
    return options


def list_option(kind):
    """The documentation of the bulk module's list of ``kind``."""
    options = element_options(kind)
    return {
        "description": [
            "The %s, each with the options of M(%s) (connection options excepted)." % (kind.plural, kind.module),
            "Secret values inside the elements are never shown in output, logs or diffs.",
        ],
        "type": "list",
        "elements": "dict",
        "default": [],
        "suboptions": _in_list(options, kind.results_key, set(options)),
    }


def generated_region(table="KINDS", begin=BEGIN):
    """The marked region of a bulk module's DOCUMENTATION, markers included: the lists of the kinds
    of ``table`` (``KINDS`` for mysafe_items, ``PAM_KINDS`` for pam_items)."""
    kinds = getattr(_load(KINDS_FILE), table).values()
    text = yaml.dump(dict((kind.results_key, list_option(kind)) for kind in kinds), Dumper=_Dumper,
                     sort_keys=False, width=95, allow_unicode=True)
    return begin + "".join("  " + line if line.strip() else line for line in text.splitlines(True)) + END


def current_region(text, begin=BEGIN, path=ITEMS_MODULE):
    """The marked region as ``text`` holds it; ValueError when a marker is missing."""
    start, end = text.find(begin), text.find(END)
    if start < 0 or end < start:
        raise ValueError("%s has lost its markers: put back the two lines\n%s%s" % (path, begin, END))
    return text[start:end + len(END)]


# (bulk module, kinds table, begin marker)
TARGETS = ((ITEMS_MODULE, "KINDS", BEGIN), (PAM_ITEMS_MODULE, "PAM_KINDS", PAM_BEGIN))


def main(argv):
    stale = 0
    for path, table, begin in TARGETS:
        text = path.read_text(encoding="utf-8")
        wanted = generated_region(table, begin)
        if current_region(text, begin, path) == wanted:
            continue
        if "--check" in argv:
            print("%s is not what scripts/generate_docs.py writes: run make docs" % path.relative_to(ROOT))
            stale = 1
            continue
        path.write_text(text.replace(current_region(text, begin, path), wanted), encoding="utf-8")
        print("rewrote the generated options of %s" % path.relative_to(ROOT))
    return stale


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
