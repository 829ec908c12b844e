"""What the modules of every kind do, called as functions: argument specs built from the kind
table, and the info module's choice between one item and a list, with exact filtering."""

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MASK, MySafeApi
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET, KINDS, NOTE, PASSWORD
from ansible_collections.segura.pam.plugins.module_utils._module import (
    collect_info, info_argument_spec, item_argument_spec, listed_matches, single_selectors)


class FakeModule(object):
    """The part of SeguraModule that collect_info uses."""

    def __init__(self, client, kind, **params):
        self.params = {name: spec.get("default") for name, spec in info_argument_spec(kind).items()}
        self.params.update(params)
        self._client = client

    def api(self, kind):
        return MySafeApi(self._client, kind)


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_item_spec_takes_every_field_and_hides_the_secret_ones(kind):
    spec = item_argument_spec(kind)

    assert set(kind.fields) <= set(spec)
    assert {name for name, option in spec.items() if option.get("no_log")} == set(kind.secret_fields) & set(spec)
    assert spec[kind.rewrite_option[0]]["choices"] == ["always", "on_create"]
    assert spec["state"]["default"] == "present"


def test_info_options_and_what_selects_one_item():
    assert set(info_argument_spec(PASSWORD)) == {"identifier", "tag", "name", "username", "url", "details",
                                                 "reveal_secret"}
    assert single_selectors(API_SECRET) == ("identifier", "identifier_code")
    assert single_selectors(PASSWORD) == ("identifier", "name")
    assert single_selectors(NOTE) == ("identifier", "name")


@pytest.mark.parametrize("filters, matches", [
    ({"tag": "prod"}, True), ({"tag": "Prod"}, False), ({"name": "db"}, True), ({"name": "DB"}, False),
    ({"username": "svc"}, True), ({"username": "svc2"}, False), ({"url": "db.example.com"}, True),
])
def test_list_filters_match_exactly(filters, matches):
    summary = {"identifier": 1, "name": "db", "username": "svc", "url": "db.example.com", "tags": ["prod", "eu"]}

    assert listed_matches(summary, filters) is matches


def test_a_filter_the_list_does_not_carry_is_left_to_the_server():
    assert listed_matches({"identifier": 1, "name": "GCP"}, {"tag": "anything"}) is True


def test_an_api_secret_name_filters_the_list_but_a_code_alone_selects_one(make_client, mysafe_server):
    first = mysafe_server.add(name="GCP", url="https://a.example.com", client_id="a", client_secret="s-1",
                              identifier_code="gcp")
    mysafe_server.add(name="GCP", url="https://b.example.com", client_id="b", client_secret="s-2")
    client = make_client()

    listed = collect_info(FakeModule(client, API_SECRET, name="GCP"), API_SECRET)
    one = collect_info(FakeModule(client, API_SECRET, identifier_code="gcp"), API_SECRET)

    assert [s["identifier"] for s in listed["api_secrets"]] == [1, 2]
    assert all(s["client_secret"] == MASK for s in listed["api_secrets"])
    assert one["api_secret"]["identifier"] == first and one["api_secret"]["client_secret"] == MASK


def test_revealing_returns_the_values(make_client, mysafe_server):
    mysafe_server.add(name="GCP", url="https://a.example.com", client_id="a", client_secret="s-1",
                      identifier_code="gcp")

    one = collect_info(FakeModule(make_client(), API_SECRET, identifier=1, reveal_secret=True), API_SECRET)

    assert one["api_secret"]["client_secret"] == "s-1"


def test_a_code_shared_by_several_owners_names_them(make_client, mysafe_server):
    for letter in "ab":
        mysafe_server.add(name=letter, url="https://x.example.com", client_id=letter, identifier_code="dup")

    with pytest.raises(errors.AmbiguousSelectionError) as raised:
        collect_info(FakeModule(make_client(), API_SECRET, identifier_code="dup"), API_SECRET)

    assert "(identifiers 1, 2)" in str(raised.value)
