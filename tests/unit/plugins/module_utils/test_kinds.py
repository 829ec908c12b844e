"""The PASSWORD kind through the one engine: its checks, masking, comparison, selection and writes.

The server is the simulator's MySafe in-process (``mysafe_server``) behind ``fake_http`` (below the
client, so the client, MySafeApi and the engine all run for real). It answers with the
documented quirks: string identifiers, ``notes`` on read but ``note`` in write answers,
``secret_key`` and ``token`` null without a seed, and list filters that match part of a value in
any case, as a server may; the collection must match exactly on its side.
"""

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._api import MASK, MySafeApi, masked, normalise_entity
from ansible_collections.segura.pam.plugins.module_utils._engine import Differences, ItemSync, find_all, find_one
from ansible_collections.segura.pam.plugins.module_utils._kinds import KINDS, PASSWORD, check_base32
from ansible_collections.segura.pam.plugins.module_utils._validation import item_fields

SEED = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def api(make_client, mysafe_server):
    return MySafeApi(make_client(), PASSWORD)


def writes(server):
    """(endpoint, JSON body) of every password write ``server`` received."""
    return [(write.endpoint, write.body) for write in server.writes_of["passwords"]]


def sync(api, **options):
    return ItemSync(api, **options).run()


# -- the kind's checks, before anything is sent ------------------------------------------------

@pytest.mark.parametrize("seed", [SEED, "jbswy3dpehpk3pxp", "JBSW Y3DP EHPK 3PXP", "JBSWY3DPEHPK3PXP====",
                                  "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", ""])
def test_base32_seeds_pass_in_any_spelling(seed):
    check_base32(seed)


# "AAA": base32 letters, but no whole number of bytes
@pytest.mark.parametrize("seed", ["JBSWY3DPEHPK3PX0", "SEED-8899", "otpauth://totp/x?secret=JBSWY3DP", "AAA"])
def test_a_seed_that_is_not_base32_is_refused_without_being_shown(seed):
    with pytest.raises(ValueError) as raised:
        check_base32(seed)
    assert seed not in str(raised.value)


def test_a_bad_seed_fails_validation_naming_the_option_and_the_fix_never_the_value():
    with pytest.raises(errors.ConfigurationError) as raised:
        item_fields(PASSWORD, {"identifier": 3, "secret_key": "SEED-8899-canary"})
    message = str(raised.value)
    assert message.startswith("Option secret_key is not a base32 TOTP seed")
    assert "otpauth://" in message and "SEED-8899-canary" not in message


@pytest.mark.parametrize("option", ["name", "username"])
def test_empty_name_or_username_is_refused(option):
    with pytest.raises(errors.ConfigurationError, match="Option %s is empty" % option):
        item_fields(PASSWORD, {option: "  "})


def test_a_password_url_is_free_text_and_an_empty_seed_is_kept_to_send():
    wanted = item_fields(PASSWORD, {"url": "db01.example.com:5432", "secret_key": "", "password": "p"})
    assert wanted == {"url": "db01.example.com:5432", "secret_key": "", "password": "p"}


def test_the_password_kind_is_in_the_table():
    assert KINDS["password"] is PASSWORD
    assert PASSWORD.module == "segura.pam.mysafe_password" and PASSWORD.results_key == "passwords"


# -- shape, masking and comparison -------------------------------------------------------------

def test_a_read_without_seed_normalises_seed_and_code_to_empty_strings_and_masks_only_what_is_set():
    entity = normalise_entity(PASSWORD, {"identifier": "4", "name": "db", "username": "svc", "password": "pw",
                                         "secret_key": None, "token": None, "notes": None, "tags": "a, b",
                                         "users_allowed": [{"name": "bob", "can_edit": "1"}]})
    assert (entity["secret_key"], entity["token"], entity["notes"], entity["tags"]) == ("", "", "", ["a", "b"])
    assert entity["users_allowed"] == [{"username": "bob", "can_edit": True}]
    shown = masked(PASSWORD, dict(entity, secret_key=SEED, token="492039"))
    assert (shown["password"], shown["secret_key"], shown["token"]) == (MASK, MASK, MASK)
    assert masked(PASSWORD, entity)["secret_key"] == ""  # nothing to hide: shown as empty
    assert entity["password"] == "pw"  # masked() copies


def test_a_seed_spelled_differently_is_no_change_but_a_new_seed_is_sent_as_given_and_masked():
    same = Differences(PASSWORD, {"secret_key": SEED}, {"secret_key": "jbsw y3dp ehpk 3pxp=="})
    assert same.changes == {} and same.after == {"secret_key": MASK}
    new = Differences(PASSWORD, {"secret_key": SEED, "password": "old-pw"},
                      {"secret_key": "kr sx g5ct", "password": "new-pw"})
    assert new.changes == {"secret_key": "kr sx g5ct", "password": "new-pw"}
    assert new.before == {"secret_key": MASK, "password": MASK}
    assert new.after == {"secret_key": MASK + " (changed)", "password": MASK + " (changed)"}
    assert "pw" not in repr((new.before, new.after))


# -- selection by name and username ------------------------------------------------------------

