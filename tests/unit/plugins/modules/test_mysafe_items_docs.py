"""The options of each kind's elements are written four times: in the DOCUMENTATION of
mysafe_items (``api_secrets``, ``passwords``, ``notes``), in that of the kind's bulk module
(``items``), and in the argument specs Ansible checks them with. These tests fail as soon as a
copy differs from the others, so that the copies stay in step."""

import json

import pytest
import yaml

from ansible_collections.segura.pam.plugins.module_utils._kinds import KINDS
from ansible_collections.segura.pam.plugins.module_utils._module import bulk_argument_spec, items_argument_spec
from ansible_collections.segura.pam.plugins.modules import (
    mysafe_api_secrets, mysafe_items, mysafe_notes, mysafe_passwords)

# mysafe_items' list option -> the bulk module whose ``items`` it repeats
BULK_MODULES = {"api_secrets": mysafe_api_secrets, "passwords": mysafe_passwords, "notes": mysafe_notes}
KIND_OF_LIST = {kind.results_key: kind for kind in KINDS.values()}
ITEMS_OPTIONS = yaml.safe_load(mysafe_items.DOCUMENTATION)["options"]


def documented(module):
    return yaml.safe_load(module.DOCUMENTATION)["options"]


def normalised(suboptions, list_name):
    """The suboptions with the references to their own list written as the bulk module's ``items``."""
    return json.loads(json.dumps(suboptions).replace("O(%s[]" % list_name, "O(items[]"))


def shape(options, key):
    """What the docs and the argument spec must agree on, option by option (``key``: where the
    suboptions are, ``suboptions`` in docs, ``options`` in a spec)."""
    shaped = {}
    for name, option in options.items():
        shaped[name] = {"type": option.get("type", "str"), "elements": option.get("elements"),
                        "default": option.get("default"), "choices": option.get("choices"),
                        "required": bool(option.get("required"))}
        if option.get(key):
            shaped[name]["options"] = shape(option[key], key)
    return shaped


def test_the_kinds_and_the_lists_are_the_same():
    assert set(BULK_MODULES) == set(KIND_OF_LIST)
    assert set(ITEMS_OPTIONS["exclusive_tags"]["suboptions"]) == set(BULK_MODULES)


@pytest.mark.parametrize("list_name", list(BULK_MODULES))
def test_each_list_documents_exactly_the_items_of_its_bulk_module(list_name):
    ours = normalised(ITEMS_OPTIONS[list_name]["suboptions"], list_name)
    theirs = documented(BULK_MODULES[list_name])["items"]["suboptions"]

    assert ours == theirs


def test_no_list_refers_to_items_or_to_another_list():
    assert "O(items[" not in mysafe_items.DOCUMENTATION
    for list_name in BULK_MODULES:
        text = json.dumps(ITEMS_OPTIONS[list_name])
        others = [other for other in BULK_MODULES if other != list_name and "O(%s[]" % other in text]
        assert not others, (list_name, others)


def test_mysafe_items_documents_exactly_its_argument_spec():
    assert shape(ITEMS_OPTIONS, "suboptions") == shape(items_argument_spec(), "options")


@pytest.mark.parametrize("list_name", list(BULK_MODULES))
def test_each_bulk_module_documents_exactly_its_argument_spec(list_name):
    spec = bulk_argument_spec(KIND_OF_LIST[list_name])

    assert shape(documented(BULK_MODULES[list_name]), "suboptions") == shape(spec, "options")


@pytest.mark.parametrize("list_name", list(BULK_MODULES))
def test_the_secret_fields_are_documented_as_never_shown(list_name):
    kind = KIND_OF_LIST[list_name]
    suboptions = ITEMS_OPTIONS[list_name]["suboptions"]
    for field in set(kind.secret_fields) & set(suboptions):
        assert "Never shown" in json.dumps(suboptions[field]["description"]), field


def test_the_returned_keys_are_the_lists():
    assert set(yaml.safe_load(mysafe_items.RETURN)) == set(BULK_MODULES)
