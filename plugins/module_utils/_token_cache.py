# -*- coding: utf-8 -*-
# Copyright: (c) 2026, segura.pam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Access tokens shared between the tasks, loops and forks of one run.

Every task of a playbook is a new process, so a token kept in memory dies with the task. The
cache keeps it in ``~/.ansible/segura/tokens/<name>.json`` (directory 0700, file 0600): the token
and its expiry, never the client secret. ``<name>`` is an HMAC-SHA256 of URL, token path, tenant,
client id and secret under a random per-user key (``key`` in the same directory, 0600): a changed
secret never reuses a token, and the name alone cannot be used to test guesses of the secret. An
exclusive lock around "read, fetch if needed, write" makes concurrent forks share one token request.

No other local user may read a token or make the run write elsewhere (HOME=/tmp, sudo without -H):

- HOME and every directory from it down to the cache must belong to the running user, be writable
  by no one else and not be a symbolic link. The walk holds each directory open and continues from
  that descriptor, so a path swapped after its check is never followed.
- Files are opened with O_NOFOLLOW and checked once open (regular file, owner, mode 0600). New
  files get a random name and O_CREAT|O_EXCL, then are renamed (entries) or linked (key) into place.

When any of this fails the cache turns itself off for this process: ``warn`` is called once,
tokens stay in memory, and no method raises.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import grp
import hashlib
import hmac
import json
import os
import pwd
import re
import secrets
import stat
import time

DEFAULT_DIRECTORY = os.path.join("~", ".ansible", "segura", "tokens")
KEY_FILE = "key"
KEY_BYTES = 32
ENTRY_SUFFIX = ".json"
LOCK_SUFFIX = ".lock"
ENTRY_NAME = re.compile(r"^[0-9a-f]{64}\.json$")
TEMP_NAME = re.compile(r"^\.(?:key|[0-9a-f]{64})\.[0-9a-f]{16}\.tmp$")
# A temp file older than this was left by a killed process (a write takes milliseconds).
STALE_TEMP_SECONDS = 600
OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a planted FIFO cannot hang us
DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
DEFAULT_HINT = ("Run with a HOME of your own that you can write and no one else can (with sudo: -H), "
                "or set segura_token_cache: false to silence this warning.")
WARNING = "segura.pam token cache not used: %s. Access tokens stay in memory (one token request per task). %s"


class CacheUnusable(Exception):
    """Why the cache cannot be used safely; ``reason`` and ``hint`` make the warning."""

    def __init__(self, reason, hint=DEFAULT_HINT):
        super(CacheUnusable, self).__init__(reason)
        self.reason = reason
        self.hint = hint


