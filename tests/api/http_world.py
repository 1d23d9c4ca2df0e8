"""Driving the registry purely over HTTP, as an API client would: enrol a second factor, sign
in for a bearer token, then call `/api/v1/...`. Also builds the seed's world that way."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from article6.demo import world as demo
from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.services import commands as c
from article6.services import identity
from article6.services.context import Registry


class Clock:
    """The registry's clock in tests: moves only when told (a TOTP code is single-use per
    30-second step, so each sign-in moves it on)."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float = totp.STEP_SECONDS) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class Caller:
    """One signed-in user's HTTP client."""

    client: TestClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if hasattr(body, "model_dump"):
            body = body.model_dump(mode="json", exclude_none=True)
        return self.client.post(path, json=body, headers=headers, **kwargs)

    def put(self, path: str, body: Any = None) -> httpx.Response:
        return self.client.put(path, json=body, headers=self.headers)

    def delete(self, path: str) -> httpx.Response:
        return self.client.delete(path, headers=self.headers)


@dataclass
class Api:
    client: TestClient
    registry: Registry
    clock: Clock
    passwords: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    callers: dict[str, Caller] = field(default_factory=dict)

    def bootstrap_secretariat(self, name: str = "secretariat.admin") -> Caller:
        """The very first user is made outside the API (as `article6 users create` does)."""
        password = secrets.token_urlsafe(16)
        identity.create_user(
            self.registry,
            Actor("installer", Role.SECRETARIAT),
            identity.CreateUser(name=name, display_name="Secretariat", password=password),
        )
        identity.grant_role(
            self.registry,
            Actor("installer", Role.SECRETARIAT),
            name,
            identity.GrantRole(role=Role.SECRETARIAT),
        )
        self.passwords[name] = password
        self.enrol(name)
        return self.sign_in(name)

    def code(self, name: str) -> str:
        self.clock.advance()
        return totp.code_at(self.secrets[name], self.clock())

    def enrol(self, name: str) -> str:
        password = self.passwords[name]
        started = self.client.post("/api/v1/enrolment", json={"name": name, "password": password})
        assert started.status_code == 201, started.text
        self.secrets[name] = started.json()["secret"]
        confirmed = self.client.post(
            "/api/v1/enrolment/confirmation",
            json={"name": name, "password": password, "code": self.code(name)},
        )
        assert confirmed.status_code == 200, confirmed.text
        return self.secrets[name]

    def sign_in(self, name: str) -> Caller:
        response = self.client.post(
            "/api/v1/tokens",
            json={"name": name, "password": self.passwords[name], "code": self.code(name)},
        )
        assert response.status_code == 201, response.text
        self.callers[name] = Caller(self.client, response.json()["token"])
        return self.callers[name]

    def add_user(
        self,
        by: str,
        name: str,
        role: Role,
        party: str | None = None,
        entity: str | None = None,
    ) -> Caller:
        """`by` creates the user over HTTP; the user enrols and signs in over HTTP."""
        password = secrets.token_urlsafe(16)
        self.passwords[name] = password
        creator = self.callers[by]
        user = {"name": name, "display_name": name, "password": password}
        if party is None:
            assert creator.post("/api/v1/users", user).status_code == 201
            granted = creator.put(f"/api/v1/users/{name}/role", {"role": role.value})
        else:
            granted = creator.post(
                f"/api/v1/parties/{party}/users", {**user, "role": role.value, "entity": entity}
            )
        assert granted.status_code in (200, 201), granted.text
        self.enrol(name)
        return self.sign_in(name)

    def __getitem__(self, name: str) -> Caller:
        return self.callers[name]


@dataclass
class HttpWorld:
    api: Api
    accounts: dict[str, str]
    activity: str

    def __getitem__(self, name: str) -> str:
        return self.accounts[name]


def ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def account_names(api: Api) -> dict[str, str]:
    found = {}
    for party, user in (("XXA", "xxa.admin"), ("XXC", "xxc.admin")):
        for account in ok(api[user].get(f"/api/v1/parties/{party}/accounts"), 200):  # type: ignore[union-attr]
            holder = "Party" if account["holder"] == "PARTY" else account["entity_name"]
            found[f"{party} {holder} {account['kind']}"] = account["identifier"]
    return found


