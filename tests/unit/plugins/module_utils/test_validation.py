"""Secret option checks: every refusal names the option, and accepted values come out normalised."""

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.module_utils._validation import check_identifier, item_fields

FIELDS = API_SECRET.fields


def secret_fields(values):
    return item_fields(API_SECRET, values)


VALID = {"name": "GCP", "url": "https://gcp.example.com", "client_id": "app", "client_secret": "s3cr3t",
         "method": "POST", "tags": ["prod"], "users_allowed": [{"username": "bob", "can_edit": True}],
         "groups_allowed": [{"name": "devops", "can_edit": False}]}


def params(**values):
    """Module params: every option present, None when the user left it out."""
    result = dict((field, None) for field in FIELDS)
    result.update(identifier=None, state="present")
    result.update(values)
    return result


def refused(**values):
    with pytest.raises(errors.ConfigurationError) as caught:
        secret_fields(params(**values))
    return caught.value


@pytest.mark.parametrize("identifier", [0, -1])
def test_identifier_must_be_positive(identifier):
    error = refused(identifier=identifier)
    assert error.message.startswith("Option identifier must be a positive integer")
    assert "mysafe_api_secret_info" in error.hint


def test_check_identifier_names_the_option_it_is_given():
    with pytest.raises(errors.ConfigurationError) as caught:
        check_identifier(0, API_SECRET, option="identifiers")
    assert caught.value.message.startswith("Option identifiers ")


@pytest.mark.parametrize("identifier", [None, 1, 42])
def test_valid_or_missing_identifier_passes(identifier):
    check_identifier(identifier, API_SECRET)


@pytest.mark.parametrize("option", ["name", "url", "client_id", "identifier_code"])
@pytest.mark.parametrize("value", ["", "   "])
def test_empty_text_options_are_refused(option, value):
    error = refused(**{option: value})
    assert error.message == "Option %s is empty." % option
    assert "leave the option out" in error.hint


@pytest.mark.parametrize("url", ["gcp.example.com", "/path/only", "https://", "//gcp.example.com"])
def test_url_needs_scheme_and_host(url):
    error = refused(url=url)
    assert error.message == "Option url '%s' has no scheme or host." % url


@pytest.mark.parametrize("method", ["FETCH", "", "GETS"])
def test_method_must_be_an_http_method(method):
    error = refused(method=method)
    assert error.message == "Option method '%s' is not an HTTP method." % method
    assert "get, post, put" in error.hint


@pytest.mark.parametrize("option, items, problem", [
    ("users_allowed", [{"username": "bob"}, {"username": ""}], "item 2 has an empty username"),
    ("users_allowed", [{"can_edit": True}], "item 1 has an empty username"),
    ("users_allowed", [{"username": "  "}], "item 1 has an empty username"),
    ("groups_allowed", [{"name": None}], "item 1 has an empty name"),
    ("users_allowed", [{"username": "bob"}, {"username": "bob", "can_edit": True}], "names username 'bob' more than once"),
    ("groups_allowed", [{"name": "devops"}, {"name": "devops"}], "names name 'devops' more than once")])
def test_share_lists_are_checked(option, items, problem):
    error = refused(**{option: items})
    assert error.message == "Option %s %s." % (option, problem)
    assert ("username" if option == "users_allowed" else "name") in error.hint


def test_valid_fields_come_out_normalised_and_unset_ones_omitted():
    wanted = secret_fields(params(**VALID))

    assert wanted == dict(VALID, method="post")
    assert "notes" not in wanted and "identifier_code" not in wanted


@pytest.mark.parametrize("empty_list_option", ["users_allowed", "groups_allowed", "tags"])
def test_empty_lists_are_kept_to_clear_the_stored_value(empty_list_option):
    assert secret_fields(params(**{empty_list_option: []})) == {empty_list_option: []}
