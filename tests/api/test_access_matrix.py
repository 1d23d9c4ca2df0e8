"""Every `/api/v1` route × every role, against the matrix in `article6.api.access_matrix`
(which `docs/access.md` publishes), and the isolation of one Party section from another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from http_world import Api, Caller, HttpWorld, ok

from article6.api.access_matrix import COLUMNS, EVERYONE, RULES, markdown, rule_for
from article6.domain.access import Actor, Delegable, Role
from article6.services import delegations
from article6.services.delegations import DelegationChange
from article6.store import mechanism_pulls
from article6.store.database import unit_of_work
from article6.store.mechanism_pulls import PullRecord

USERS = {
    "secretariat": "secretariat.admin",
    "administrator": "xxa.admin",
    "party_user": "xxa.user",
    "entity": "green.group.a",
    "auditor": "xxa.auditor",
    "registry_auditor": "auditor",
    "other_section": "xxc.admin",
    "delegated_secretariat": "secretariat.admin",
}
DENIAL_CHECKS = {"C4002", "C4006", "C4020", "C4023", "C5005"}
XXA_ADMIN = Actor("xxa.admin", Role.ADMINISTRATOR, "XXA")
NDC = "XXA-NDC-2025-001"
CORSIA = "XXA-CORSIA-2025-001"


def test_docs_access_md_is_the_generated_matrix():
    published = Path(__file__).parents[2] / "docs" / "access.md"
    assert published.read_text(encoding="utf-8") == markdown()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_api_route_has_a_row_and_every_row_a_route(client):
    """The routes as the OpenAPI document publishes them (FastAPI nests included routers)."""
    published = client.get("/api/v1/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path) for path, operations in published.items() for method in operations
    }
    assert routes == {(rule.method, rule.path) for rule in RULES}


class Matrix:
    """Requests for each route that an allowed role can carry out, fresh where a call uses
    something up (a pending transaction, a token)."""

    def __init__(self, world: HttpWorld) -> None:
        self.world = world
        self.api = world.api
        admin = self.api["xxa.admin"]
        ok(
            admin.post(
                "/api/v1/parties/XXA/authorization-links",
                {
                    "account": world["XXA Party mo_holding"],
                    "authorization_id": NDC,
                    "units": {"quantity": 5_000},
                },
            )
        )
        ok(
            admin.post(
                "/api/v1/parties/XXA/transfers",
                {
                    "source_account": world["XXA Party amo_holding"],
                    "destination_account": world["XXA Green Group A amo_holding"],
                    "units": {"quantity": 100, "authorization_id": NDC},
                },
            )
        )
        self.api.add_user("xxa.admin", "matrix.target", Role.AUDITOR, "XXA")
        self.api.add_user("secretariat.admin", "matrix.wide", Role.AUDITOR)
        blocks = ok(
            admin.get(f"/api/v1/parties/XXA/blocks?account={world['XXA Party mo_holding']}"), 200
        )
        self.serial = blocks["items"][0]["first"]
        self.issuance = ok(admin.get("/api/v1/parties/XXA/transactions?kind=issuance"), 200)[
            "items"
        ][0]["identifier"]

        self.pulls = {party: self.pull_of(party) for party in ("XXA", "XXC")}

    def pull_of(self, party: str) -> str:
        """A pull asked earlier for `party`'s authorizations (the world is on no hub)."""
        query_id = f"matrix-pull-{party}"
        registry = self.api.registry
        with unit_of_work(registry.engine) as connection:
            mechanism_pulls.insert_pull(
                connection,
                PullRecord(
                    query_id=query_id,
                    requesting_registry="XXA01",
                    party=party,
                    query=(
                        f'{{"query_id":"{query_id}","requesting_registry":"XXA01",'
                        f'"party":"{party}","by":"serial","first":1,"last":10,'
                        '"asked_at":"2026-01-01T00:00:00Z"}'
                    ),
                    requested_by="matrix",
                    requested_at=registry.now(),
                    status=mechanism_pulls.REQUESTED,
                ),
            )
        return query_id

    def pending(self) -> str:
        request = ok(
            self.api["green.group.a"].post(
                "/api/v1/parties/XXA/cancellations",
                {
                    "source_account": self.world["XXA Green Group A amo_holding"],
                    "purpose": "voluntary",
                    "units": {"quantity": 1},
                },
            )
        )
        assert request["status"] == "awaiting_approval"
        return str(request["record"])

    def request(self, method: str, path: str, column: str) -> tuple[str, Any]:
        w, name = self.world, column.replace("_", "-")
        values = {
            "{party}": "XXA",
            "{user}": "matrix.wide" if path.startswith("/api/v1/users") else "matrix.target",
            "{activity}": w.activity,
            "{authorization_id}": NDC,
            "{entity}": "XXA-E0001",
            "{account}": w["XXA Party mo_holding"],
            "{unit}": str(self.serial),
            "{year}": "2026",
            "{mark}": "1",
            "{file_format}": "csv",
            "{notification}": "1",
            "{kind}": "first_transfer_record",
            "{request}": "1",
            "{application}": "1",
            "{document}": "1",
        }
        # another section's administrator reads its own Party's pull (XXA's: C5005, tested
        # in test_mechanism_over_http.py)
        values["{query_id}"] = self.pulls["XXC" if column == "other_section" else "XXA"]
        if "{transaction}" in path:
            values["{transaction}"] = self.pending() if method == "POST" else self.issuance
        for key, value in values.items():
            path = path.replace(key, value)
        units = {"quantity": 1, "authorization_id": NDC}
        bodies: dict[str, Any] = {
            # refused by the policy (C4015, 422) once past the access decision: no caller's
            # password changes and no failure is counted
            "/api/v1/me/password": {"old_password": "-", "new_password": "short", "code": "0"},
            "/api/v1/users": {"name": f"made.by.{name}", "display_name": "M", "password": "p" * 12},
            "/api/v1/users/matrix.wide/role": {"role": "auditor"},
            "/api/v1/parties/XXA/users": {
                "name": f"section.by.{name}",
                "display_name": "S",
                "password": "p" * 12,
                "role": "auditor",
            },
            "/api/v1/parties/XXA/users/matrix.target/role": {"role": "auditor"},
            "/api/v1/parties": {
                "code": "XXD",
                "name": "Party XXD",
                "ndc_first_year": 2021,
                "ndc_last_year": 2030,
            },
            "/api/v1/cooperative-approaches": {
                "id": "CA0002",
                "name": "Second",
                "participating_parties": ["XXA", "XXD"],
            },
            "/api/v1/parties/XXA/mitigation-activities": {
                "title": f"Wind {name}",
                "cooperative_approach": "CA0001",
                "sector": "Energy generation",
                "mitigation_type": "Emission reductions",
            },
            "/api/v1/parties/XXA/authorizations": {
                "authorization_id": CORSIA,
                "date_of_authorization": "2025-04-01",
                "cooperative_approach": "CA0001",
                "sectors": ["Energy generation"],
                "activity_types": ["Solar"],
                "purposes": "OIMP",
                "oimp_authorized": "CORSIA",
                "first_transfer_definition": "Use or Cancellation",
            },
            "/api/v1/parties/XXA/initial-reports": {
                "cooperative_approach": "CA0001",
                "kind": "initial",
                "report_date": "2025-05-01",
                "review_reference": f"TER/{name}",
            },
            "/api/v1/parties/XXA/entities": {
                "name": f"Entity {name}",
                "country_of_incorporation": "XXA",
                "identification_number": name,
                "cooperative_approach": "CA0001",
                "date_of_authorization": "2025-03-01",
            },
            "/api/v1/parties/XXA/entities/XXA-E0001/status": {
                "cooperative_approach": "CA0001",
                "status": "active",
            },
            # held already: refused (C4029, 422) once past the access decision
            "/api/v1/parties/XXA/accounts": {"kind": "ndc_use", "cooperative_approach": "CA0001"},
            f"/api/v1/parties/XXA/accounts/{w['XXA Party mo_holding']}/status": {"status": "open"},
            "/api/v1/parties/XXA/approval-policies": {"kind": "use", "four_eyes": False},
            "/api/v1/parties/XXA/safeguards": {"trusted_only": False, "signed_confirmation": False},
            "/api/v1/parties/XXA/trusted-destinations": {"account": w["XXC Party itmo_holding"]},
            "/api/v1/parties/XXA/action-digests": {
                "command": "ApproveTransaction",
                "request": {"transaction": "XXA01-T1"},
            },
            "/api/v1/parties/XXA/issuances": {
                "mitigation_activity": w.activity,
                "vintage": 2024,
                "quantity": 1,
            },
            "/api/v1/parties/XXA/authorization-links": {
                "account": w["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 1},
            },
            "/api/v1/parties/XXA/transfers": {
                "source_account": w["XXA Party amo_holding"],
                "destination_account": w["XXA Green Group A amo_holding"],
                "units": units,
            },
            "/api/v1/parties/XXA/international-transfers": {
                "source_account": w["XXA Party amo_holding"],
                "destination_account": w["XXC Party itmo_holding"],
                "units": units,
            },
            "/api/v1/parties/XXA/external-transfers": {
                "source_account": w["XXA Party amo_holding"],
                "acquiring_registry": "XXB01",
                "acquiring_account": "XXB01-2-1",
                "acquiring_party": "XXB",
                "units": units,
            },
            "/api/v1/parties/XXA/uses": {
                "source_account": w["XXA Party itmo_holding"],
                "ndc_year": 2025,
                "units": {"quantity": 1},
            },
            "/api/v1/parties/XXA/cancellations": {
                "source_account": w["XXA Party amo_holding"],
                "purpose": "voluntary",
                "units": units,
            },
            "/api/v1/unit-marks": {
                "registry_id": "XXA01",
                "serial_first": 1,
                "serial_last": 1,
                "inconsistency_code": "IPC01",
                "reason": f"matrix {name}",
            },
            "/api/v1/unit-marks/1/lift": {"reason": "matrix"},
            "/api/v1/joining-requests/1/review": {"decision": "decline", "reason": "matrix"},
            "/api/v1/parties/XXA/entity-applications/1/review": {
                "decision": "decline",
                "reason": "matrix",
            },
            "/api/v1/parties/XXA/section-status": {"status": "open", "reason": "matrix"},
            "/api/v1/mechanism-pulls": {"by": "serial", "first": 1, "last": 10},
            "/api/v1/parties/XXA/first-transfer-records": {
                "account": w["XXA Party amo_holding"],
                "reason": "matrix",
                "units": units,
            },
        }
        body = bodies.get(path)
        if path.endswith("/statement"):
            path += "?start=2025-01-01&end=2026-12-31"
        if path.endswith(("/rejection", "/refusal")):
            body = {"reason": "not now"}
        if path.endswith("/acceptance-setting"):
            body = {"acceptance_days": None}
        return path, body

    def delegate_all(self, delegated: bool) -> None:
        """XXA delegates every kind to the secretariat (the `delegated_secretariat` column), or
        revokes every delegation in force (the `secretariat` column)."""
        registry = self.api.registry
        in_force = {
            d.kind for d in delegations.delegations_of(registry, XXA_ADMIN, "XXA") if d.in_force
        }
        for kind in Delegable:
            change = DelegationChange(party="XXA", kind=kind)
            if delegated and kind not in in_force:
                delegations.delegate(registry, XXA_ADMIN, change)
            elif not delegated and kind in in_force:
                delegations.revoke(registry, XXA_ADMIN, change)

    def call(self, caller: Caller | None, method: str, path: str, body: Any) -> Any:
        headers = caller.headers if caller else {}
        response = self.api.client.request(method, path, json=body, headers=headers)
        if method == "DELETE" and path.endswith("/role"):  # give the role back for the next
            self.api["secretariat.admin"].put("/api/v1/users/matrix.wide/role", {"role": "auditor"})
            self.api["xxa.admin"].put(
                "/api/v1/parties/XXA/users/matrix.target/role", {"role": "auditor"}
            )
        if method == "POST" and path.endswith("/disable"):  # enabled again for the next
            self.api["secretariat.admin"].post("/api/v1/users/matrix.wide/enable", {})
            self.api["xxa.admin"].post("/api/v1/parties/XXA/users/matrix.target/enable", {})
        return response


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_with_every_role_is_allowed_or_denied_as_the_matrix_says(world: HttpWorld):
    matrix = Matrix(world)
    api = world.api
    wrong: list[str] = []
    for rule in RULES:
        if rule.allowed is EVERYONE:
            continue  # sign-in and the catalogue read no credentials; tested on their own
        for column in COLUMNS:
            user = USERS.get(column)
            caller = api.callers[user] if user else None
            if rule.delegation is not None and column in ("secretariat", "delegated_secretariat"):
                matrix.delegate_all(column == "delegated_secretariat")
            path, body = matrix.request(rule.method, rule.path, column)
            response = matrix.call(caller, rule.method, path, body)
            status = response.status_code
            checks = (
                {c["check"] for c in response.json().get("checks", [])}
                if (status >= 400)
                else set()
            )
            if rule.expects(column):
                # allowed: the access decision passed (a business check may still refuse)
                fine = status < 500 and status not in (401, 403)
            elif column == "anonymous":
                fine = status == 401 and checks == {"C4009"}
            else:
                fine = status == 403 and bool(checks & DENIAL_CHECKS)
            if not fine:
                wrong.append(f"{rule.method} {rule.path} as {column}: {status} {response.text}")
            if rule.path in ("/api/v1/tokens/current", "/api/v1/session") and user:
                api.sign_in(user)  # that call ended the caller's own token
    assert wrong == []
    assert ok(api["secretariat.admin"].get("/api/v1/verification"), 200)["sound"] is True


def test_the_open_routes_need_no_sign_in(api: Api):
    assert api.client.get("/api/v1/health").status_code == 200
    assert {c["code"] for c in api.client.get("/api/v1/checks").json()} >= {"C1001", "C4006"}
    assert api.client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
    assert rule_for("POST", "/api/v1/tokens") is not None


def test_xxa_can_neither_read_nor_act_on_xxc_by_any_route_or_parameter(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    xxc_account = world["XXC Party itmo_holding"]
    for path in (
        "/api/v1/parties/XXC/accounts",
        "/api/v1/parties/XXC/holdings",
        "/api/v1/parties/XXC/blocks",
        "/api/v1/parties/XXC/transactions",
        "/api/v1/parties/XXC/journal",
        f"/api/v1/parties/XXC/accounts/{xxc_account}",
        "/api/v1/parties/XXC/entities",
        "/api/v1/parties/XXC/users",
    ):
        response = xxa.get(path)
        assert response.status_code == 403, path
        assert response.json()["checks"][0]["check"] == "C4006"
    # naming XXC's records through XXA's own section
    assert xxa.get(f"/api/v1/parties/XXA/accounts/{xxc_account}").status_code in (403, 404)
    for query in (f"account={xxc_account}", "cooperative_approach=CA0001"):
        for listing in ("blocks", "holdings"):
            found = ok(xxa.get(f"/api/v1/parties/XXA/{listing}?{query}"), 200)
            items = found["items"] if isinstance(found, dict) else found
            assert all(item["account"] != xxc_account for item in items)
    green_c = world["XXC Green C Entity itmo_holding"]
    moved = xxa.post(
        "/api/v1/parties/XXA/transfers",
        {"source_account": green_c, "destination_account": xxc_account, "units": {"quantity": 1}},
    )
    assert moved.status_code == 403
    assert moved.json()["checks"][0]["check"] == "C4006"
    status = xxa.post(f"/api/v1/parties/XXA/accounts/{xxc_account}/status", {"status": "blocked"})
    assert status.status_code == 403
    granted = xxa.put("/api/v1/parties/XXC/users/xxa.user/role", {"role": "administrator"})
    assert granted.status_code == 403
    entity = xxa.post(
        "/api/v1/parties/XXA/entities/XXC-E0001/status",
        {"cooperative_approach": "CA0001", "status": "suspended"},
    )
    assert entity.status_code == 403
    assert ok(world.api["xxc.admin"].get("/api/v1/parties/XXC/accounts"), 200)
    accounts = ok(world.api["xxc.admin"].get("/api/v1/parties/XXC/accounts"), 200)
    assert {a["status"] for a in accounts} == {"open"}


def test_an_entity_sees_only_its_own_accounts_and_what_moved_them(world: HttpWorld):
    green = world.api["green.group.a"]
    own = world["XXA Green Group A amo_holding"]
    ok(
        world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 100},
            },
        )
    )
    ok(
        world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": own,
                "units": {"quantity": 40},
            },
        )
    )
    accounts = ok(green.get("/api/v1/parties/XXA/accounts"), 200)
    assert {a["holder"] for a in accounts} == {"XXA-E0001", "PARTY"}
    assert all(
        a["holder"] == "XXA-E0001" or a["kind"].endswith(("_use", "_cancellation"))
        for a in accounts
    )
    holdings = ok(green.get("/api/v1/parties/XXA/holdings"), 200)
    assert holdings == [
        {
            "account": own,
            "kind": "amo_holding",
            "cooperative_approach": "CA0001",
            "vintage": 2024,
            "state": "AMO",
            "quantity": 40,
        }
    ]
    seen = ok(green.get("/api/v1/parties/XXA/transactions"), 200)["items"]
    assert [t["kind"] for t in seen] == ["internal_transfer"]
    assert (
        green.get(f"/api/v1/parties/XXA/accounts/{world['XXA Party amo_holding']}").status_code
        == 403
    )
    assert green.get("/api/v1/parties/XXA/journal").status_code == 403
    assert green.get("/api/v1/parties/XXC/accounts").status_code == 403
