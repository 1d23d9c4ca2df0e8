"""Schemathesis against the live OpenAPI document, in process, signed in as each role: whatever
it generates, and whatever hostile body it is sent, no server error and no response the
document does not describe (bounded examples, derandomized so that a failure reproduces)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from http_world import Caller, HttpWorld
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 2
# These end the very token the fuzzing uses; the sign-in tests cover them.
SKIPPED = {"DELETE /api/v1/tokens/current", "DELETE /api/v1/session"}
ROLES = ("secretariat.admin", "xxa.admin", "xxa.user", "green.group.a", "auditor")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
HOSTILE: list[bytes] = [
    b"[" * 5000 + b"]" * 5000,
    b'{"units": {"quantity": 1' + b"0" * 400 + b"}}",
    b'{"quantity": 1e308, "vintage": -1e308, "first": 9223372036854775808}',
    b'{"source_account": "XXA01\\u0000", "name": "\\u0000"}',
    b'{"name": "\\ud800", "title": "\\udfff\\u202e\\ufeff\\u0301"}',
    '{"title": "\u202e\U0001f600\u0301\ufeff", "reason": "\u0000\u2028"}'.encode(),
    b'{"date_of_authorization": "0001-01-01", "start": "9999-12-31"}',
    b'{"date_of_authorization": "9999-12-31T23:59:59-14:00"}',
    b'{"units": {"quantity": true}, "quantity": true, "vintage": false}',
    b'{"units": {"ranges": [{"registry": "XXA01", "first": -1, "last": 1e400}]}}',
    b"NaN",
    b'"just a string"',
]
# Request-format checks: a refusal naming only these never reached the service's decision.
# C1001 and C1002 also say "not registered", which is a decision: they count as format only
# when their detail is about the format.
FORMAT_CHECKS = {"C1003", "C1004", "C1005", "C1006", "C1007", "C1008", "C1009", "C1011"}
FORMAT_CHECKS |= {"C1013", "C1014", "C1015", "C1016"}
FORMAT_DETAIL = re.compile(r"pattern|capital letters|CA followed")


def schema_of(world: HttpWorld) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.api.client.app)


def aim(case: schemathesis.Case, world: HttpWorld) -> None:
    """Point path parameters at records that exist, so requests reach the checks behind the
    gate rather than a 404."""
    known = {
        "party": "XXA",
        "account": world["XXA Party mo_holding"],
        "entity": "XXA-E0001",
        "user": "xxa.user",
    }
    for name, value in known.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value


def explore(
    operation: Any,
    world: HttpWorld,
    send: Callable[[schemathesis.Case], None],
    examples: int = EXAMPLES,
    mode: GenerationMode | None = None,
) -> None:
    """Send `examples` requests generated for `operation` (derandomized: the same every run)."""
    strategy = operation.as_strategy(generation_mode=mode) if mode else operation.as_strategy()

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def one(case: schemathesis.Case) -> None:
        aim(case, world)
        send(case)

    one()


def validated(case: schemathesis.Case, headers: dict[str, str]) -> None:
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_input_makes_a_server_error_or_breaks_the_schema(world: HttpWorld):
    schema = schema_of(world)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for name in ROLES:
        headers = world.api[name].headers
        for operation in operations:
            if operation.label not in SKIPPED:
                explore(operation, world, lambda case, h=headers: validated(case, h))
    verified = world.api["auditor"].get("/api/v1/verification").json()
    assert verified == {"sound": True, "problems": []}


def test_hostile_bodies_are_refused_by_every_write_route_as_every_role(world: HttpWorld):
    """Nested JSON, numbers past any limit, NUL, unpaired surrogates, bidirectional controls,
    the calendar's ends, booleans for numbers: a 4xx problem document naming a check, always."""
    operations = [r.ok() for r in schema_of(world).get_all_operations()]
    writes = [o for o in operations if o.method.upper() in WRITES and o.label not in SKIPPED]
    client = world.api.client
    sent = 0
    for operation in writes:
        path = operation.path.replace("{party}", "XXA").replace("{account}", "XXA01-000001")
        path = path.replace("{entity}", "XXA-E0001").replace("{user}", "xxa.user")
        path = path.replace("{transaction}", "XXA01-00000001").replace("{year}", "2024")
        for body in HOSTILE:
            name = ROLES[sent % len(ROLES)]  # every role meets every kind of hostile body
            sent += 1
            headers = {**world.api[name].headers, "Content-Type": "application/json"}
            response = client.request(operation.method.upper(), path, content=body, headers=headers)
            where = (name, operation.label, body[:40])
            assert response.status_code < 500, where
            if operation.body:  # a route without a body never reads it
                assert 400 <= response.status_code < 500, where
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["checks"], where
    verified = world.api["auditor"].get("/api/v1/verification").json()
    assert verified == {"sound": True, "problems": []}


# Who may run each write operation: the fuzzer signs in as that role to measure how far
# schema-valid requests get.
REGISTRY_WIDE = ("/api/v1/parties", "/api/v1/cooperative-approaches", "/api/v1/users")
POSITIVE_EXAMPLES = 12


def classify(case: schemathesis.Case, caller: Caller, outcomes: Counter[str]) -> None:
    """Count whether the request was refused for its format only, or reached the registry."""
    response = case.call(headers=caller.headers)
    assert response.status_code < 500, response.text
    failed = response.json().get("checks", []) if response.status_code >= 400 else []
    checks = {c["check"] for c in failed}
    formats = {
        c["check"]
        for c in failed
        if c["check"] in FORMAT_CHECKS or FORMAT_DETAIL.search(c["detail"])
    }
    outcomes["format" if checks and checks == formats else "reached"] += 1
    outcomes.update(sorted(checks))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_requests_valid_by_the_schema_pass_validation(world: HttpWorld):
    """The OpenAPI document states the contract the API enforces (patterns, lengths, ranges,
    enums): most requests generated from it get past every format check and reach the
    registry's decisions (a record it does not know, units it does not hold, ...)."""
    operations = [r.ok() for r in schema_of(world).get_all_operations()]
    writes = [
        o
        for o in operations
        if o.method.upper() in ("POST", "PUT") and o.body and o.label not in SKIPPED
    ]
    looser: dict[str, Counter[str]] = {}
    for operation in writes:
        wide = operation.path.startswith(REGISTRY_WIDE) and "{party}" not in operation.path
        caller = world.api["secretariat.admin" if wide else "xxa.admin"]
        outcomes: Counter[str] = Counter()
        explore(
            operation,
            world,
            lambda case, c=caller, o=outcomes: classify(case, c, o),
            POSITIVE_EXAMPLES,
            GenerationMode.POSITIVE,
        )
        if outcomes["format"] * 2 > outcomes["format"] + outcomes["reached"]:
            looser[operation.label] = outcomes
    assert looser == {}, sorted(looser)
