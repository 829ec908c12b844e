"""The AWX credential plugin's inputs of the wrong type, strict Verify SSL, and URL user info.

AWX's forms give text (and a boolean for Verify SSL), but its API and awx.awx pass any JSON value
to the backend. Each wrong value fails with a message naming the field and what was wrong, never
with a TypeError from deep inside the client. The calls bypass AWX's form checks on purpose.
"""

import pytest

from awx_items import KINDS, assert_failed, seed, source

WRONG_SECRET = 12345678  # not the secret, and not text


@pytest.mark.parametrize("field, label, value, shown", [
    ("client_secret", "Client Secret", WRONG_SECRET, "a number"),
    ("client_id", "Client ID", ["alice"], "a list"),
    ("url", "Segura URL", {"host": "segura.example.com"}, "a mapping"),
    ("tenant", "Tenant", True, "a boolean"),
    ("token_path", "Token path", 3.5, "a number"),
    ("cacert", "CA Certificate", 42, "a number"),
])
def test_a_credential_input_that_is_not_text_is_refused_naming_the_field(call, sim, field, label, value, shown):
    identifier = seed(sim, KINDS["api_secret"])

    [outcome] = call({"inputs": source(sim, **{field: value}), "metadata": {"identifier": str(identifier)}})

    assert_failed(outcome, "%s of the Segura credential is %s, not text." % (label, shown))
    assert sim.control.counters()["total"] == 0


@pytest.mark.parametrize("key, label, value, shown", [
    ("kind", "Kind", 1, "a number"),
    ("identifier", "Identifier", True, "a boolean"),
    ("identifier_code", "Identifier code", ["payments-gcp"], "a list"),
    ("name", "Name", 7, "a number"),
    ("field", "Field", {"name": "client_secret"}, "a mapping"),
])
def test_metadata_that_is_not_text_is_refused_naming_the_field(call, sim, key, label, value, shown):
    [outcome] = call({"inputs": source(sim), "metadata": {key: value}})

    assert_failed(outcome, "%s of the input source's metadata is %s, not text." % (label, shown))
    assert sim.control.counters()["total"] == 0


def test_a_numeric_client_secret_is_a_clear_error_not_a_type_error(call, sim):
    """Before: the authentication error's masking failed on the number (TypeError in quote_plus)."""
    identifier = seed(sim, KINDS["api_secret"])

    [outcome] = call({"inputs": source(sim, client_secret=WRONG_SECRET), "metadata": {"identifier": str(identifier)}})

    assert outcome["error"]["type"] == "SeguraLookupError", outcome
    assert str(WRONG_SECRET) not in outcome["error"]["message"]


def test_an_identifier_given_as_a_number_still_selects_the_item(call, sim):
    identifier = seed(sim, KINDS["api_secret"])

    [outcome] = call({"inputs": source(sim), "metadata": {"identifier": identifier}})

    assert outcome.get("value") == KINDS["api_secret"].item["client_secret"], outcome


@pytest.mark.parametrize("verify", ["ture", "enabled", "2", 2, ["true"]])
def test_verify_ssl_that_is_not_a_boolean_is_refused_not_taken_for_false(call, sim, verify):
    identifier = seed(sim, KINDS["api_secret"])

    [outcome] = call({"inputs": source(sim, verify=verify, cacert=None), "metadata": {"identifier": str(identifier)}})

    assert_failed(outcome, "Verify SSL of the Segura credential is %r, which is not a boolean." % (verify,))
    assert sim.control.counters()["total"] == 0


def test_verify_ssl_reads_the_booleans_the_collection_reads(call, sim):
    """Without the CA the simulator's certificate is untrusted: only a real "no" reads the value."""
    identifier = seed(sim, KINDS["api_secret"])
    metadata = {"identifier": str(identifier)}

    off, empty, yes = call(*({"inputs": source(sim, verify=verify, cacert=None), "metadata": metadata}
                             for verify in ("No", "", "YES")))

    assert off.get("value") == KINDS["api_secret"].item["client_secret"], off
    assert_failed(empty, "TLS verification of %s failed" % sim.url)
    assert_failed(yes, "TLS verification of %s failed" % sim.url)


def test_the_user_info_of_the_url_shows_in_no_message(call, sim):
    scheme, rest = sim.url.split("://", 1)
    identifier = seed(sim, KINDS["api_secret"])

    [outcome] = call({"inputs": source(sim, url="%s://gwuser-Kq81:GwPassw0rd-Zx55@%s" % (scheme, rest), cacert=None),
                      "metadata": {"identifier": str(identifier)}})

    assert_failed(outcome, "TLS verification of %s://********@%s failed" % (scheme, rest),
                  secrets=["gwuser-Kq81", "GwPassw0rd-Zx55"])