class FileTokenCache(object):
    """The token cache of the running user; every method degrades to a no-op once it is off."""

    def __init__(self, directory=None, warn=None):
        expanded = os.path.expanduser(directory or DEFAULT_DIRECTORY)
        self.directory = os.path.abspath(expanded)
        # "~" stays when there is neither HOME nor a passwd entry for the user
        self._base, self._names = (None, []) if expanded.startswith("~") else _base_and_names(self.directory)
        self._warn = warn
        self._off = False
        self._secret = None
        self._swept = False

    @property
    def usable(self):
        return self._secret_key() is not None

    def key(self, *parts):
        """The entry name of one credential (``parts``: url, token path, tenant, client id and secret).

        None when the cache is off; the other methods accept that and do nothing.
        """
        secret = self._secret_key()
        if secret is None:
            return None
        message = json.dumps([str(part or "") for part in parts]).encode("utf-8")
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    @contextlib.contextmanager
    def lock(self, key):
        """Hold an exclusive lock on one credential's entry (just yields when the cache is off)."""
        lock_fd = None
        with self._directory(key) as directory:
            if directory is not None:
                lock_fd = _open_private(directory, key + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT,
                                        os.path.join(self.directory, key + LOCK_SUFFIX))
                fcntl.flock(lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if lock_fd is not None:
                os.close(lock_fd)  # closing releases the lock

    def load(self, key):
        """Return (token, expires_at), or None: no cache, no entry, or one that is not safely ours."""
        with self._directory(key) as directory:
            if directory is not None:
                return _read_entry(directory, key + ENTRY_SUFFIX)
        return None

    def store(self, key, token, expires_at):
        with self._directory(key) as directory:
            if directory is None:
                return
            content = json.dumps({"access_token": token, "expires_at": expires_at, "stored_at": time.time()})
            temp = _write_new_file(directory, key, content.encode("utf-8"))
            try:
                os.replace(temp, key + ENTRY_SUFFIX, src_dir_fd=directory, dst_dir_fd=directory)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=directory)
                raise
            if not self._swept:
                self._swept = True
                with contextlib.suppress(OSError):
                    _sweep(directory, keep=key + ENTRY_SUFFIX)

    def drop(self, key, token):
        """Forget the entry if it still holds ``token`` (another fork may have renewed it)."""
        with self._directory(key) as directory:
            if directory is not None:
                entry = _read_entry(directory, key + ENTRY_SUFFIX)
                if entry is not None and entry[0] == token:
                    os.unlink(key + ENTRY_SUFFIX, dir_fd=directory)

    # -- internals -------------------------------------------------------------------------

    def _secret_key(self):
        if self._secret is None:
            with self._directory(KEY_FILE) as directory:
                if directory is not None:
                    self._secret = _read_or_create_key(directory, os.path.join(self.directory, KEY_FILE))
        return None if self._off else self._secret

    @contextlib.contextmanager
    def _directory(self, name):
        """The cache directory's descriptor for work on ``name``; None when the cache is off or name is None.

        A failure in the block turns the cache off with one warning instead of raising.
        """
        directory = None
        if not self._off and name is not None:
            try:
                directory = _open_directory(self._base, self._names)
            except (CacheUnusable, OSError) as exc:
                self._turn_off(exc)
        try:
            yield directory
        except (CacheUnusable, OSError) as exc:
            self._turn_off(exc)
        finally:
            if directory is not None:
                os.close(directory)

    def _turn_off(self, exc):
        if self._off:
            return
        self._off = True
        if not isinstance(exc, CacheUnusable):
            exc = CacheUnusable("%s cannot be used (%s)" % (self.directory, _strerror(exc)))
        if self._warn is not None:
            self._warn(WARNING % (exc.reason, exc.hint))


def _base_and_names(directory):
    """Where the walk to ``directory`` starts (HOME, or its parent when not below HOME) and the rest."""
    home = os.path.expanduser("~")
    below_home = os.path.relpath(directory, home) if os.path.isabs(home) else os.pardir
    if below_home == os.curdir or below_home.split(os.sep)[0] == os.pardir:
        return os.path.dirname(directory), [os.path.basename(directory)]
    return home, below_home.split(os.sep)


def _open_directory(base, names):
    """Open the cache directory, creating what is missing below ``base``.

    The base (HOME) is opened like any path: it may be a link the administrator made. Below it each
    component is opened with O_NOFOLLOW from its parent's descriptor and checked once open.
    """
    if base is None:
        raise CacheUnusable("the home directory is unknown (HOME is not set)")
    try:
        fd = os.open(base, DIRECTORY_FLAGS)
    except OSError as exc:
        what = "the home directory " if base == os.path.expanduser("~") else ""
        raise CacheUnusable("%s%s %s" % (what, base, _what_is_wrong(exc)))
    path = base
    try:
        _check_directory(os.fstat(fd), path)
        for name in names:
            path = os.path.join(path, name)
            child = _open_subdirectory(fd, name, path)
            os.close(fd)
            fd = child
            _check_directory(os.fstat(fd), path)
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o700)  # ours and writable by no one else: only its listing is too open
        return fd
    except BaseException:
        os.close(fd)
        raise


def _open_subdirectory(parent, name, path):
    """Open the directory ``name`` of ``parent``, creating it (0700) when missing."""
    try:
        return _open_child_directory(parent, name, path)
    except FileNotFoundError:
        pass
    try:
        os.mkdir(name, 0o700, dir_fd=parent)
    except FileExistsError:
        pass  # another fork created it meanwhile
    except OSError as exc:
        raise CacheUnusable("%s cannot be created (%s)" % (path, _strerror(exc)))
    return _open_child_directory(parent, name, path)


def _open_child_directory(parent, name, path):
    try:
        return os.open(name, DIRECTORY_FLAGS | os.O_NOFOLLOW, dir_fd=parent)
    except FileNotFoundError:
        raise
    except OSError as exc:
        # O_DIRECTORY|O_NOFOLLOW on a link fails with ENOTDIR: tell a planted link apart
        try:
            is_link = stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
        except OSError:
            is_link = False
        raise CacheUnusable("%s %s" % (path, "is a symbolic link" if is_link else _what_is_wrong(exc)))


