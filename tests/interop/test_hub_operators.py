"""The hub's administrative endpoints answer only a hub operator's signed, fresh, unreplayed
request (C6108), and reconciliations, which hold every registry, are rationed (C6109).

Each attempt is made as an attacker would: over HTTP, without credentials, with a key the hub
does not know, with a genuine request moved to another endpoint, late, or twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from observations import assert_sound, send
from served import served
from sqlalchemy import select

from article6.app import create_hub_app
from article6.cli import main
from article6.domain.keys import KeyPair
from article6.interop.hub import Hub
from article6.interop.operator_client import OperatorClient
from article6.interop.operators import NONCE, TIMESTAMP, operator_headers
from article6.services.context import Registry
from article6.services.external_transfer_status import transfers
from article6.store.database import unit_of_work
from article6.store.interop_schema import hub_reconciliations

ADMINISTRATIVE = [
    ("POST", "/interop/v1/reconciliations"),
    ("GET", "/interop/v1/reconciliations/R-1"),
    ("GET", "/interop/v1/directory"),
    ("GET", "/interop/v1/transactions"),
]


@pytest.fixture
def secretariat() -> KeyPair:
    return KeyPair.generate()


@pytest.fixture
def door(network, secretariat):
    """The hub's HTTP app, with the secretariat as its one operator."""
    net, _ = network
    return TestClient(create_hub_app(net.hub, {"secretariat": secretariat.public_text}))


@pytest.fixture
def operator(network, door, secretariat, clock):
    return OperatorClient("http://testserver", "secretariat", secretariat, door, clock)


def refused_with(response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (check,) = response.json()["checks"]
    if field is not None:
        assert check["field"] == field
    return check["check"]


def runs(net) -> list[str]:
    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        return list(connection.execute(select(hub_reconciliations.c.reconciliation_id)).scalars())


def test_without_an_operators_signature_the_hub_starts_nothing_and_shows_nothing(network, door):
    net, accounts = network
    for method, path in ADMINISTRATIVE:
        response = door.request(method, path)
        assert refused_with(response, 401) == "C6108", path
        assert response.headers["www-authenticate"].startswith("Article6-Signature")

    assert runs(net) == []
    net.settle()
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 10)
    net.settle()  # no registry was held: the transfer completes
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "completed"}
    identity = door.get("/interop/v1/identity")  # a public key is public
    assert identity.status_code == 200 and identity.json()["public_key"] == (
        net.hub.identity.public_key
    )
    assert_sound(net)


def test_a_stranger_a_moved_a_late_or_a_repeated_request_is_refused(
    network, door, operator, secretariat, clock
):
    net, _ = network
    stranger = KeyPair.generate()
    post = "/interop/v1/reconciliations"

    def attempt(headers, method="POST", path=post, body=b""):
        return door.request(method, path, headers=headers, content=body)

    forged = operator_headers(stranger, "secretariat", "POST", post, now=clock())
    assert refused_with(attempt(forged), 401, "Article6-Signature") == "C6108"
    unknown = operator_headers(stranger, "mallory", "POST", post, now=clock())
    assert refused_with(attempt(unknown), 401, "Article6-Operator") == "C6108"
    for_reading = operator_headers(
        secretariat, "secretariat", "GET", "/interop/v1/directory", now=clock()
    )
    assert refused_with(attempt(for_reading), 401, "Article6-Signature") == "C6108"
    with_body = operator_headers(secretariat, "secretariat", "POST", post, now=clock())
    assert refused_with(attempt(with_body, body=b"{}"), 401, "Article6-Signature") == "C6108"
    late = operator_headers(
        secretariat, "secretariat", "POST", post, now=clock() - timedelta(minutes=6)
    )
    assert refused_with(attempt(late), 401, TIMESTAMP) == "C6108"
    ahead = operator_headers(
        secretariat, "secretariat", "POST", post, now=clock() + timedelta(minutes=3)
    )
    assert refused_with(attempt(ahead), 401, TIMESTAMP) == "C6108"
    assert runs(net) == []

    genuine = operator_headers(secretariat, "secretariat", "POST", post, now=clock())
    first = attempt(genuine)
    assert first.status_code == 200
    net.settle()
    clock.advance(timedelta(seconds=1))
    assert refused_with(attempt(genuine), 401, NONCE) == "C6108"
    assert runs(net) == [first.json()["reconciliation_id"]] * 2  # one run, with IR and XXB01
    assert operator.get("/interop/v1/directory")[0]["registry_id"] == "IR"
    assert_sound(net)


def test_reconciliations_are_refused_while_one_runs_and_until_the_interval_passes(
    network, door, operator, clock
):
    net, _ = network
    net.hub.reconciliation_interval = timedelta(minutes=10)
    first = operator.post("/interop/v1/reconciliations")["reconciliation_id"]

    running = operator.request("POST", "/interop/v1/reconciliations")
    assert refused_with(running, 429, "reconciliation") == "C6109"
    assert first in running.json()["detail"]
    net.settle()
    assert operator.get(f"/interop/v1/reconciliations/{first}") == {
        "IR": {"status": "completed", "discrepancies": []},
        "XXB01": {"status": "completed", "discrepancies": []},
    }
    clock.advance(timedelta(minutes=9))
    soon = operator.request("POST", "/interop/v1/reconciliations")
    assert refused_with(soon, 429, "reconciliation") == "C6109"
    assert soon.headers["retry-after"] == "60"
    assert len(set(runs(net))) == 1

    clock.advance(timedelta(minutes=1))
    second = operator.post("/interop/v1/reconciliations")["reconciliation_id"]
    net.settle()
    assert set(runs(net)) == {first, second}
    clock.advance(timedelta(minutes=10))
    assert_sound(net)


def test_the_command_line_signs_as_the_operator_the_hub_knows(registries, tmp_path):
    """`article6 hub-operator key` and `call` against a hub served over HTTP on real time."""
    hub = Hub.open(Registry(registries["hub"].engine))
    runner = CliRunner()
    made = runner.invoke(main, ["hub-operator", "key", str(tmp_path / "secretariat.pem")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "secretariat.pem").stat().st_mode & 0o077 == 0
    other = runner.invoke(main, ["hub-operator", "key", str(tmp_path / "other.pem")])
    app = create_hub_app(hub, {"secretariat": made.output.strip()})

    with served(app) as (host, port):

        def call(key: str, *request: str):
            arguments = ["--hub", f"http://{host}:{port}", "--key", str(tmp_path / key)]
            command = ["hub-operator", "call", *arguments, "--name", "secretariat", *request]
            return runner.invoke(main, command)

        allowed = call("secretariat.pem", "GET", "/interop/v1/transactions")
        refused = call("other.pem", "POST", "/interop/v1/reconciliations")

    assert allowed.exit_code == 0 and json.loads(allowed.output) == {}
    assert other.exit_code == 0
    assert refused.exit_code == 1 and json.loads(refused.output)["checks"][0]["check"] == "C6108"
