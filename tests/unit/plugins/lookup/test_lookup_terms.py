"""The lookup segura.pam.mysafe_api_secret in-process: term parsing and the on_* decisions.

The plugin runs for real (Ansible's option machinery included) over the fake HTTP layer of
tests/unit/conftest.py. The playbook-level behaviour is tested against the simulator in
tests/integration/plugins/lookup/test_lookup_mysafe_api_secret.py.
"""

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleLookupError

from ansible_collections.segura.pam.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.segura.pam.plugins.doc_fragments.lookup import ModuleDocFragment as LookupDocFragment
from ansible_collections.segura.pam.plugins.lookup import mysafe_api_secret as plugin
from ansible_collections.segura.pam.plugins.module_utils._kinds import API_SECRET
from ansible_collections.segura.pam.plugins.plugin_utils import mysafe_lookup
from ansible_collections.segura.pam.plugins.module_utils._terms import term_key
from ansible_collections.segura.pam.plugins.module_utils import errors
from segura_fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, error_envelope, make_response

NAME = "segura.pam.mysafe_api_secret"
SECRETS_PATH = "/api/mysafe/secretapi"


def option_definitions():
    """The plugin's options as the plugin loader would register them (doc fragments merged in)."""
    options = {}
    for text in (ModuleDocFragment.DOCUMENTATION, ModuleDocFragment.PLUGINS, LookupDocFragment.DOCUMENTATION,
                 plugin.DOCUMENTATION):
        for name, spec in yaml.safe_load(text).get("options", {}).items():
            options.setdefault(name, {}).update(spec)
    return options


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(mysafe_lookup.display, "warning", lambda message, *args, **kwargs: shown.append(message))
    return shown


@pytest.fixture
def lookup(monkeypatch, tmp_path, fake_http, warnings):
    """``lookup(*terms, **options)``: one run of the real plugin; connection options preset."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("URL", "CLIENT_ID", "CLIENT_SECRET", "TOKEN", "CA_PATH", "TOKEN_CACHE"):
        monkeypatch.delenv("SEGURA_" + name, raising=False)
        monkeypatch.delenv("SENHASEGURA_" + name, raising=False)
    C.config.initialize_plugin_configuration_definitions("lookup", NAME, option_definitions())

    def run(*terms, **options):
        module = plugin.LookupModule()
        module._load_name = module.ansible_name = NAME
        settings = dict(segura_url=BASE_URL, segura_client_id=CLIENT_ID, segura_client_secret=CLIENT_SECRET,
                        segura_token_cache=False)
        settings.update(options)
        return module.run(list(terms), variables={}, **settings)

    return run


# --------------------------------------------------------------------------- term parsing

@pytest.mark.parametrize("term, identifier", [(1, 1), (43, 43), ("42", 42), (" 7 ", 7), ("007", 7)])
def test_identifier_terms_become_integers(term, identifier):
    assert term_key(API_SECRET, term, "identifier") == ("identifier", identifier)


@pytest.mark.parametrize("term", ["abc", "", "   ", 0, "0", -1, "-1", "+5", "1.5", 1.5, "1e3", True, None, "0x1f"])
def test_other_identifier_terms_are_refused_with_a_hint(term):
    with pytest.raises(errors.ConfigurationError) as caught:
        term_key(API_SECRET, term, "identifier")
    assert "Term %r is not an identifier (a positive integer)." % (term,) == caught.value.message
    assert "by=identifier_code" in caught.value.hint


@pytest.mark.parametrize("term", ["\u00b2", "\u2460", "\u0663", "\uff13"])
def test_digit_like_symbols_are_refused_like_other_non_integers(term):
    with pytest.raises(errors.ConfigurationError):
        term_key(API_SECRET, term, "identifier")


@pytest.mark.parametrize("term, code", [("payments-gcp", "payments-gcp"), ("  crm ", "crm"), (42, "42")])
def test_identifier_code_terms_are_stripped_text(term, code):
    assert term_key(API_SECRET, term, "identifier_code") == ("identifier_code", code)


@pytest.mark.parametrize("term", ["", "  ", "\t"])
def test_empty_identifier_codes_are_refused(term):
    with pytest.raises(errors.ConfigurationError, match="An empty term cannot select an API secret by identifier_code"):
        term_key(API_SECRET, term, "identifier_code")


@pytest.mark.parametrize("terms, by", [((1, "abc"), "identifier"), ((2, 0), "identifier"),
                                       (("crm", " "), "identifier_code")])
def test_one_bad_term_fails_the_lookup_before_any_request(lookup, fake_http, terms, by):
    with pytest.raises(AnsibleLookupError, match="^segura.pam.mysafe_api_secret: "):
        lookup(*terms, by=by)
    assert fake_http.requests == []


# --------------------------------------------------------------------------- values

def test_values_come_back_in_term_order_with_one_token(lookup, fake_http, mysafe_server):
    identifiers = [mysafe_server.add(name="n%d" % n, client_secret="value-%d" % n) for n in range(20)]
    terms = identifiers[::-1] + identifiers[:3]
    assert lookup(*terms, max_parallel=8) == ["value-%d" % (t - 1) for t in terms]
    assert len(fake_http.token_requests) == 1
    assert len(fake_http.api_requests) == len(terms)


@pytest.mark.parametrize("field, expected", [
    ("client_secret", "s3cr3t"), ("client_id", "app-id"), ("url", "https://gcp.example.com"), ("identifier", 1),
    ("identifier_code", "gcp"), ("tags", ["prod", "gcp"]), ("method", "post"), ("notes", ""),
    ("users_allowed", [{"username": "bob", "can_edit": True}]), ("groups_allowed", []),
])
def test_field_picks_one_normalised_field(lookup, mysafe_server, field, expected):
    mysafe_server.add(name="GCP", url="https://gcp.example.com", client_id="app-id", client_secret="s3cr3t",
                      identifier_code="gcp", tags="prod,gcp", method="POST",
                      users_allowed=[{"username": "bob", "can_edit": True}])
    assert lookup(1, field=field) == [expected]


def test_field_all_is_the_whole_normalised_entity(lookup, mysafe_server):
    mysafe_server.add(name="GCP", url="https://gcp.example.com", client_id="app-id", client_secret="s3cr3t")
    [entity] = lookup("1", field="all")
    assert entity == {"identifier": 1, "name": "GCP", "url": "https://gcp.example.com", "client_id": "app-id",
                      "client_secret": "s3cr3t", "identifier_code": "", "method": "", "tags": [], "notes": "",
                      "users_allowed": [], "groups_allowed": [], "active": True}


def test_identifier_codes_are_resolved_through_the_list(lookup, fake_http, mysafe_server):
    mysafe_server.add(name="a", identifier_code="alpha", client_secret="A")
    mysafe_server.add(name="b", identifier_code="beta", client_secret="B")
    assert lookup("beta", "alpha", by="identifier_code") == ["B", "A"]
    assert [r.path for r in fake_http.api_requests].count(SECRETS_PATH) == 2


def test_a_code_shared_by_two_visible_secrets_is_an_error_no_on_option_tolerates(lookup, mysafe_server):
    mysafe_server.add(name="mine", identifier_code="dup", client_secret="mine-value")
    mysafe_server.add(name="theirs", identifier_code="dup", client_secret="theirs-value")
    with pytest.raises(AnsibleLookupError) as caught:
        lookup("dup", by="identifier_code", on_missing="skip", on_denied="skip", on_inactive="skip")
    message = str(caught.value)
    assert "term 'dup' (identifier_code): 2 API secrets visible to this API user have identifier_code 'dup' " \
           "(identifiers 1, 2)" \
        in message
    assert "mine-value" not in message and "theirs-value" not in message


# --------------------------------------------------------------------------- on_missing / on_denied / on_inactive

PROBLEMS = {"on_missing": (1005, "Api secret not found"), "on_denied": (1006, "User does not have access"),
            "on_inactive": (1009, "Inactive Api secret")}


@pytest.fixture
def problem(fake_http, mysafe_server):
    """``problem(option)``: the identifier of a secret that fails with that option's error."""

    def make(option):
        code, text = PROBLEMS[option]
        identifier = mysafe_server.add(name="problem", client_secret="problem-value")

        def answer(sent):
            if sent.method == "GET" and sent.path == "%s/%d" % (SECRETS_PATH, identifier):
                return make_response(400, error_envelope(code, text))
            return mysafe_server.handle(sent)

        fake_http.handler = answer
        return identifier

    return make


