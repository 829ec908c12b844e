# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The options of a MySafe item, written once: the ones every kind shares (DOCUMENTATION) and
    each kind's own (API_SECRET, PASSWORD, NOTE).

    The item modules extend these fragments. The elements of mysafe_items' lists are a generated
    copy (doc fragments cannot fill suboptions): after editing here, run ``make docs``, which runs
    scripts/generate_docs.py; a unit test fails while the copy differs.
    """

    DOCUMENTATION = r"""
options:
  tags:
    description: Keywords of the item. Order and duplicates do not matter.
    type: list
    elements: str
  users_allowed:
    description:
      - The exact list of users the item is shared with (order does not matter). Users not listed lose access;
        V([]) removes every user. The owner's own access is implicit.
    type: list
    elements: dict
    suboptions:
      username:
        description: Segura user name.
        type: str
        required: true
      can_edit:
        description: Whether the user may update, disable and enable the item; otherwise view only.
        type: bool
        default: false
  groups_allowed:
    description: The exact list of groups the item is shared with (order does not matter).
    type: list
    elements: dict
    suboptions:
      name:
        description: Segura group name.
        type: str
        required: true
      can_edit:
        description: Whether the group's members may update, disable and enable the item.
        type: bool
        default: false
  state:
    description:
      - V(present) creates or updates the item, and enables it if it is disabled.
      - V(absent) disables it (Segura has no deletion). An item that is missing or already disabled is not a
        change.
    type: str
    choices: [present, absent]
    default: present
"""

    API_SECRET = r"""
options:
  identifier:
    description:
      - The server's numeric id of the secret. Selects an existing secret; it cannot be chosen on creation.
      - Without O(identifier) and O(identifier_code), the secret is matched by O(name) among the secrets the
        API user can see; none matching creates it, several matching fail the task.
    type: int
  identifier_code:
    description:
      - The owner's unique code of the secret. Selects the secret when O(identifier) is not set (and is stored
        on creation); with O(identifier) it is a field to set.
    type: str
  name:
    description: Name of the secret. Required to create one.
    type: str
  url:
    description: URL of the site where the API secret is used, with its scheme. Required to create a secret.
    type: str
  client_id:
    description: Client ID of the application. Required to create a secret.
    type: str
  client_secret:
    description:
      - The secret itself. Never shown in output, logs or diffs.
      - See O(update_secret) to set it only when the secret is created.
    type: str
  notes:
    description: Observations about the secret.
    type: str
  method:
    description:
      - HTTP method of the API call the secret is used for, one of C(get), C(post), C(put), C(patch),
        C(delete), C(head) or C(options), in any case (sent in lower case).
    type: str
  update_secret:
    description:
      - V(always) sets O(client_secret) whenever it differs from the stored one.
      - V(on_create) sets it only when the secret is created and never overwrites an existing one (for secrets
        rotated elsewhere).
    type: str
    choices: [always, on_create]
    default: always
"""

    PASSWORD = r"""
options:
  identifier:
    description:
      - The server's numeric id of the password. Selects an existing password; it cannot be chosen on creation.
      - Without O(identifier), the password is matched by O(name), and by O(username) too when it is set, among
        the passwords the API user can see (its own and those shared with it). The match is exact (case
        included). None matching creates the password, several matching fail the task naming their identifiers.
      - With O(identifier), O(name) and O(username) are fields to set.
    type: int
  name:
    description: Name of the password entry. Required to create one; may not be empty.
    type: str
  username:
    description: The user name the password belongs to. Required to create a password; may not be empty.
    type: str
  password:
    description:
      - The password itself. Required to create a password; may not be empty. Never shown in output, logs or diffs.
      - See O(update_password) to set it only when the password is created.
    type: str
  url:
    description: Where the password is used. Free text (a URL, a host name, a path); not checked.
    type: str
  secret_key:
    description:
      - The TOTP seed (base32, as the service shows it under its QR code) from which Segura computes the current
        one-time code, returned as C(token) by M(segura.pam.mysafe_password_info) and by the
        P(segura.pam.mysafe_password#lookup) lookup with C(field=token).
      - Checked before anything is sent. Letters A-Z and digits 2-7; case, spaces and C(=) padding are
        allowed and are ignored when comparing with the stored seed, so V(jbsw y3dp ehpk 3pxp) and
        V(JBSWY3DPEHPK3PXP) are the same seed. A seed that is not base32 fails the task without showing it.
      - Sent as given when it differs. V("") sends an empty seed; how a server clears a seed is not documented.
      - Never shown in output, logs or diffs.
    type: str
  notes:
    description: Observations about the password.
    type: str
  update_password:
    description:
      - V(always) sets O(password) whenever it differs from the stored one.
      - V(on_create) sets it only when the password entry is created and never overwrites an existing one (for
        passwords rotated elsewhere). The other fields, O(secret_key) included, are still updated.
    type: str
    choices: [always, on_create]
    default: always
"""

    NOTE = r"""
options:
  identifier:
    description:
      - The server's numeric id of the note. Selects an existing note; it cannot be chosen on creation.
      - Without O(identifier), the note is matched by O(name) (exactly, case included) among the notes the
        API user can see; none matching creates it, several matching fail the task naming their identifiers.
    type: int
  name:
    description:
      - Name of the note. Required to create one.
      - Selects the note when O(identifier) is not set; with O(identifier) it is a field to set (a rename).
    type: str
  note:
    description:
      - The content of the note. Required to create one. Never shown in output, logs or diffs.
      - At most 900 characters (the limit of current Segura versions); a longer value fails the task before
        anything is sent, naming the length and the limit but not the content.
      - See O(update_note) to set it only when the note is created.
    type: str
  update_note:
    description:
      - V(always) sets O(note) whenever it differs from the stored content.
      - V(on_create) sets it only when the note is created and never overwrites existing content (for notes
        edited by people in MySafe). The 900-character limit is checked either way.
    type: str
    choices: [always, on_create]
    default: always
"""
