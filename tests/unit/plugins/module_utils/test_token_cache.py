"""The file token cache: permissions, keyed names, refusing what another local user controls,
never following a planted link, running without the cache instead of failing, and one token for
concurrent processes."""

import errno
import grp
import hashlib
import json
import multiprocessing
import os
import pwd
import secrets
import stat
import time

import pytest

from ansible_collections.segura.pam.plugins.module_utils._token_cache import FileTokenCache
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, envelope

CREDENTIAL = (BASE_URL, "/iso/oauth2/token", None, CLIENT_ID, CLIENT_SECRET)
PROCESSES = 6
OTHER_UID = 65534  # nobody
PLANTED = json.dumps({"access_token": "planted-token", "expires_at": time.time() + 3600})
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another user")


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Warnings(list):
    """The ``warn`` callback of a cache: every message it was given."""

    def __call__(self, message):
        self.append(message)


class Victim(object):
    """A file another local user wants the run to read or overwrite; it must stay as it is."""

    def __init__(self, path):
        self.path = path
        path.write_text(PLANTED)
        os.chmod(path, 0o644)
        self.before = self.state()

    def state(self):
        st = os.lstat(self.path)
        return self.path.read_text(), stat.S_IMODE(st.st_mode), st.st_mtime_ns, st.st_uid

    def assert_untouched(self):
        assert self.state() == self.before


@pytest.fixture
def warnings():
    return Warnings()


@pytest.fixture
def cache(tmp_path, warnings):
    return FileTokenCache(str(tmp_path / "tokens"), warn=warnings)