def _check_directory(st, path):
    if not stat.S_ISDIR(st.st_mode):
        raise CacheUnusable("%s is not a directory" % path)
    if st.st_uid != os.geteuid():
        raise CacheUnusable("%s belongs to uid %d, not to the user running the task (uid %d)"
                            % (path, st.st_uid, os.geteuid()))
    if st.st_mode & stat.S_IWOTH or (st.st_mode & stat.S_IWGRP and not _is_private_group(st.st_gid)):
        raise CacheUnusable("%s is writable by other users (mode %04o)" % (path, stat.S_IMODE(st.st_mode)))


def _is_private_group(gid):
    """True for the user's own group of the user-private-group scheme (umask 002 on RHEL and Fedora).

    Its only member is the user, so group write access gives no one else access.
    """
    try:
        user = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    return gid == user.pw_gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def _open_private(directory, name, flags, path):
    """Open a file of the cache directory without following a link; it must be the user's alone."""
    try:
        fd = os.open(name, flags | OPEN_FLAGS, 0o600, dir_fd=directory)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise CacheUnusable("%s is a symbolic link" % path)
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CacheUnusable("%s is not a regular file" % path)
        if st.st_uid != os.geteuid():
            raise CacheUnusable("%s belongs to uid %d, not to the user running the task (uid %d)"
                                % (path, st.st_uid, os.geteuid()))
        if st.st_mode & 0o077:
            raise CacheUnusable("%s is open to other users (mode %04o)" % (path, stat.S_IMODE(st.st_mode)))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_new_file(directory, stem, content):
    """Write ``content`` to a new 0600 file under a random name; return that name."""
    name = ".%s.%s.tmp" % (stem, secrets.token_hex(8))
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | OPEN_FLAGS, 0o600, dir_fd=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=directory)
        raise
    return name


def _read_or_create_key(directory, path):
    """The user's 32-byte cache key; the first process makes it, the others read that one."""
    try:
        return _read_key(directory, path)
    except FileNotFoundError:
        pass
    temp = _write_new_file(directory, KEY_FILE, secrets.token_bytes(KEY_BYTES))
    try:
        # link, unlike rename, never replaces a key another fork made meanwhile
        os.link(temp, KEY_FILE, src_dir_fd=directory, dst_dir_fd=directory, follow_symlinks=False)
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=directory)
    return _read_key(directory, path)


def _read_key(directory, path):
    hint = ("Delete that file (a new key is made; tokens cached under the old one are no longer used), "
            "or set segura_token_cache: false.")
    try:
        fd = _open_private(directory, KEY_FILE, os.O_RDONLY, path)
    except CacheUnusable as exc:
        raise CacheUnusable(exc.reason, hint)
    try:
        secret = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(secret) != KEY_BYTES:
        raise CacheUnusable("%s is not a key made by segura.pam" % path, hint)
    return secret


def _read_entry(directory, name):
    """(token, expires_at) from one entry, or None if it is missing, damaged or not safely ours."""
    try:
        fd = _open_private(directory, name, os.O_RDONLY, name)
    except (CacheUnusable, OSError):
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            entry = json.loads(handle.read().decode("utf-8"))
        token, expires_at = entry["access_token"], float(entry["expires_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (token, expires_at) if isinstance(token, str) and token else None


def _sweep(directory, keep):
    """Remove expired or damaged entries and temp files a killed process left behind."""
    now = time.time()
    for name in os.listdir(directory):
        with contextlib.suppress(OSError):
            if ENTRY_NAME.match(name) and name != keep:
                entry = _read_entry(directory, name)
                if entry is None or entry[1] <= now:
                    os.unlink(name, dir_fd=directory)
            elif TEMP_NAME.match(name):
                if os.stat(name, dir_fd=directory, follow_symlinks=False).st_mtime < now - STALE_TEMP_SECONDS:
                    os.unlink(name, dir_fd=directory)


def _what_is_wrong(exc):
    if exc.errno == errno.ENOENT:
        return "does not exist"
    if exc.errno == errno.ENOTDIR:
        return "is not a directory"
    return "cannot be used (%s)" % _strerror(exc)


def _strerror(exc):
    return getattr(exc, "strerror", None) or type(exc).__name__
