"""The protocol's doors, served by uvicorn on a free port, read no more than the message size
limit (C1014, HTTP 413) whether the body's length is declared or it comes in chunks, and refuse
JSON nested deeper than any message needs (C1016, HTTP 400), before parsing anything else.

The attacker is any client that can reach the hub's or a registry's message endpoint: it needs
no key to send bytes."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator

import pytest
from served import served

from article6.app import create_hub_app, create_registry_app
from article6.interop.intake import MAX_BODY
from article6.interop.transport import MESSAGES_PATH

PATIENCE = 30.0  # seconds a refusal may take to arrive; it arrives in milliseconds


@pytest.fixture(params=["hub", "registry"])
def address(request, network) -> Iterator[tuple[str, int]]:
    """The hub's app or XXB01's protocol app, served over real HTTP."""
    net, _ = network
    app = (
        create_hub_app(net.hub)
        if request.param == "hub"
        else create_registry_app(net.nodes["XXB01"])
    )
    with served(app) as address:
        yield address


def head(length: int | None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST {MESSAGES_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()


def answer(connection: socket.socket) -> tuple[int, dict]:
    """The response's status and JSON body (the server closes the connection after it)."""
    received = b""
    connection.settimeout(PATIENCE)
    while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in headers.lower():
        body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
    return int(status_line.split()[1]), json.loads(body)


def checks(body: dict) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in body["checks"]]


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(address):
    with socket.create_connection(address) as connection:
        connection.sendall(head(12 * 1024 * 1024))  # and not one byte of the body

        status, body = answer(connection)

    assert status == 413 and checks(body) == [("C1014", "body")]


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(address):
    piece = b"[" + b" " * (64 * 1024 - 2) + b"]"
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with socket.create_connection(address) as connection:
        connection.sendall(head(None))
        sent = 0
        # Never the closing chunk: a server that waited for the whole body would never answer.
        while sent <= 2 * MAX_BODY:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
            try:
                connection.sendall(chunk)
            except OSError:  # the server has answered and closed: read its answer
                break
            sent += len(piece)

        status, body = answer(connection)

    assert status == 413 and checks(body) == [("C1014", "body")]
    assert sent <= 2 * MAX_BODY


@pytest.mark.parametrize("levels", [5000, 990, 17])
def test_json_nested_too_deep_is_refused_with_a_numbered_check(address, levels):
    nested = ("[" * levels + "]" * levels).encode()
    wrapped = b'{"envelope": {}, "body": {"blocks": ' + nested + b"}}"
    for sent in (nested, wrapped):
        with socket.create_connection(address) as connection:
            connection.sendall(head(len(sent)) + sent)

            status, body = answer(connection)

        assert status == 400 and checks(body) == [("C1016", "body")]
        assert "nests deeper" in body["checks"][0]["detail"]


def test_a_message_within_the_limits_is_still_read(address):
    """The limits refuse only what they should: an ordinary malformed message reaches the
    receipt checks and is answered with an Ack (C6001)."""
    sent = json.dumps({"envelope": {}, "body": {}}).encode()
    with socket.create_connection(address) as connection:
        connection.sendall(head(len(sent)) + sent)

        status, body = answer(connection)

    assert status == 422 and body["result"] == "invalid"
    assert [e["code"] for e in body["evaluation"]] == ["C6001"]
