# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build hook: packs the collection's own client into the wheel, so there is one source of truth.

The client and engine modules of ``plugins/module_utils`` (``client``, ``_api``, ``_engine``,
``_kinds``, ``_pam``, ``_terms``, and whatever they import from the collection) are copied into
``segura_awx_credential_plugin/_collection`` of the build directory, with their
``ansible_collections.segura.pam.plugins.module_utils`` imports made relative.
Nothing is written into the source tree. Metadata lives in pyproject.toml.
"""

from __future__ import annotations

import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
MODULE_UTILS = HERE.parents[2] / "plugins" / "module_utils"
PACKAGE = "segura_awx_credential_plugin"
VENDORED = "_collection"
# The modules the plugin imports; the build adds what they import from the collection. The
# Ansible-facing ones (_module, _options, _validation, _bulk) stay out: the plugin runs without Ansible.
ENTRY_MODULES = ("client", "_api", "_engine", "_kinds", "_pam", "_terms")
COLLECTION_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from ansible_collections\.segura\.pam\.plugins\.module_utils"
    r"(?:\.(?P<module>\w+))? import (?P<names>\([^)]*\)|.*)$", re.M)
# An unconditional (top-level) Ansible import: it would make the plugin need Ansible.
TOP_LEVEL_ANSIBLE_IMPORT = re.compile(r"^(?:from|import) (?:ansible|ansible_collections)\b", re.M)


class BuildError(Exception):
    pass


def read_module(name):
    path = MODULE_UTILS / ("%s.py" % name)
    if not path.is_file():
        raise BuildError(
            "%s is not there: build the wheel from a checkout of the segura.pam collection "
            "(pip wheel extensions/awx/credential_plugin), not from an sdist or a copy of this directory."
            % path)
    return path.read_text(encoding="utf-8")


def vendored_modules():
    """{module name: source with relative imports} for the entry modules and what they import."""
    sources, pending = {}, list(ENTRY_MODULES)
    while pending:
        name = pending.pop()
        if name in sources:
            continue

        def relative(match):
            if match.group("module"):
                pending.append(match.group("module"))
                return "%sfrom .%s import %s" % (match.group("indent"), match.group("module"), match.group("names"))
            pending.extend(word for word in re.findall(r"\w+", match.group("names"))
                           if (MODULE_UTILS / ("%s.py" % word)).is_file())
            return "%sfrom . import %s" % (match.group("indent"), match.group("names"))

        source = COLLECTION_IMPORT.sub(relative, read_module(name))
        if TOP_LEVEL_ANSIBLE_IMPORT.search(source) or "ansible_collections." in source:
            raise BuildError("plugins/module_utils/%s.py imports Ansible (or the collection in a form this build "
                             "cannot rewrite); the credential plugin runs without Ansible: move that import "
                             "into a function or a try block." % name)
        sources[name] = source
    sources["__init__"] = ('"""The segura.pam collection\'s client, copied from plugins/module_utils when the wheel '
                           'was built."""\n')
    return sources


def collection_version():
    match = re.search(r'^COLLECTION_VERSION = "([^"]+)"', read_module("_version"), re.M)
    if not match:
        raise BuildError("No COLLECTION_VERSION in plugins/module_utils/_version.py.")
    return match.group(1)


class BuildWithCollectionClient(build_py):
    """build_py that adds the collection's client modules to the package in the build directory."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / PACKAGE / VENDORED
        target.mkdir(parents=True, exist_ok=True)
        for name, source in vendored_modules().items():
            (target / ("%s.py" % name)).write_text(source, encoding="utf-8")


setup(version=collection_version(), cmdclass={"build_py": BuildWithCollectionClient})