def holdings(api: Api) -> dict[str, int]:
    found = {}
    for party, user in (("XXA", "xxa.admin"), ("XXC", "xxc.admin")):
        response = api[user].get(f"/api/v1/parties/{party}/accounts")
        assert response.status_code == 200
        for account in response.json():
            holder = "Party" if account["holder"] == "PARTY" else account["entity_name"]
            found[f"{party} {holder} {account['kind']}"] = account["quantity"]
    return found


def build_world(api: Api, everyone: bool = True) -> HttpWorld:
    """The seed's world (demo.build_world), every step over HTTP, and a user per role (only
    the secretariat and the two administrators unless `everyone`)."""
    secretariat = api.bootstrap_secretariat()
    parties = (("XXA", "Party XXA", True), ("XXC", "Party XXC", True), ("XXB", "Party XXB", False))
    for code, name, section in parties:
        ok(
            secretariat.post(
                "/api/v1/parties",
                c.RegisterParty(
                    code=code,
                    name=name,
                    ndc_first_year=2021,
                    ndc_last_year=2030,
                    open_section=section,
                ),
            )
        )
    ok(
        secretariat.post(
            "/api/v1/cooperative-approaches",
            c.RegisterCooperativeApproach(
                id=demo.APPROACH,
                name="XXA-XXC Clean Energy Cooperation",
                participating_parties=["XXA", "XXC", "XXB"],
            ),
        )
    )
    api.add_user("secretariat.admin", "xxa.admin", Role.ADMINISTRATOR, "XXA")
    api.add_user("secretariat.admin", "xxc.admin", Role.ADMINISTRATOR, "XXC")
    if everyone:
        api.add_user("secretariat.admin", "auditor", Role.AUDITOR)
    xxa, xxc = api["xxa.admin"], api["xxc.admin"]
    entity = {
        "country_of_incorporation": "XXA",
        "cooperative_approach": demo.APPROACH,
        "date_of_authorization": "2025-03-01",
    }
    ok(
        xxa.post(
            "/api/v1/parties/XXA/entities",
            {**entity, "name": "Green Group A", "identification_number": "A-1001"},
        )
    )
    ok(
        xxc.post(
            "/api/v1/parties/XXC/entities",
            {
                **entity,
                "country_of_incorporation": "XXC",
                "name": "Green C Entity",
                "identification_number": "C-2002",
                "date_of_authorization": "2025-03-15",
            },
        )
    )
    if everyone:
        api.add_user("xxa.admin", "xxa.user", Role.PARTY_USER, "XXA")
        api.add_user("xxa.admin", "xxa.auditor", Role.AUDITOR, "XXA")
        api.add_user("xxa.admin", "green.group.a", Role.ENTITY, "XXA", "XXA-E0001")
        api.add_user("xxc.admin", "green.c.entity", Role.ENTITY, "XXC", "XXC-E0001")
    activity = ok(
        xxa.post(
            "/api/v1/parties/XXA/mitigation-activities",
            {
                "title": "XXA Solar Park",
                "cooperative_approach": demo.APPROACH,
                "sector": "Energy generation",
                "activity_type": "Solar",
                "mitigation_type": "Emission reductions",
                "underlying_registry": "GS",
                "underlying_first": 500_001,
                "underlying_last": 900_000,
            },
        )
    )["record"]
    authorization = {
        "date_of_authorization": "2025-04-01",
        "cooperative_approach": demo.APPROACH,
        "sectors": ["Energy generation"],
        "activity_types": ["Solar"],
    }
    ok(
        xxa.post(
            "/api/v1/parties/XXA/authorizations",
            {
                **authorization,
                "authorization_id": demo.NDC_AUTHORIZATION,
                "purposes": "NDC",
                "authorized_parties": ["XXC"],
                "authorized_quantity": 60_000,
                "timeframe_first": 2021,
                "timeframe_last": 2030,
            },
        )
    )
    ok(
        xxa.post(
            "/api/v1/parties/XXA/authorizations",
            {
                **authorization,
                "authorization_id": demo.CORSIA_AUTHORIZATION,
                "purposes": "OIMP",
                "oimp_authorized": "CORSIA",
                "first_transfer_definition": "Use or Cancellation",
            },
        )
    )
    ok(
        xxa.post(
            "/api/v1/parties/XXA/issuances",
            {"mitigation_activity": activity, "vintage": 2024, "quantity": demo.ISSUED},
        )
    )
    return HttpWorld(api, account_names(api), activity)