@pytest.fixture
def victim(tmp_path):
    return Victim(tmp_path / "victim.txt")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A HOME of the running user; the cache then lives in HOME/.ansible/segura/tokens."""
    path = tmp_path / "home"
    path.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(path))
    return path


def assert_off(cache, warnings, *named):
    """The cache is off: it warned exactly once (naming ``named``), and every method is a harmless no-op."""
    assert not cache.usable
    key = cache.key(*CREDENTIAL)
    with cache.lock(key):
        assert cache.load(key) is None
        cache.store(key, "token-a", time.time() + 60)
    cache.drop(key, "token-a")
    assert cache.load(key) is None
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("segura.pam token cache not used: ")
    assert "segura_token_cache: false" in warnings[0]
    for text in named:
        assert text in warnings[0]
    assert CLIENT_SECRET not in warnings[0]


def assert_no_token_under(path):
    for root, _dirs, files in os.walk(str(path)):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert b"token-a" not in handle.read()


# -- what a healthy cache writes -------------------------------------------------------------------

def test_entry_and_key_are_0600_in_a_0700_directory(cache, warnings):
    key = cache.key(*CREDENTIAL)
    cache.store(key, "token-a", time.time() + 60)

    assert mode_of(cache.directory) == 0o700
    assert sorted(os.listdir(cache.directory)) == sorted([key + ".json", "key"])
    assert [mode_of(os.path.join(cache.directory, name)) for name in os.listdir(cache.directory)] == [0o600] * 2
    assert os.path.getsize(os.path.join(cache.directory, "key")) == 32
    assert cache.load(key)[0] == "token-a"
    assert warnings == []


def test_the_default_directory_is_made_below_home(home, warnings):
    cache = FileTokenCache(warn=warnings)
    cache.store(cache.key(*CREDENTIAL), "token-a", time.time() + 60)

    assert cache.directory == str(home / ".ansible" / "segura" / "tokens")
    assert [mode_of(home / ".ansible"), mode_of(home / ".ansible" / "segura"), mode_of(cache.directory)] == [0o700] * 3
    assert warnings == []


def test_an_existing_directory_readable_by_others_is_tightened(tmp_path, warnings):
    directory = tmp_path / "tokens"
    directory.mkdir()
    os.chmod(directory, 0o755)

    cache = FileTokenCache(str(directory), warn=warnings)
    cache.store(cache.key(*CREDENTIAL), "token-a", time.time() + 60)
    assert mode_of(directory) == 0o700
    assert warnings == []


@pytest.mark.parametrize("loose_mode", [0o640, 0o604, 0o660, 0o644])
def test_entry_readable_by_others_is_ignored(cache, loose_mode):
    key = cache.key(*CREDENTIAL)
    cache.store(key, "token-a", time.time() + 60)
    os.chmod(os.path.join(cache.directory, key + ".json"), loose_mode)

    assert cache.load(key) is None


@pytest.mark.parametrize("content", ["", "{not json", '{"access_token": "t"}', '["t", 1]',
                                     '{"access_token": 7, "expires_at": 1e12}'])
def test_damaged_entry_is_ignored(cache, content):
    key = cache.key(*CREDENTIAL)
    cache.store(key, "token-a", time.time() + 60)
    with open(os.path.join(cache.directory, key + ".json"), "w") as handle:
        handle.write(content)

    assert cache.load(key) is None


def test_drop_only_removes_the_matching_token(cache):
    key = cache.key(*CREDENTIAL)
    cache.store(key, "token-new", time.time() + 60)

    cache.drop(key, "token-old")  # another process already renewed it: keep the new one
    assert cache.load(key)[0] == "token-new"
    cache.drop(key, "token-new")
    assert cache.load(key) is None


# -- the entry name: a keyed hash ------------------------------------------------------------------

def test_name_is_a_keyed_hash_that_hides_the_credential(cache):
    name = cache.key(BASE_URL, "/iso/oauth2/token", "acme", CLIENT_ID, CLIENT_SECRET)

    assert len(name) == 64 and set(name) <= set("0123456789abcdef")
    for part in (CLIENT_ID, CLIENT_SECRET, "acme", "segura.example.com"):
        assert part not in name
    # not the unsalted hash of 0.1.0, which anyone seeing the name could test guesses against
    unsalted = hashlib.sha256("\0".join(str(p or "") for p in CREDENTIAL).encode()).hexdigest()
    assert cache.key(*CREDENTIAL) != unsalted
    assert cache.key(*CREDENTIAL) != hashlib.sha256(json.dumps([str(p or "") for p in CREDENTIAL]).encode()).hexdigest()


def test_name_depends_on_the_users_key_and_is_stable_for_it(tmp_path):
    first, second = FileTokenCache(str(tmp_path / "a")), FileTokenCache(str(tmp_path / "b"))

    assert first.key(*CREDENTIAL) != second.key(*CREDENTIAL)  # two random keys
    assert FileTokenCache(str(tmp_path / "a")).key(*CREDENTIAL) == first.key(*CREDENTIAL)  # the kept key


@pytest.mark.parametrize("other", [
    ("https://other.example.com", "/iso/oauth2/token", None, CLIENT_ID, CLIENT_SECRET),
    (BASE_URL, "/api/oauth2/token", None, CLIENT_ID, CLIENT_SECRET),
    (BASE_URL, "/iso/oauth2/token", "acme", CLIENT_ID, CLIENT_SECRET),
    (BASE_URL, "/iso/oauth2/token", None, "other-client-id", CLIENT_SECRET),
    (BASE_URL, "/iso/oauth2/token", None, CLIENT_ID, "a-changed-secret"),
    (BASE_URL + "\0/iso/oauth2/token", "", None, CLIENT_ID, CLIENT_SECRET)],
    ids=["url", "token-path", "tenant", "client-id", "client-secret", "parts-shifted"])
def test_every_part_of_the_credential_changes_the_name(cache, other):
    assert cache.key(*other) != cache.key(*CREDENTIAL)


def test_a_key_made_meanwhile_by_another_process_is_the_one_used(cache, monkeypatch):
    # Replays two forks on a first run: the other one links its key into place just before us.
    real_link, theirs = os.link, b"k" * 32

    def link_after_another_process(src, dst, **kwargs):
        fd = os.open(os.path.join(cache.directory, "key"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, theirs)
        os.close(fd)
        return real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", link_after_another_process)
    name = cache.key(*CREDENTIAL)
    monkeypatch.undo()

    assert name == FileTokenCache(cache.directory).key(*CREDENTIAL)
    with open(os.path.join(cache.directory, "key"), "rb") as handle:
        assert handle.read() == theirs
    assert sorted(os.listdir(cache.directory)) == ["key"]  # our own temp key is gone


@pytest.mark.parametrize("mode, content, complaint", [
    (0o644, b"k" * 32, "open to other users (mode 0644)"),
    (0o640, b"k" * 32, "open to other users (mode 0640)"),
    (0o600, b"short", "is not a key made by segura.pam")], ids=["world-readable", "group-readable", "short"])
def test_a_key_file_that_is_not_safely_ours_turns_the_cache_off(tmp_path, warnings, mode, content, complaint):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    (directory / "key").write_bytes(content)
    os.chmod(directory / "key", mode)

    cache = FileTokenCache(str(directory), warn=warnings)
    assert_off(cache, warnings, str(directory / "key"), complaint, "Delete that file")
    assert os.listdir(directory) == ["key"]


# -- planted links are never followed ---------------------------------------------------------------

def test_a_link_planted_as_the_key_is_not_followed(tmp_path, warnings, victim):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    os.symlink(str(victim.path), str(directory / "key"))

    assert_off(FileTokenCache(str(directory), warn=warnings), warnings, str(directory / "key"), "symbolic link")
    victim.assert_untouched()


def test_a_link_planted_as_the_entry_is_neither_read_nor_written_through(cache, warnings, victim):
    key = cache.key(*CREDENTIAL)
    entry = os.path.join(cache.directory, key + ".json")
    os.symlink(str(victim.path), entry)

    assert cache.load(key) is None  # the planted token is not used
    cache.store(key, "token-a", time.time() + 60)
    victim.assert_untouched()
    assert not os.path.islink(entry) and cache.load(key)[0] == "token-a"  # the link itself was replaced
    assert warnings == []


def test_a_link_planted_as_the_lock_is_not_followed(cache, warnings, victim):
    key = cache.key(*CREDENTIAL)
    os.symlink(str(victim.path), os.path.join(cache.directory, key + ".lock"))

    with cache.lock(key):
        cache.store(key, "token-a", time.time() + 60)
    assert_off(cache, warnings, key + ".lock", "symbolic link")
    victim.assert_untouched()


def test_a_link_planted_at_the_temp_name_is_not_written_through(cache, warnings, victim, monkeypatch):
    key = cache.key(*CREDENTIAL)
    monkeypatch.setattr(secrets, "token_hex", lambda nbytes: "0" * 2 * nbytes)  # a guessed "random" name
    os.symlink(str(victim.path), os.path.join(cache.directory, ".%s.%s.tmp" % (key, "0" * 16)))

    cache.store(key, "token-a", time.time() + 60)
    victim.assert_untouched()
    assert_off(cache, warnings, cache.directory, "File exists")


@pytest.mark.parametrize("linked", [".ansible", ".ansible/segura", ".ansible/segura/tokens"])
def test_a_directory_link_on_the_way_to_the_cache_is_refused(home, warnings, tmp_path, linked):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    link = home / linked
    link.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)

    assert_off(FileTokenCache(warn=warnings), warnings, "%s is a symbolic link" % link)
    assert os.listdir(elsewhere) == []


# -- directories another user controls -------------------------------------------------------------

@as_root
@pytest.mark.parametrize("owned_by_other", ["home", ".ansible", ".ansible/segura", ".ansible/segura/tokens"])
def test_a_directory_of_another_user_is_refused(home, warnings, owned_by_other):
    (home / ".ansible" / "segura" / "tokens").mkdir(mode=0o700, parents=True)
    os.chmod(home / ".ansible", 0o700)
    os.chmod(home / ".ansible" / "segura", 0o700)
    foreign = home if owned_by_other == "home" else home / owned_by_other
    os.chown(foreign, OTHER_UID, -1)

    assert_off(FileTokenCache(warn=warnings), warnings, "%s belongs to uid %d" % (foreign, OTHER_UID))
    assert_no_token_under(home)


@pytest.mark.parametrize("writable", ["home", ".ansible", ".ansible/segura/tokens"])
@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o757])
def test_a_directory_others_can_write_is_refused(home, warnings, writable, mode):
    (home / ".ansible" / "segura" / "tokens").mkdir(mode=0o700, parents=True)
    loose = home if writable == "home" else home / writable
    os.chmod(loose, mode)

    assert_off(FileTokenCache(warn=warnings), warnings, "%s is writable by other users (mode %04o)" % (loose, mode))
    assert_no_token_under(home)


def own_private_group():
    """The running user's private group (named like the user, no other members), or None."""
    user = pwd.getpwuid(os.geteuid())
    try:
        group = grp.getgrgid(user.pw_gid)
    except KeyError:
        return None
    return group.gr_gid if group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name} else None


