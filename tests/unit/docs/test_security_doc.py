"""docs/security.md names, beside each guarantee, the tests that prove it: every test it names
must exist, so that a renamed or deleted test cannot leave a guarantee unproven in silence."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SECURITY = REPO / "docs" / "security.md"
# `tests/x.py::name` opens a cell's list; `::name` after it is a test of the same file.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def named_tests():
    found = []
    for line in SECURITY.read_text().splitlines():
        if not line.startswith("|"):
            continue
        current = None
        for path, name in REFERENCE.findall(line):
            current = path or current
            found.append((current, name))
    return found


def test_the_security_page_names_tests():
    assert len(named_tests()) > 50


@pytest.mark.parametrize("path, name", named_tests(), ids=str)
def test_every_test_the_security_page_names_exists(path, name):
    assert path is not None, "::%s has no file before it in its cell" % name
    source = REPO / path
    assert source.is_file(), "%s is named in docs/security.md but does not exist" % path
    assert re.search(r"^\s*def %s\(" % re.escape(name), source.read_text(), re.M), \
        "%s::%s is named in docs/security.md but is not defined there" % (path, name)
