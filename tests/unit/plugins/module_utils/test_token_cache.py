"""The file token cache: permissions, keys, dropping, and one token for concurrent processes."""

import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.segura.pam.plugins.module_utils.token_cache import FileTokenCache, credential_key
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, envelope

KEY = credential_key(BASE_URL, "/iso/oauth2/token", None, CLIENT_ID, CLIENT_SECRET)
PROCESSES = 6


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def cache(tmp_path):
    return FileTokenCache(str(tmp_path / "tokens"))


def test_entry_file_is_0600_in_a_0700_directory(cache):
    cache.store(KEY, "token-a", time.time() + 60)

    assert mode_of(cache.directory) == 0o700
    assert [mode_of(os.path.join(cache.directory, name)) for name in os.listdir(cache.directory)] == [0o600]
    assert cache.load(KEY)[0] == "token-a"


def test_an_existing_open_directory_is_tightened(tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)  # mkdir's mode is filtered by the umask

    FileTokenCache(str(directory)).store(KEY, "token-a", time.time() + 60)
    assert mode_of(directory) == 0o700


@pytest.mark.parametrize("loose_mode", [0o640, 0o604, 0o660, 0o644])
def test_entry_readable_by_others_is_ignored(cache, loose_mode):
    cache.store(KEY, "token-a", time.time() + 60)
    os.chmod(os.path.join(cache.directory, KEY + ".json"), loose_mode)

    assert cache.load(KEY) is None


@pytest.mark.parametrize("content", ["", "{not json", '{"access_token": "t"}', '["t", 1]'])
def test_damaged_entry_is_ignored(cache, content):
    cache.store(KEY, "token-a", time.time() + 60)
    with open(os.path.join(cache.directory, KEY + ".json"), "w") as handle:
        handle.write(content)

    assert cache.load(KEY) is None


def test_key_hides_the_credential():
    key = credential_key(BASE_URL, "/iso/oauth2/token", "acme", CLIENT_ID, CLIENT_SECRET)

    assert len(key) == 64 and set(key) <= set("0123456789abcdef")
    for part in (CLIENT_ID, CLIENT_SECRET, "acme", "segura.example.com"):
        assert part not in key


@pytest.mark.parametrize("other", [
    ("https://other.example.com", "/iso/oauth2/token", None, CLIENT_ID, CLIENT_SECRET),
    (BASE_URL, "/api/oauth2/token", None, CLIENT_ID, CLIENT_SECRET),
    (BASE_URL, "/iso/oauth2/token", "acme", CLIENT_ID, CLIENT_SECRET),
    (BASE_URL, "/iso/oauth2/token", None, "other-client-id", CLIENT_SECRET),
    (BASE_URL, "/iso/oauth2/token", None, CLIENT_ID, "a-changed-secret")],
    ids=["url", "token-path", "tenant", "client-id", "client-secret"])
def test_every_part_of_the_credential_changes_the_key(other):
    assert credential_key(*other) != KEY


def test_drop_only_removes_the_matching_token(cache):
    cache.store(KEY, "token-new", time.time() + 60)

    cache.drop(KEY, "token-old")  # another process already renewed it: keep the new one
    assert cache.load(KEY)[0] == "token-new"
    cache.drop(KEY, "token-new")
    assert cache.load(KEY) is None


def test_cache_file_holds_the_token_never_the_client_secret(make_client, fake_http, tmp_path):
    directory = tmp_path / "tokens"
    fake_http.reply(200, envelope())

    make_client(token_cache=True, token_cache_dir=str(directory)).request("GET", "/api/mysafe/secretapi")
    names = os.listdir(directory)
    contents = "".join((directory / name).read_text() for name in names)
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
    cache.store(KEY, "revoked-token", time.time() + 600)
    fake_http.reply(401, {"message": "No route matched with those values."}).reply(200, envelope())

    make_client(**settings).request("GET", "/api/mysafe/secretapi")
    assert [r.bearer for r in fake_http.api_requests] == ["revoked-token", "token-1"]
    assert cache.load(KEY)[0] == "token-1"


def test_an_expired_cached_token_is_replaced(make_client, fake_http, tmp_path):
    settings = dict(token_cache=True, token_cache_dir=str(tmp_path / "tokens"))
    FileTokenCache(settings["token_cache_dir"]).store(KEY, "stale-token", time.time() - 1)
    fake_http.reply(200, envelope())

    make_client(**settings).request("GET", "/api/mysafe/secretapi")
    assert [r.bearer for r in fake_http.api_requests] == ["token-1"]


def test_a_given_token_bypasses_the_cache(make_client, fake_http, tmp_path):
    directory = tmp_path / "tokens"
    fake_http.reply(200, envelope())

    make_client(token="given-token", token_cache=True, token_cache_dir=str(directory)).request(
        "GET", "/api/mysafe/secretapi")
    assert not directory.exists()


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


def test_concurrent_processes_share_one_token_request(make_client, fake_http, tmp_path):
    # Each fork inherits the fake session; a token names the process that fetched it, and the
    # slow token answer keeps the others waiting on the cache lock meanwhile.
    def slow_token(number):
        time.sleep(0.3)
        return "token-of-pid-%d-%d" % (os.getpid(), number)

    fake_http.token_value = slow_token
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)  # the first-run race on creating it is tested below

    tokens, fetches, exit_codes = run_forks(make_client, str(directory), PROCESSES)
    assert exit_codes == [0] * PROCESSES
    assert len(tokens) == PROCESSES and len(set(tokens)) == 1
    assert sum(fetches) == 1


def test_directory_created_meanwhile_by_another_process_is_not_an_error(cache, monkeypatch):
    # Replays the interleaving seen with concurrent forks on a first run: another process creates
    # the directory between our check and our mkdir, so our mkdir fails with FileExistsError.
    real_mkdir = os.mkdir

    def mkdir_after_another_process(path, mode=0o777):
        real_mkdir(path, mode)
        raise FileExistsError(17, "File exists", path)

    monkeypatch.setattr(os, "mkdir", mkdir_after_another_process)

    cache.store(KEY, "token-a", time.time() + 60)
    monkeypatch.undo()
    assert cache.load(KEY)[0] == "token-a"