@pytest.mark.skipif(own_private_group() is None, reason="the running user has no private group")
def test_group_write_for_the_users_private_group_is_accepted(home, warnings):
    # umask 002 with user private groups (RHEL, Fedora) leaves ~/.ansible 0775: no one else can write
    (home / ".ansible").mkdir()
    os.chown(home / ".ansible", -1, own_private_group())
    os.chmod(home / ".ansible", 0o775)

    cache = FileTokenCache(warn=warnings)
    cache.store(cache.key(*CREDENTIAL), "token-a", time.time() + 60)
    assert cache.load(cache.key(*CREDENTIAL))[0] == "token-a"
    assert warnings == []


@as_root
def test_group_write_for_a_shared_group_is_refused(home, warnings):
    (home / ".ansible").mkdir()
    os.chown(home / ".ansible", -1, OTHER_UID)  # nogroup, not the user's own
    os.chmod(home / ".ansible", 0o770)

    assert_off(FileTokenCache(warn=warnings), warnings, "%s is writable by other users (mode 0770)" % (home / ".ansible"))


# -- a HOME that cannot hold the cache ----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_an_unusable_home_runs_without_the_cache(tmp_path, monkeypatch, warnings, kind):
    home = tmp_path / "home"
    if kind == "a file":
        home.write_text("not a directory")
    monkeypatch.setenv("HOME", str(home))

    complaint = "does not exist" if kind == "missing" else "is not a directory"
    assert_off(FileTokenCache(warn=warnings), warnings, "the home directory %s %s" % (home, complaint))
    assert home.exists() == (kind == "a file")


