"""The SSH key pair check: run before anything is sent, never shows key material."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ansible_collections.segura.pam.plugins.module_utils import errors
from ansible_collections.segura.pam.plugins.module_utils._ssh_keys import check_key_pair


def pair(passphrase=None):
    key = Ed25519PrivateKey.generate()
    encryption = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase \
        else serialization.NoEncryption()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8 if passphrase
                                else serialization.PrivateFormat.OpenSSH, encryption).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, public.decode() + " someone@host"


@pytest.mark.parametrize("passphrase", [None, "open sesame"])
def test_a_matching_pair_passes_whatever_the_comment_and_line_ends(passphrase):
    private, public = pair(passphrase)
    check_key_pair({"private_key": private.replace("\n", "\r\n"), "public_key": public, "passphrase": passphrase})


def test_a_public_key_of_another_pair_fails_naming_both_options():
    private, _public = pair()
    _other, public = pair()
    with pytest.raises(errors.ConfigurationError) as raised:
        check_key_pair({"private_key": private, "public_key": public})
    assert "private_key and public_key do not belong together" in str(raised.value)
    assert public.split()[1] not in str(raised.value) and "PRIVATE" not in str(raised.value)


@pytest.mark.parametrize("given, problem", [
    ({"passphrase": None}, "is encrypted, and passphrase is not given"),
    ({"passphrase": "wrong"}, "not an OpenSSH or PEM private key, or passphrase does not open it"),
])
def test_an_encrypted_key_needs_its_passphrase(given, problem):
    private, public = pair("right")
    with pytest.raises(errors.ConfigurationError) as raised:
        check_key_pair(dict({"private_key": private, "public_key": public}, **given))
    assert problem in str(raised.value)


def test_text_that_is_no_key_fails_without_echoing_it():
    with pytest.raises(errors.ConfigurationError) as raised:
        check_key_pair({"private_key": "not-a-key-canary-77", "public_key": "ssh-ed25519 AAAA x"})
    assert "canary-77" not in str(raised.value)


def test_nothing_to_check_without_both_keys():
    private, _public = pair()
    check_key_pair({"private_key": private})
    check_key_pair({"public_key": "ssh-ed25519 AAAA x"})