def test_find_all_matches_name_and_username_exactly_among_what_the_server_filters(api, mysafe_server):
    wanted = mysafe_server.add("passwords", name="Shared db", username="app")
    mysafe_server.add("passwords", name="Shared db", username="app2")  # the server's filter keeps it (a part)
    mysafe_server.add("passwords", name="shared DB", username="app")  # and this one (any case)
    mysafe_server.add("passwords", name="Shared db", username="report")

    found, what = find_all(api, name="Shared db", username="app")

    assert [item["identifier"] for item in found] == [wanted]
    assert what == "name 'Shared db' and username 'app'"
    # the server filters first
    assert mysafe_server.list_queries["passwords"] == [{"name": "Shared db", "username": "app"}]


def test_a_name_without_username_is_ambiguous_among_accounts_naming_their_identifiers(api, mysafe_server):
    first = mysafe_server.add("passwords", name="Shared db", username="app")
    second = mysafe_server.add("passwords", name="Shared db", username="report")
    mysafe_server.add("passwords", name="Shared db replica", username="app")

    with pytest.raises(errors.AmbiguousSelectionError) as raised:
        find_one(api, name="Shared db", username=None)

    assert "2 passwords visible to this API user have name 'Shared db' (identifiers %d, %d)" % (first, second) \
        in str(raised.value)
    assert mysafe_server.list_queries["passwords"] == [{"name": "Shared db"}]


def test_without_a_name_there_is_nothing_to_select_by(api, mysafe_server):
    with pytest.raises(errors.ConfigurationError, match="none of identifier or name is set"):
        find_all(api, username="app")
    assert mysafe_server.list_queries["passwords"] == []


# -- the engine writing passwords ----------------------------------------------------------------

def test_create_sends_every_field_and_returns_the_read_entry_masked(api, mysafe_server):
    wanted = item_fields(PASSWORD, {"name": "db", "username": "svc", "password": "pw-1", "secret_key": SEED,
                                    "notes": "n", "tags": ["b", "a"]})

    result = sync(api, wanted=wanted)

    assert (result["operation"], result["identifier"]) == ("created", 1)
    assert writes(mysafe_server) == [("create", {"name": "db", "username": "svc", "password": "pw-1",
                                                 "secret_key": SEED, "notes": "n", "tags": "b,a"})]
    entry = result["password"]
    # read back rather than trusting the answer, which names the notes "note" and has no password
    assert (entry["notes"], entry["password"], entry["secret_key"], entry["token"]) == ("n", MASK, MASK, MASK)


def test_selected_by_name_and_username_an_equal_entry_is_not_written(api, mysafe_server):
    mysafe_server.add("passwords", name="db", username="svc", password="pw-1", secret_key=SEED, tags="a,b")
    mysafe_server.add("passwords", name="db", username="other", password="pw-2")

    result = sync(api, wanted={"name": "db", "username": "svc", "password": "pw-1", "secret_key": "jbswy3dpehpk3pxp",
                               "tags": ["b", "a"]})

    assert (result["changed"], result["identifier"]) == (False, 1)
    assert writes(mysafe_server) == []


@pytest.mark.parametrize("update_password, sent", [("always", {"password": "new-pw", "notes": "rotated"}),
                                                   ("on_create", {"notes": "rotated"})])
def test_update_password_decides_whether_the_stored_password_is_replaced(api, mysafe_server, update_password, sent):
    identifier = mysafe_server.add("passwords", name="db", username="svc", password="old-pw")

    result = sync(api, identifier=identifier, wanted={"password": "new-pw", "notes": "rotated"},
                  rewrite=update_password)

    assert result["operation"] == "updated"
    assert writes(mysafe_server) == [("update", sent)]


def test_check_mode_predicts_without_writing(api, mysafe_server):
    identifier = mysafe_server.add("passwords", name="db", username="svc", password="old-pw")

    update = sync(api, identifier=identifier, wanted={"password": "new-pw", "url": "db02"}, check_mode=True)
    create = sync(api, wanted={"name": "new", "username": "u", "password": "p"}, check_mode=True)
    disable = sync(api, identifier=identifier, state="absent", check_mode=True)

    assert [r["operation"] for r in (update, create, disable)] == ["updated", "created", "disabled"]
    assert update["password"]["url"] == "db02" and update["password"]["password"] == MASK
    # stored without a seed: the server answers secret_key and token null, shown as nothing to hide
    assert (update["password"]["secret_key"], update["password"]["token"]) == ("", "")
    assert create["identifier"] is None and create["password"]["password"] == MASK
    assert writes(mysafe_server) == []


def test_a_disabled_entry_is_enabled_then_updated(api, mysafe_server):
    identifier = mysafe_server.add("passwords", name="db", username="svc", password="pw", active=False)

    result = sync(api, identifier=identifier, wanted={"notes": "back"})

    assert result["operation"] == "updated"
    assert result["diff"] == {"before": {"active": False, "notes": ""}, "after": {"active": True, "notes": "back"}}
    assert [endpoint for endpoint, _body in writes(mysafe_server)] == ["active", "update"]