def test_an_unknown_home_runs_without_the_cache(tmp_path, monkeypatch, warnings):
    def no_passwd_entry(uid):
        raise KeyError(uid)  # an arbitrary uid in a container, as OpenShift runs them

    monkeypatch.delenv("HOME")
    monkeypatch.setattr(pwd, "getpwuid", no_passwd_entry)
    monkeypatch.chdir(tmp_path)

    assert_off(FileTokenCache(warn=warnings), warnings, "the home directory is unknown (HOME is not set)")
    assert os.listdir(tmp_path) == []


def test_a_read_only_home_runs_without_the_cache(home, monkeypatch, warnings):
    def read_only_mkdir(path, mode=0o777, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)

    monkeypatch.setattr(os, "mkdir", read_only_mkdir)

    assert_off(FileTokenCache(warn=warnings), warnings, "%s cannot be created (Read-only file system)"
               % (home / ".ansible"))


def test_a_failing_write_turns_the_cache_off_without_raising(cache, warnings, monkeypatch):
    key = cache.key(*CREDENTIAL)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    with cache.lock(key):
        cache.store(key, "token-a", time.time() + 60)
    monkeypatch.undo()

    assert_off(cache, warnings, "No space left on device")
    assert [name for name in os.listdir(cache.directory) if name.endswith((".tmp", ".json"))] == []


