"""One request, one id: sent back to the client, written in the journal entry of the command it
ran, and on every log line written for it; a client's id is kept only when it is a plain token."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from http_world import HttpWorld, ok

from article6.demo import world as demo
from article6.http.logs import JsonLines
from article6.services import request_ids

CORSIA = demo.CORSIA_AUTHORIZATION


def test_every_answer_carries_a_request_id(client: TestClient):
    first = client.get("/health/live").headers["x-request-id"]
    second = client.get("/health/live").headers["x-request-id"]
    assert len(first) == 32 and first != second


def test_a_proxys_plain_request_id_is_kept(client: TestClient):
    answer = client.get("/api/v1/nothing-here", headers={"X-Request-ID": "edge-7f3a9c21"})
    assert answer.status_code == 404
    assert answer.headers["x-request-id"] == "edge-7f3a9c21"


@pytest.mark.parametrize(
    "hostile",
    ['abc"}\n{"level": "error', "short", "x" * 65, "spaces are not plain", "ünïcode-1234"],
)
def test_a_request_id_that_could_forge_a_log_line_is_replaced(client: TestClient, hostile: str):
    answer = client.get("/health/live", headers={"X-Request-ID": hostile.encode()})
    assert answer.headers["x-request-id"] != hostile
    assert len(answer.headers["x-request-id"]) == 32


def test_the_journal_entry_names_the_request_that_made_it(client: TestClient, world: HttpWorld):
    admin = world.api["xxa.admin"]
    link = {"account": world["XXA Party mo_holding"], "authorization_id": CORSIA}
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {**link, "units": {"quantity": 10}},
            headers={"X-Request-ID": "audit-trail-0001"},
        )
    )
    page = ok(admin.get("/api/v1/parties/XXA/journal?event=TransactionCompleted&limit=500"), 200)
    assert [json.loads(entry["body"]).get("request_id") for entry in page["items"]] == [
        "audit-trail-0001"
    ]


def test_log_lines_are_json_with_the_request_id():
    record = logging.LogRecord(
        "article6.api", logging.WARNING, __file__, 1, "held %s", ("x",), None
    )
    token = request_ids.REQUEST_ID.set("edge-7f3a9c21")
    try:
        line = json.loads(JsonLines().format(record))
    finally:
        request_ids.REQUEST_ID.reset(token)
    assert line["request_id"] == "edge-7f3a9c21"
    assert (line["level"], line["logger"], line["message"]) == ("warning", "article6.api", "held x")
    assert line["time"].endswith("+00:00")
