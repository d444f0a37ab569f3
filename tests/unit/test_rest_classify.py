"""How one REST answer is judged: only PostgREST's own answers say present, missing, forbidden."""

from __future__ import annotations

import json

import pytest

from toolkit.rest.client import Answer, classify

URL = "https://abc.supabase.co/rest/v1/agent_logs"


def _json(status: int, body: object, content_range: str = "") -> Answer:
    return Answer(URL, status, "application/json; charset=utf-8", json.dumps(body).encode(),
                  content_range)


@pytest.mark.parametrize(("answer", "state", "from_postgrest"), [
    (_json(200, [], "*/*"), "present", True),
    (_json(200, []), "unknown", False),  # rows without PostgREST's Content-Range: a stub
    (_json(404, {"code": "42P01", "message": 'relation "public.x" does not exist'}),
     "missing", True),
    (_json(404, {"code": "PGRST205", "message": "Could not find the table"}), "missing", True),
    (_json(403, {"code": "42501", "message": "permission denied for table x"}),
     "forbidden", True),
    (_json(503, {"code": "PGRST002", "message": "Could not query the database"}),
     "unknown", True),
    (_json(200, {"status": "ok"}), "unknown", False),  # JSON, but not a PostgREST row set
    (_json(404, {"message": "no Route matched with those values"}), "unknown", False),
    (Answer(URL, 200, "text/html", b"<html><body>[]</body></html>"), "unknown", False),
    (Answer(URL, 403, "text/html", b"<h1>403 Forbidden</h1>"), "unknown", False),
    (Answer(URL, 200, "text/plain", b"[]"), "unknown", False),  # right words, wrong type
])
def test_only_postgrest_answers_count(answer: Answer, state: str, from_postgrest: bool) -> None:
    probe = classify("agent_logs", answer)
    assert (probe.state, probe.from_postgrest) == (state, from_postgrest)


def test_unknown_detail_names_status_type_and_first_words() -> None:
    page = Answer(URL, 502, "text/html", b"<html><head><title>502 Bad Gateway</title></head>"
                  b"<body><h1>502 Bad Gateway</h1></body></html>")
    assert classify("agent_logs", page).detail == (
        f"not a PostgREST answer: text/html 502 from {URL}: 502 Bad Gateway 502 Bad Gateway")
    assert classify("agent_logs", None).state == "unknown"