# -- expired entries are removed ---------------------------------------------------------------------

def test_storing_a_token_sweeps_expired_entries_and_stale_temp_files(tmp_path, victim):
    directory = str(tmp_path / "tokens")
    writer = FileTokenCache(directory)
    expired, live, damaged, linked = (writer.key("credential", n) for n in range(4))
    writer.store(expired, "token-old", time.time() - 1)
    writer.store(live, "token-live", time.time() + 600)
    writer.store(damaged, "token-x", time.time() + 600)
    with open(os.path.join(directory, damaged + ".json"), "w") as handle:
        handle.write("{cut short")
    os.symlink(str(victim.path), os.path.join(directory, linked + ".json"))
    stale_temp, fresh_temp = ".%s.%s.tmp" % (live, "a" * 16), ".key.%s.tmp" % ("b" * 16)
    for name in (stale_temp, fresh_temp):
        with open(os.path.join(directory, name), "w") as handle:
            handle.write("left by a killed process")
    os.utime(os.path.join(directory, stale_temp), (time.time() - 3600, time.time() - 3600))
    with open(os.path.join(directory, "notes.json"), "w") as handle:
        handle.write("not ours")
    with FileTokenCache(directory).lock(expired):
        pass  # lock files stay: removing one another process waits on would break the lock

    current = FileTokenCache(directory).key("credential", "now")
    FileTokenCache(directory).store(current, "token-now", time.time() + 600)

    assert sorted(os.listdir(directory)) == sorted([
        "key", live + ".json", current + ".json", expired + ".lock", fresh_temp, "notes.json"])
    victim.assert_untouched()


# -- through the client -------------------------------------------------------------------------------

def test_cache_file_holds_the_token_never_the_client_secret(make_client, fake_http, tmp_path):
    directory = tmp_path / "tokens"
    fake_http.reply(200, envelope())

    make_client(token_cache=True, token_cache_dir=str(directory)).request("GET", "/api/mysafe/secretapi")
    names = os.listdir(directory)
    contents = "".join((directory / name).read_bytes().decode("latin-1") for name in names)
    assert "token-1" in contents
    assert CLIENT_SECRET not in contents
    assert not any(CLIENT_ID in name for name in names)


def test_a_second_client_reuses_the_cached_token(make_client, fake_http, tmp_path):
    settings = dict(token_cache=True, token_cache_dir=str(tmp_path / "tokens"))
    fake_http.reply(200, envelope(), times=2)

    make_client(**settings).request("GET", "/api/mysafe/secretapi")
    second = make_client(**settings)
    second.request("GET", "/api/mysafe/secretapi")
    assert second.stats["token"] == 0
    assert [r.bearer for r in fake_http.api_requests] == ["token-1", "token-1"]


def test_a_rejected_cached_token_is_dropped_and_renewed(make_client, fake_http, tmp_path):
    settings = dict(token_cache=True, token_cache_dir=str(tmp_path / "tokens"))
    cache = FileTokenCache(settings["token_cache_dir"])
    key = cache.key(*CREDENTIAL)
    cache.store(key, "revoked-token", time.time() + 600)
    fake_http.reply(401, {"message": "No route matched with those values."}).reply(200, envelope())

    make_client(**settings).request("GET", "/api/mysafe/secretapi")
    assert [r.bearer for r in fake_http.api_requests] == ["revoked-token", "token-1"]
    assert cache.load(key)[0] == "token-1"


