"""What a user sees after a mistake: a clear message (what, where, what to do), never a traceback,
and no write sent unless Segura itself had to judge the request.

All cases are tasks of ONE playbook run (ignore_errors + register, results dumped to a JSON
file), then one assertion per case. docs/troubleshooting.md lists the same cases for users.
"""

import fcntl
import json
from collections import namedtuple

import pytest

from reliability_support import DirectApi, closed_port, dump_task, stub_server

from simulator import certs

# id: names the case; task: module (or "lookup") and its options; words: what the message must
# say (case-insensitive); writes: write requests the case may send (Segura judges some writes).
Case = namedtuple("Case", "id task words writes")


def secret(**options):
    return {"segura.pam.mysafe_api_secret": options}


def info(**options):
    return {"segura.pam.mysafe_api_secret_info": options}


def lookup(arguments):
    return {"ansible.builtin.set_fact": {"value": "{{ lookup('segura.pam.mysafe_api_secret', %s) }}" % arguments}}


NEW = dict(name="New secret", url="https://new.example.com", client_id="new-app")


def new_secret(**changes):
    """The fields of a new secret, with some of them changed (or broken)."""
    fields = dict(NEW)
    fields.update(changes)
    return fields


CASES = [
    # -- the secret's options: refused before anything is sent
    Case("identifier-not-an-integer", info(identifier="abc"), ["identifier", "int"], 0),
    Case("identifier-negative", secret(identifier=-3, notes="x"), ["identifier", "positive integer", "-3"], 0),
    Case("name-empty", secret(**new_secret(identifier_code="bad-1", name="")), ["name", "empty"], 0),
    Case("url-without-scheme", secret(**new_secret(identifier_code="bad-1", url="api.example.com")),
         ["url", "api.example.com", "scheme", "https://"], 0),
    Case("method-unknown", secret(identifier_code="bad-1", method="fetch", **NEW),
         ["method", "fetch", "not an http method", "get"], 0),
    Case("users-allowed-item-without-username",
         secret(identifier_code="bad-1", users_allowed=[{"can_edit": True}], **NEW), ["username", "users_allowed"], 0),
    Case("can-edit-not-a-boolean",
         secret(identifier_code="bad-1", users_allowed=[{"username": "bob", "can_edit": "maybe"}], **NEW),
         ["can_edit", "bool"], 0),
    Case("url-missing-on-create", secret(identifier_code="bad-1", name="New secret", client_id="new-app"),
         ["url", "required to create"], 0),
    Case("several-secrets-match-name", secret(name="Twin", url="https://t.example.com", client_id="t"),
         ["2 api secrets visible to this api user have name 'twin'", "select one with identifier"], 0),
    Case("info-identifier-and-identifier-code", info(identifier=1, identifier_code="x"),
         ["mutually exclusive", "identifier"], 0),
    Case("lookup-term-not-an-integer", lookup("'abc'"), ["'abc'", "positive integer", "by=identifier_code"], 0),
    Case("lookup-unknown-identifier-code", lookup("'no-such-code', by='identifier_code'"),
         ["no-such-code", "identifier_code", "shared"], 0),
    Case("lookup-on-missing-not-a-choice", lookup("1, on_missing='ignore'"), ["on_missing", "ignore"], 0),
    # -- the connection options
    Case("segura-url-without-scheme", info(identifier=1, segura_url="segura.example.com"),
         ["segura_url", "segura.example.com", "https://"], 0),
    Case("segura-url-unreachable", info(identifier=1, segura_url="{{ closed_url }}"),
         ["could not connect", "segura_url", "reachable"], 0),
    Case("segura-proxy-unreachable", info(identifier=1, segura_proxy="{{ closed_url }}"),
         ["proxy", "segura_proxy"], 0),
    Case("no-credentials", info(identifier=1, segura_client_id="", segura_client_secret=""),
         ["no credentials", "segura_client_id", "segura_client_secret"], 0),
    Case("wrong-client-secret", info(identifier=1, segura_client_secret="wrong", segura_token_cache=False),
         ["refused the token request", "alice-client-id", "segura_client_secret"], 0),
    # After a successful task the token cache holds alice's token: a wrong secret must still be noticed.
    Case("wrong-client-secret-with-cached-token",
         info(identifier="{{ ids.mine }}", segura_client_secret="wrong"),
         ["refused the token request", "segura_client_secret"], 0),
    Case("wrong-token-path", info(identifier=1, segura_token_path="/oauth/token"),
         ["token endpoint", "/oauth/token", "not found", "segura_token_path"], 0),
    Case("expired-segura-token",
         info(identifier=1, segura_token="{{ expired_token }}", segura_client_id="", segura_client_secret=""),
         ["segura_token", "401", "expired", "obtain a new one"], 0),
    Case("wrong-ca", info(identifier=1, segura_ca_path="{{ other_ca }}"), ["tls", "certificate", "segura_ca_path"], 0),
    Case("ca-file-missing", info(identifier=1, segura_ca_path="/nonexistent/segura-ca.pem"),
         ["segura_ca_path", "/nonexistent/segura-ca.pem", "not a readable file"], 0),
    Case("timeout-zero", info(identifier=1, segura_timeout=0), ["segura_timeout", "positive"], 0),
    # -- a segura_url that is not Segura (the stub server): nothing written after a strange answer
    Case("server-answers-html", secret(identifier_code="bad-1", segura_url="{{ stub_url }}/html", **NEW),
         ["not json", "text/html", "segura_url"], 0),
    Case("server-answers-plain-text", secret(identifier_code="bad-1", segura_url="{{ stub_url }}/text", **NEW),
         ["not json", "text/plain", "segura_url"], 0),
    Case("server-answers-truncated-json", info(identifier=1, segura_url="{{ stub_url }}/truncated"),
         ["not json", "application/json", "segura_url"], 0),
    Case("server-answers-unknown-json", info(identifier=1, segura_url="{{ stub_url }}/unknown"),
         ["not a mysafe answer", "segura_url"], 0),
    Case("server-cuts-the-answer-short", info(identifier=1, segura_url="{{ stub_url }}/cut"),
         ["connection", "127.0.0.1", "run the task again"], 0),
    # -- Segura's own refusals: reported once, never retried
    Case("secret-not-found-1005", info(identifier=999), ["1005", "not found", "mysafe_api_secret_info"], 0),
    Case("no-access-1006", info(identifier="{{ ids.hidden }}"), ["1006", "share", "users_allowed"], 0),
    Case("view-only-update-1006", secret(identifier="{{ ids.view_only }}", notes="changed"),
         ["1006", "can_edit"], 1),
    Case("identifier-code-already-used-1001", secret(identifier="{{ ids.mine }}", identifier_code="taken"),
         ["1001", "identifier_code", "choose another"], 1),
    Case("secret-disabled-1009-lookup", lookup("ids.disabled"), ["1009", "disabled", "enable"], 0),
]