@pytest.mark.parametrize("option", sorted(PROBLEMS))
def test_error_by_default_names_the_term_and_the_reason(lookup, mysafe_server, problem, warnings, option):
    mysafe_server.add(name="fine", client_secret="fine-value")
    bad = problem(option)
    others = dict((other, "skip") for other in PROBLEMS if other != option)
    for extra in ({}, others):
        with pytest.raises(AnsibleLookupError) as caught:
            lookup(1, bad, **extra)
        message = str(caught.value)
        assert message.startswith("segura.pam.mysafe_api_secret: term %d (identifier): " % bad)
        assert "%d: %s" % PROBLEMS[option] in message
        assert "fine-value" not in message and CLIENT_SECRET not in message
    assert warnings == []


@pytest.mark.parametrize("option", sorted(PROBLEMS))
@pytest.mark.parametrize("action", ["warn", "skip"])
def test_warn_and_skip_leave_the_term_out(lookup, mysafe_server, problem, warnings, option, action):
    mysafe_server.add(name="fine", client_secret="fine-value")
    bad = problem(option)
    assert lookup(bad, 1, bad, **{option: action}) == ["fine-value"]
    if action == "skip":
        assert warnings == []
    else:
        assert len(warnings) == 2
        assert all(w.startswith("segura.pam.mysafe_api_secret: term %d (identifier): " % bad) for w in warnings)
        assert all(w.endswith("The term is left out of the result.") for w in warnings)


def test_a_missing_identifier_code_follows_on_missing(lookup, mysafe_server, warnings):
    mysafe_server.add(name="a", identifier_code="alpha", client_secret="A")
    assert lookup("nope", "alpha", by="identifier_code", on_missing="warn") == ["A"]
    assert len(warnings) == 1 and "identifier_code 'nope'" in warnings[0]
    with pytest.raises(AnsibleLookupError, match="term 'nope' \\(identifier_code\\): No API secret visible"):
        lookup("nope", by="identifier_code")