def test_an_expired_cached_token_is_replaced(make_client, fake_http, tmp_path):
    settings = dict(token_cache=True, token_cache_dir=str(tmp_path / "tokens"))
    cache = FileTokenCache(settings["token_cache_dir"])
    cache.store(cache.key(*CREDENTIAL), "stale-token", time.time() - 1)
    fake_http.reply(200, envelope())

    make_client(**settings).request("GET", "/api/mysafe/secretapi")
    assert [r.bearer for r in fake_http.api_requests] == ["token-1"]


def test_a_given_token_bypasses_the_cache(make_client, fake_http, tmp_path):
    directory = tmp_path / "tokens"
    fake_http.reply(200, envelope())

    make_client(token="given-token", token_cache=True, token_cache_dir=str(directory)).request(
        "GET", "/api/mysafe/secretapi")
    assert not directory.exists()


def test_an_unsafe_cache_leaves_the_client_working_with_one_warning(make_client, fake_http, tmp_path, victim):
    directory = tmp_path / "tokens"
    directory.mkdir()
    os.chmod(directory, 0o777)
    warnings = Warnings()
    fake_http.reply(200, envelope(), times=2)

    client = make_client(token_cache=True, token_cache_dir=str(directory), warn=warnings)
    client.request("GET", "/api/mysafe/secretapi")
    client.request("GET", "/api/mysafe/secretapi")
    assert [r.bearer for r in fake_http.api_requests] == ["token-1", "token-1"]  # kept in memory
    assert len(warnings) == 1 and "%s is writable by other users" % directory in warnings[0]
    assert os.listdir(directory) == []


def _fetch_token_in_a_fork(make_client, directory, start, results):
    """Child process: wait for the others, then ask for a token through a file-cached client."""
    client = make_client(token_cache=True, token_cache_dir=directory)
    start.wait(timeout=30)
    token, _unused = client.access_token()
    results.put((token, client.stats["token"]))


def run_forks(make_client, directory, count):
    """Start ``count`` processes at once, each fetching a token; returns (tokens, fetches, exit codes)."""
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(count), context.Queue()
    workers = [context.Process(target=_fetch_token_in_a_fork, args=(make_client, directory, start, results))
               for _unused in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.terminate()
            worker.join()
    answers = [results.get(timeout=5) for worker in workers if worker.exitcode == 0]
    return [token for token, _unused in answers], [fetched for _unused, fetched in answers], [w.exitcode for w in workers]


@pytest.mark.parametrize("first_run", [False, True], ids=["directory-exists", "first-run"])
def test_concurrent_processes_share_one_token_request(make_client, fake_http, tmp_path, first_run):
    # Each fork inherits the fake session; a token names the process that fetched it, and the
    # slow token answer keeps the others waiting on the cache lock meanwhile. On a first run the
    # forks also race to create the directory and the key: they must still agree on one entry.
    def slow_token(number):
        time.sleep(0.3)
        return "token-of-pid-%d-%d" % (os.getpid(), number)

    fake_http.token_value = slow_token
    directory = tmp_path / "tokens"
    if not first_run:
        directory.mkdir(mode=0o700)

    tokens, fetches, exit_codes = run_forks(make_client, str(directory), PROCESSES)
    assert exit_codes == [0] * PROCESSES
    assert len(tokens) == PROCESSES and len(set(tokens)) == 1
    assert sum(fetches) == 1


def test_directory_created_meanwhile_by_another_process_is_not_an_error(cache, warnings, monkeypatch):
    # Replays the interleaving seen with concurrent forks on a first run: another process creates
    # the directory between our check and our mkdir, so our mkdir fails with FileExistsError.
    real_mkdir = os.mkdir

    def mkdir_after_another_process(path, mode=0o777, **kwargs):
        real_mkdir(path, mode, **kwargs)
        raise FileExistsError(17, "File exists", path)

    monkeypatch.setattr(os, "mkdir", mkdir_after_another_process)

    key = cache.key(*CREDENTIAL)
    cache.store(key, "token-a", time.time() + 60)
    monkeypatch.undo()
    assert cache.load(key)[0] == "token-a"
    assert warnings == []
