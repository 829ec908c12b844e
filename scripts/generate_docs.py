# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write the element options of mysafe_items' lists from the item options' one source.

The options of an item are written once, in plugins/doc_fragments/mysafe_item.py (the ones
every kind shares, and each kind's own), and the item modules extend that fragment. Doc
fragments cannot fill suboptions, so the ``api_secrets``, ``passwords`` and ``notes`` options of
plugins/modules/mysafe_items.py hold a copy, between two marker lines, that this script
rewrites: references to an element's own options become references inside its list
(``O(name)`` -> ``O(notes[].name)``).

``python scripts/generate_docs.py`` rewrites the region (``make docs`` runs it);
``--check`` only says whether it is up to date (exit 1 when not).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FRAGMENT = ROOT / "plugins" / "doc_fragments" / "mysafe_item.py"
KINDS_FILE = ROOT / "plugins" / "module_utils" / "_kinds.py"
ITEMS_MODULE = ROOT / "plugins" / "modules" / "mysafe_items.py"
BEGIN = "  # BEGIN generated from plugins/doc_fragments/mysafe_item.py by scripts/generate_docs.py (make docs)\n"
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


def element_options(kind):
    """The options of one element of ``kind``: the kind's own, then the shared ones (as the
    item module gets them from its two fragments)."""
    fragment = _load(FRAGMENT).ModuleDocFragment
    options = dict(yaml.safe_load(getattr(fragment, kind.name.upper()))["options"])
    options.update(yaml.safe_load(fragment.DOCUMENTATION)["options"])
    return options


def list_option(kind):
    """The documentation of mysafe_items' list of ``kind``."""
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


def generated_region():
    """The marked region of mysafe_items' DOCUMENTATION, markers included."""
    kinds = _load(KINDS_FILE).KINDS.values()
    text = yaml.dump(dict((kind.results_key, list_option(kind)) for kind in kinds), Dumper=_Dumper,
                     sort_keys=False, width=95, allow_unicode=True)
    return BEGIN + "".join("  " + line if line.strip() else line for line in text.splitlines(True)) + END


def current_region(text):
    """The marked region as ``text`` holds it; ValueError when a marker is missing."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError("%s has lost its markers: put back the two lines\n%s%s" % (ITEMS_MODULE, BEGIN, END))
    return text[start:end + len(END)]


def main(argv):
    text = ITEMS_MODULE.read_text(encoding="utf-8")
    wanted = generated_region()
    if current_region(text) == wanted:
        return 0
    if "--check" in argv:
        print("%s is not what scripts/generate_docs.py writes: run make docs" % ITEMS_MODULE.relative_to(ROOT))
        return 1
    ITEMS_MODULE.write_text(text.replace(current_region(text), wanted), encoding="utf-8")
    print("rewrote the generated options of %s" % ITEMS_MODULE.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
