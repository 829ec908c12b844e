"""Builders and constants of the unit tests' fake HTTP (tests/unit/conftest.py has the fixtures).

Importable as ``segura_fakes`` because pytest's ``pythonpath`` (pytest.ini) holds tests/unit.
"""

import http.client
import json as jsonlib

import requests
from requests.structures import CaseInsensitiveDict

BASE_URL = "https://segura.example.com"
CLIENT_ID = "app-client-id"
# Distinctive so that tests can prove it never leaks into messages, results or files.
CLIENT_SECRET = "client-secret-MUST-NOT-LEAK-7f3a"


def make_response(status=200, json=None, body=None, headers=None, url=BASE_URL):
    """A real requests.Response, read whole: ``json`` is serialised; ``body`` (str/bytes) is sent as is."""
    response = requests.Response()
    response.status_code = status
    response.reason = http.client.responses.get(status, "")
    response.url = url
    response.encoding = "utf-8"
    merged = CaseInsensitiveDict()
    if json is not None:
        response._content = jsonlib.dumps(json).encode("utf-8")
        merged["Content-Type"] = "application/json"
    else:
        response._content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    merged.update(headers or {})
    response.headers = merged
    return response


def envelope(status=200, message="Success", error=False, code=True, message_key="mensagem", **extra):
    """A MySafe answer frame (``code=False`` leaves out the top-level code, as some answers do)."""
    body = {"code": status} if code else {}
    flag = 1 if error else 0
    body["response"] = {"status": status, "message": message, "error": error, "error_code": flag,
                        "detail": "", message_key: message, "erro": error, "cod_erro": flag}
    body.update(extra)
    return body


def error_envelope(code, text, status=400, exception=True):
    """The documented MySafe error: HTTP 400, "NNNN: text", with the exception block."""
    message = "%d: %s" % (code, text) if code else text
    body = envelope(status, message, error=True)
    if exception:
        body["exception"] = {"code": code, "message": message, "detail": None}
    return body
