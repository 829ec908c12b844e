"""Terms of the PAM Core kinds: by=auto tells an id, an identifier and username@hostname apart."""

import pytest

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._kinds import CREDENTIAL, SSH_KEY
from ansible_collections.segura.pam.plugins.module_utils._terms import term_key


@pytest.mark.parametrize("term, expected", [
    ("152", ("id", 152)),
    (" 7 ", ("id", 7)),
    ("db-01-root", ("identifier", "db-01-root")),
    ("root@db-01", ("username_at_hostname", "root@db-01")),
    ("app@corp@db-01", ("username_at_hostname", "app@corp@db-01")),  # the last @ splits, later
])
def test_auto_tells_the_forms_apart(term, expected):
    assert term_key(CREDENTIAL, term, "auto") == expected


@pytest.mark.parametrize("term", ["@db-01", "root@", ""])
def test_incomplete_forms_fail_before_any_request(term):
    with pytest.raises(errors.ConfigurationError):
        term_key(CREDENTIAL, term, "auto" if term else "identifier")


def test_by_id_refuses_text_and_by_identifier_keeps_digits_as_text():
    with pytest.raises(errors.ConfigurationError) as raised:
        term_key(SSH_KEY, "deploy", "id")
    assert "not an id" in str(raised.value)
    assert term_key(SSH_KEY, "2024", "identifier") == ("identifier", "2024")