def case_of(param):
    return param.values[0] if hasattr(param, "values") else param


def register_name(case):
    return "case_" + case.id.replace("-", "_")


def run_all_cases(simulator, workdir):
    """Run every case once; returns what the assertions need, as JSON-serialisable data."""
    from playbook_runner import PlaybookRunner

    simulator.control.reset(data=True)
    admin, alice = DirectApi(simulator, "admin"), DirectApi(simulator, "alice")
    ids = {"hidden": admin.create(name="Admin only", url="https://a.example.com", client_id="a"),
           "view_only": admin.create(name="View only", url="https://v.example.com", client_id="v",
                                     users_allowed=[{"username": "alice"}]),
           "mine": alice.create(name="Mine", url="https://m.example.com", client_id="m", identifier_code="mine"),
           "disabled": alice.create(name="Disabled", url="https://d.example.com", client_id="d")}
    alice.create(name="Taken", url="https://t.example.com", client_id="t", identifier_code="taken")
    for _twin in range(2):
        alice.create(name="Twin", url="https://t.example.com", client_id="t")
    alice.disable(ids["disabled"])
    simulator.control.expire_tokens()  # alice's token above becomes the expired segura_token
    simulator.control.reset()

    cases = [case_of(p) for p in CASES]
    tasks = [dict(case.task, name=case.id, register=register_name(case), ignore_errors=True) for case in cases]
    tasks.append(dump_task([register_name(case) for case in cases], "{{ dump_path }}"))
    dump_path = workdir / "results.json"
    with stub_server() as stub:
        result = PlaybookRunner(simulator, workdir).run(
            json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]),
            extra_vars={"ids": ids, "expired_token": alice.token, "stub_url": stub.url,
                        "closed_url": "http://127.0.0.1:%d" % closed_port(),
                        "other_ca": certs.make_pki(workdir / "other-pki")["ca"], "dump_path": str(dump_path)})
        stub_writes = stub.writes
    registered = json.loads(dump_path.read_text()) if dump_path.exists() else {}
    return {"results": {case.id: registered.get(register_name(case)) for case in cases},
            "counters": simulator.control.counters(), "stub_writes": stub_writes,
            "rc": result.rc, "output": result.output, "report": repr(result)}


@pytest.fixture(scope="module")
def outcome(simulator, tmp_path_factory, worker_id):
    """The cases' run, done once per pytest session: under xdist the first worker runs it and the
    others read its outcome (the cases of this module may be spread over the workers)."""
    workdir = tmp_path_factory.mktemp("bad-input")
    if worker_id == "master":
        return run_all_cases(simulator, workdir)
    shared = tmp_path_factory.getbasetemp().parent  # one directory per session, common to the workers
    with open(shared / "bad-input.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "bad-input-outcome.json"
        if not saved.exists():
            saved.write_text(json.dumps(run_all_cases(simulator, workdir)))
        return json.loads(saved.read_text())


@pytest.mark.parametrize("case", CASES, ids=[case_of(p).id for p in CASES])
def test_bad_input_is_explained(outcome, case):
    registered = outcome["results"][case.id]
    assert registered is not None, "the run did not get to this case: %s" % outcome["report"]
    assert registered.get("failed"), "expected a failure: %s" % json.dumps(registered)[:2000]
    shown = json.dumps(registered)
    # A crash shows as "Module failed: <exception text>" (and a traceback with -vvv), not as fail_json.
    assert "Traceback" not in shown and "Module failed:" not in shown, shown[:3000]
    message = registered["msg"].lower()
    missing = [word for word in case.words if word.lower() not in message]
    assert not missing, "message lacks %s: %s" % (missing, registered["msg"])


def test_bad_input_sends_no_write_and_no_traceback(outcome):
    counters = outcome["counters"]
    # Only the cases Segura must judge may write, once each: nothing else, and no retry.
    assert counters["writes"] == sum(case_of(p).writes for p in CASES), counters
    assert outcome["stub_writes"] == 0
    assert outcome["rc"] == 0, outcome["report"]  # every failure was ignored: the run reached its end
    assert "Traceback" not in outcome["output"]
