# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether an SSH private key and a public key belong together, checked before anything is sent.

It takes the Python library ``cryptography`` where the module runs (and ``bcrypt`` for encrypted
OpenSSH keys); without them the check is skipped (Segura stores what it is given). Messages never hold key material.
"""

from __future__ import annotations

from ansible_collections.segura.pam.plugins.module_utils import errors


def check_key_pair(wanted):
    """Raise ConfigurationError when ``wanted`` holds a private and a public key that do not match."""
    private, public = wanted.get("private_key"), wanted.get("public_key")
    if not (private and public):
        return
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
    except ImportError:  # the check is a convenience; Segura takes the keys either way
        return
    passphrase = wanted.get("passphrase")
    text = private.replace("\r\n", "\n").encode()
    key, problem = None, None
    for load in (serialization.load_ssh_private_key, serialization.load_pem_private_key):
        try:
            key = load(text, passphrase.encode() if passphrase else None)
            break
        except TypeError as error:  # the library says whether a passphrase is missing or superfluous
            problem = ("is not encrypted, yet passphrase is given" if "not encrypted" in str(error)
                       else "is encrypted, and passphrase is not given")
        except UnsupportedAlgorithm:  # an encrypted OpenSSH key needs bcrypt: then it cannot be checked here
            return
        except ValueError:
            problem = problem or "is not an OpenSSH or PEM private key, or passphrase does not open it"
    if key is None:
        raise errors.ConfigurationError(
            "Option private_key %s." % problem,
            hint="Give the whole private key file's text (BEGIN to END lines), and its passphrase exactly when it "
                 "has one.")
    derived = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    if derived.decode().split()[:2] != public.split()[:2]:
        raise errors.ConfigurationError(
            "Options private_key and public_key do not belong together: the public key of private_key is not "
            "public_key.", hint="Give the public key of the same pair (the .pub file next to the private key).")
