"""The history import asks the hub whether any unit it ends with is held or issued in another
registry (C7012, protocol 1.3), and believes only the hub's own answer to its own question
(C6119, C6120). Written from the hostile side: a hub that answers for other ranges, leaves one
out or places units outside what was asked; an answer unsigned, signed by another key,
addressed to another registry or stale; a hub that cannot be asked. Each refused import changes
nothing; an import that passes conserves its units."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from history_world import AFTER, Clock, HistoryFiles, build_history, target_world
from small_world import block_rows, journal_count

from article6.demo.world import SECRETARIAT
from article6.domain.checks import CommandRefused
from article6.domain.keys import KeyPair
from article6.domain.messages import Ack, AckResult, AskedRange
from article6.domain.protocol import Range, Role
from article6.interop import directory, register
from article6.interop.directory import Peer
from article6.interop.envelope import seal
from article6.interop.hub import Hub
from article6.interop.node import RegistryNode
from article6.interop.unit_locations import HubQuestion
from article6.services.context import Registry
from article6.services.history_import import import_history
from article6.store import journal, verify
from article6.store.database import make_engine, unit_of_work

REQUEST = "XXA letter 2030/14"
Reply = tuple[int, Any]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> HistoryFiles:
    return build_history(tmp_path_factory.mktemp("history"), sqlite_template)


class Connected:
    """The IR (the import's target) and a hub, on one clock, the hub's directory holding the
    IR and XXB's registry; `ask` carries a question to the hub, through `tamper` if set."""

    def __init__(self, target: Registry, hub: Hub, clock: Clock) -> None:
        self.target, self.hub, self.clock = target, hub, clock
        self.tamper: Callable[[dict[str, Any]], Reply] | None = None
        self.asked: list[list[AskedRange]] = []

    def post(self, peer: Peer, wire: dict[str, Any]) -> Reply:
        self.asked.append([AskedRange.model_validate(r) for r in wire["body"]["ranges"]])
        reply = self.hub.answer_locations(wire)
        if isinstance(reply, Ack):
            return (422 if reply.result is AckResult.INVALID else 200), reply.model_dump(
                mode="json"
            )
        return self.tamper(reply) if self.tamper else (200, reply)

    def question(self) -> HubQuestion:
        return HubQuestion(self.target.engine, self.clock, post=self.post)

    def resign(self, wire: dict[str, Any], key: KeyPair | None = None) -> dict[str, Any]:
        return seal(wire["envelope"], wire["body"], key or self.hub.identity.key)

    def place(self, where: Range, registry: str) -> None:
        with unit_of_work(self.hub.registry.engine) as connection:
            register.place(connection, where, registry)


@pytest.fixture
def connected(registry: Registry, sqlite_template: Path, tmp_path: Path) -> Connected:
    target_world(registry)
    clock = Clock(AFTER)
    target = Registry(registry.engine, clock=clock)
    shutil.copy(sqlite_template, tmp_path / "hub.db")
    hub_engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    hub = Hub.open(Registry(hub_engine, clock=clock))
    ir = RegistryNode.open(target, "IR", Role.INTERNATIONAL)
    directory.add_peer(
        hub_engine, "IR", Role.INTERNATIONAL, ir.identity.public_key, "", clock(), ("XXA01",)
    )
    directory.add_peer(
        hub_engine,
        "XXB01",
        Role.NATIONAL,
        KeyPair.generate().public_text,
        "",
        clock(),
        ("XXB01",),
    )
    ir.connect_hub(hub.identity.public_key, "loopback://HUB")
    yield Connected(target, hub, clock)
    hub_engine.dispose()


def attempt(connected: Connected, history: HistoryFiles, **options: Any) -> Any:
    return import_history(
        connected.target,
        SECRETARIAT,
        "XXA",
        history.xlsx(),
        REQUEST,
        ask_hub=connected.question(),
        **options,
    )


def refusals(
    connected: Connected, history: HistoryFiles, **options: Any
) -> list[tuple[str, str, str]]:
    before = block_rows(connected.target), journal_count(connected.target)
    with pytest.raises(CommandRefused) as refused:
        attempt(connected, history, **options)
    assert (block_rows(connected.target), journal_count(connected.target)) == before
    return [(r.check.code, r.field, r.detail) for r in refused.value.refusals]


def journal_bodies(registry: Registry, event: str) -> list[Any]:
    """The bodies of a kind of journal entry, sealed or still waiting for the sealer."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = connection.exec_driver_sql(
            "SELECT event, body FROM journal_pending UNION ALL SELECT event, body FROM journal"
        ).all()
    return [json.loads(body) if isinstance(body, str) else body for e, body in rows if e == event]


def test_the_hub_is_asked_and_an_import_it_clears_is_recorded_whole(
    connected: Connected, history: HistoryFiles
) -> None:
    view = attempt(connected, history)
    assert view.recorded and view.held_units == 400
    assert view.hub_check is not None and view.hub_check.asked and not view.hub_check.warning
    (asked,) = connected.asked
    assert sum(r.last - r.first + 1 for r in asked) == 400  # every held unit asked about
    (holdings,) = journal_bodies(connected.target, "HistoryHoldingsImported")
    assert holdings["hub_check"]["asked"] is True and len(holdings["hub_check"]["query_ids"]) == 1
    (answered,) = journal_bodies(connected.hub.registry, "UnitLocationQueryAnswered")
    assert answered["requesting_registry"] == "IR" and answered["elsewhere"] == []
    journal.seal(connected.target.engine)  # the sealer's round may be a moment away
    with unit_of_work(connected.target.engine, read_only=True) as connection:
        assert verify.everything(connection) == []  # conservation of the imported units


def test_units_the_hub_knows_in_another_registry_refuse_the_import_whole(
    connected: Connected, history: HistoryFiles
) -> None:
    attempt(connected, history, dry_run=True)
    first = connected.asked[0][0]
    connected.place(Range(first.originating_registry, first.first, first.first + 9), "XXB01")
    found = refusals(connected, history)
    assert [code for code, _, _ in found] == ["C7012"]
    ((_, field, detail),) = found
    assert field.startswith("xxa-2029.xlsx, sheet ") and " row " in field
    assert f"serials {first.first}-{first.first + 9} are held in XXB01" in detail
    # A dry run runs the same check and is refused the same way.
    assert refusals(connected, history, dry_run=True) == found


def test_units_of_a_code_another_registry_issues_under_are_issued_there(
    connected: Connected, history: HistoryFiles
) -> None:
    attempt(connected, history, dry_run=True)
    first = connected.asked[0][0]
    # The hub's directory now says XXB01's registry issues under the history's code.
    hub_engine = connected.hub.registry.engine
    with unit_of_work(connected.target.engine, read_only=True) as connection:
        ir_key = directory.peer(connection, "HUB")
    ir = RegistryNode.open(connected.target, "IR", Role.INTERNATIONAL)
    assert ir_key is not None
    directory.add_peer(hub_engine, "IR", Role.INTERNATIONAL, ir.identity.public_key, "", AFTER)
    directory.add_peer(
        hub_engine,
        "XXB01",
        Role.NATIONAL,
        KeyPair.generate().public_text,
        "",
        AFTER,
        ("XXB01", first.originating_registry),
    )
    found = refusals(connected, history)
    assert found and {code for code, _, _ in found} == {"C7012"}
    assert all(" are issued in XXB01" in detail for _, _, detail in found)


def _shifted(wire: dict[str, Any]) -> dict[str, Any]:
    wire["body"]["ranges"][0]["last"] += 1000
    return wire


def _dropped(wire: dict[str, Any]) -> dict[str, Any]:
    wire["body"]["ranges"].pop()
    return wire


def _outside(wire: dict[str, Any]) -> dict[str, Any]:
    asked = wire["body"]["ranges"][0]
    asked["elsewhere"] = [
        {
            "registry": "XXB01",
            "first": asked["last"] + 1,
            "last": asked["last"] + 5,
            "state": "held",
        }
    ]
    return wire


def _other_question(wire: dict[str, Any]) -> dict[str, Any]:
    wire["body"]["query_id"] = "00000000-0000-0000-0000-000000000000"
    return wire


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_shifted, "ranges"),
        (_dropped, "ranges"),
        (_outside, "ranges:"),
        (_other_question, "query_id"),
    ],
)
def test_an_answer_not_to_the_question_asked_is_refused_even_signed_by_the_hub(
    connected: Connected,
    history: HistoryFiles,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    field: str,
) -> None:
    """A hub answering for ranges not asked (or leaving one out, or placing units outside
    them) could slip a "nothing elsewhere" past the import: refused, C6119, nothing recorded."""
    connected.tamper = lambda wire: (200, connected.resign(change(wire)))
    found = refusals(connected, history)
    assert found[0][0] == "C6119" and found[0][1].startswith(field), found


def _unsigned(connected: Connected, wire: dict[str, Any]) -> dict[str, Any]:
    wire.pop("signature")
    return wire


def _forged(connected: Connected, wire: dict[str, Any]) -> dict[str, Any]:
    wire["body"]["ranges"][0]["elsewhere"] = []
    return connected.resign(wire, KeyPair.generate())


def _altered(connected: Connected, wire: dict[str, Any]) -> dict[str, Any]:
    wire["body"]["answered_at"] = wire["envelope"]["sent_at"]
    wire["body"]["ranges"][-1]["elsewhere"] = []
    wire["envelope"]["sent_at"] = "2030-02-01T09:00:01Z"  # bytes changed after signing
    return wire


def _for_another(connected: Connected, wire: dict[str, Any]) -> dict[str, Any]:
    wire["envelope"]["to_registry"] = "XXB01"
    return connected.resign(wire)


def _stale(connected: Connected, wire: dict[str, Any]) -> dict[str, Any]:
    wire["envelope"]["sent_at"] = (AFTER - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    return connected.resign(wire)


@pytest.mark.parametrize("change", [_unsigned, _forged, _altered, _for_another, _stale])
def test_an_answer_the_hub_did_not_sign_for_this_registry_now_is_refused(
    connected: Connected,
    history: HistoryFiles,
    change: Callable[[Connected, dict[str, Any]], dict[str, Any]],
) -> None:
    connected.tamper = lambda wire: (200, change(connected, wire))
    found = refusals(connected, history)
    assert [code for code, _, _ in found] == ["C6120"], found


def test_a_hub_that_cannot_be_asked_warns_the_dry_run_and_refuses_the_import(
    connected: Connected, history: HistoryFiles
) -> None:
    """A hub of protocol 1.2 has no such question (HTTP 404): the dry run says so, the import
    is refused unless the secretariat chooses to import without the hub, which is journaled."""
    connected.tamper = lambda wire: (404, {"detail": "Not Found"})
    dry = attempt(connected, history, dry_run=True)
    assert dry.hub_check is not None and dry.hub_check.warning and not dry.hub_check.asked
    assert "a hub before protocol 1.3" in dry.hub_check.said
    found = refusals(connected, history)
    assert [(code, field) for code, field, _ in found] == [("C7012", "hub")]
    view = attempt(connected, history, without_hub_check=True)
    assert view.recorded and view.hub_check is not None and view.hub_check.warning
    (holdings,) = journal_bodies(connected.target, "HistoryHoldingsImported")
    assert holdings["hub_check"]["asked"] is False
    assert holdings["hub_check"]["without_hub_check"] is True


def test_no_hub_configured_is_said_and_refused(registry: Registry, history: HistoryFiles) -> None:
    target_world(registry)
    target = Registry(registry.engine, clock=Clock(AFTER))
    with pytest.raises(CommandRefused) as refused:
        import_history(
            target,
            SECRETARIAT,
            "XXA",
            history.xlsx(),
            REQUEST,
            ask_hub=HubQuestion(target.engine, target.now),
        )
    ((check, field, detail),) = [(r.check.code, r.field, r.detail) for r in refused.value.refusals]
    assert (check, field) == ("C7012", "hub") and "no hub is configured" in detail


def test_the_hub_answers_only_the_registry_asking_for_itself(connected: Connected) -> None:
    """A question naming another asker is refused (C6002); one sent as an ordinary message,
    whose Ack could carry no answer, is refused too (C6119)."""
    answers: list[Any] = []

    def keep(wire: dict[str, Any]) -> Reply:
        answers.append(wire)
        return 200, wire

    connected.tamper = keep
    question = connected.question()
    asked = [AskedRange(originating_registry="XXA01", first=1, last=10)]
    word = question(asked)
    assert word.answer is not None and word.answer.ranges[0].elsewhere == []
    query_wire = None

    def capture(peer: Peer, wire: dict[str, Any]) -> Reply:
        nonlocal query_wire
        query_wire = wire
        return 404, None

    HubQuestion(connected.target.engine, connected.clock, post=capture)(asked)
    assert query_wire is not None
    as_message = connected.hub.receive(query_wire)
    assert as_message.result is AckResult.INVALID
    assert as_message.evaluation[0].code == "C6119"
    query_wire["body"]["requesting_registry"] = "XXB01"
    query_wire["envelope"]["message_id"] = "11111111-1111-1111-1111-111111111111"
    ir_key = KeyPair.from_text(_ir_private_key(connected.target))
    other = connected.hub.answer_locations(seal(query_wire["envelope"], query_wire["body"], ir_key))
    assert isinstance(other, Ack) and other.evaluation[0].code == "C6002"


def _ir_private_key(registry: Registry) -> str:
    from article6.store import registry_directory

    with unit_of_work(registry.engine, read_only=True) as connection:
        row = registry_directory.identity(connection)
    assert row is not None
    return row.private_key
