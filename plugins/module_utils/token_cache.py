# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Access tokens shared between the tasks, loops and forks of one run.

Every task of a playbook is a new process, so a token kept in memory dies with the task. The
cache keeps it in a file only the running user can read (directory 0700, file 0600, under
``~/.ansible/segura/tokens``), named by a hash of the credential (URL, token path, tenant,
client id and secret, so a changed secret never reuses a token). The file holds the token and its expiry, never the client secret. An exclusive
lock around "read, fetch if needed, write" makes concurrent forks share one token request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the cache still works, unlocked
    fcntl = None

DEFAULT_DIRECTORY = os.path.join("~", ".ansible", "segura", "tokens")


def credential_key(*parts):
    """A file-name-safe key for one credential; the parts never appear in the name."""
    return hashlib.sha256("\0".join(str(p or "") for p in parts).encode("utf-8")).hexdigest()


class FileTokenCache(object):
    def __init__(self, directory=None):
        self.directory = os.path.expanduser(directory or DEFAULT_DIRECTORY)

    def _path(self, key, suffix=".json"):
        return os.path.join(self.directory, key + suffix)

    def _ensure_directory(self):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)  # forks may race to create it
        os.chmod(self.directory, 0o700)

    @contextlib.contextmanager
    def lock(self, key):
        """Hold an exclusive lock on one credential's entry (no-op where flock is missing)."""
        self._ensure_directory()
        fd = os.open(self._path(key, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def load(self, key):
        """Return (token, expires_at) or None. Entries readable by others are ignored."""
        path = self._path(key)
        try:
            st = os.stat(path)
            if st.st_uid != os.getuid() or st.st_mode & 0o077:
                return None
            with open(path) as handle:
                entry = json.load(handle)
            return entry["access_token"], float(entry["expires_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, key, token, expires_at):
        self._ensure_directory()
        path = self._path(key)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"access_token": token, "expires_at": expires_at, "stored_at": time.time()}, handle)
        os.rename(tmp, path)

    def drop(self, key, token):
        """Forget the entry if it still holds ``token`` (another fork may have renewed it)."""
        entry = self.load(key)
        if entry is not None and entry[0] == token:
            with contextlib.suppress(OSError):
                os.unlink(self._path(key))
