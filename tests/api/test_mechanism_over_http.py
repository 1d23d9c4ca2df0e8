"""Pull and view over the API, from the side of whoever crosses a boundary: a Party's user pulls
for their own Party only (naming another is refused, naming none is their own), another
section's administrator cannot read that pull nor find it in a list, an entity's representative
and an auditor pull nothing, and a registry that is not on the hub says so."""

from __future__ import annotations

from http_world import HttpWorld, ok
from sqlalchemy import select

from article6.demo.world import SECRETARIAT
from article6.domain.protocol import Role as NodeRole
from article6.interop import directory
from article6.services.reads.ledger import journal
from article6.store.database import unit_of_work
from article6.store.interop_schema import outbox

PULL = {"by": "serial", "first": 1, "last": 100}


def on_the_hub(world: HttpWorld) -> None:
    registry = world.api.registry
    directory.establish(registry.engine, "IR", NodeRole.INTERNATIONAL, registry.now())


def checks_of(response: object) -> set[str]:
    return {c["check"] for c in response.json()["checks"]}  # type: ignore[attr-defined]


def test_a_registry_not_on_the_hub_refuses_to_pull(world: HttpWorld):
    refused = world.api["secretariat.admin"].post("/api/v1/mechanism-pulls", PULL)
    assert refused.status_code == 422 and checks_of(refused) == {"C4005"}
    assert "not on the hub" in refused.json()["detail"]


def test_a_partys_user_pulls_for_their_own_party_and_others_cannot_read_it(world: HttpWorld):
    on_the_hub(world)
    api = world.api
    asked = ok(api["xxa.user"].post("/api/v1/mechanism-pulls", PULL))
    assert asked["party"] == "XXA" and asked["status"] == "requested"
    assert asked["answer"] is None and asked["query"]["first"] == 1
    query_id = asked["query_id"]

    read = ok(api["xxa.auditor"].get(f"/api/v1/mechanism-pulls/{query_id}"), 200)
    assert read["status"] == "requested" and read["overdue"] is False
    listed = ok(api["xxa.admin"].get("/api/v1/mechanism-pulls"), 200)
    assert [p["query_id"] for p in listed] == [query_id]
    assert query_id in {
        p["query_id"] for p in ok(api["auditor"].get("/api/v1/mechanism-pulls"), 200)
    }

    with unit_of_work(api.registry.engine, read_only=True) as connection:
        sent = connection.execute(select(outbox.c.message_type, outbox.c.to_registry)).all()
    assert [tuple(m) for m in sent] == [("MechanismHoldingsQuery", "HUB")]
    entries = journal(api.registry, SECRETARIAT, None, limit=500).items
    assert entries[-1].event == "MechanismPullRequested" and entries[-1].party == "XXA"

    other = api["xxc.admin"]
    denied = other.get(f"/api/v1/mechanism-pulls/{query_id}")
    assert denied.status_code == 403 and checks_of(denied) == {"C5005"}
    unknown = other.get("/api/v1/mechanism-pulls/no-such-pull")
    assert unknown.status_code == 403 and unknown.json()["detail"].startswith("C5005 query_id")
    assert ok(other.get("/api/v1/mechanism-pulls"), 200) == []


def test_nobody_pulls_outside_their_scope(world: HttpWorld):
    on_the_hub(world)
    api = world.api
    smuggled = api["xxa.user"].post("/api/v1/mechanism-pulls", {**PULL, "party": "XXC"})
    assert smuggled.status_code == 403 and checks_of(smuggled) == {"C5005"}
    assert smuggled.json()["checks"][0]["field"] == "party"
    for reader in ("xxa.auditor", "auditor", "green.group.a"):
        refused = api[reader].post("/api/v1/mechanism-pulls", PULL)
        assert refused.status_code == 403 and checks_of(refused) == {"C5005"}, reader
    entity = api["green.group.a"].get("/api/v1/mechanism-pulls")
    assert entity.status_code == 403 and checks_of(entity) == {"C5005"}
    with unit_of_work(api.registry.engine, read_only=True) as connection:
        assert connection.execute(select(outbox.c.message_type)).all() == []


def test_the_secretariat_pulls_registry_wide_and_a_bad_selector_names_its_field(world: HttpWorld):
    on_the_hub(world)
    api = world.api
    wide = ok(api["secretariat.admin"].post("/api/v1/mechanism-pulls", PULL))
    assert wide["party"] is None
    assert ok(api["xxa.admin"].get("/api/v1/mechanism-pulls"), 200) == []
    backwards = api["secretariat.admin"].post(
        "/api/v1/mechanism-pulls", {"by": "serial", "first": 10, "last": 1, "party": "XXA"}
    )
    assert backwards.status_code == 422, backwards.text
    assert {c["field"] for c in backwards.json()["checks"]} & {"first", "last"}
