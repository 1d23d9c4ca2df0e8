"""Where units are, asked of the hub and answered at once (protocol 1.3).

A registry about to record units the hub never saw move (a Party's imported history) asks
whether any of them is held or issued in another registry. Unlike every other message, the
question is answered in the HTTP reply (`POST /interop/v1/unit-locations`): the import is one
command that must know before it records. The question is checked as any message on receipt
(C6001-C6007, the inbox deduplicates it) and journaled by the hub; the answer is a message the
hub signs, and the asking registry believes it only if the hub's key signed it, for it, freshly
(C6120), and it answers exactly the ranges asked (C6119, `domain.unit_locations`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.messages import (
    AskedRange,
    Elsewhere,
    Envelope,
    LocatedRange,
    UnitLocationAnswer,
    UnitLocationQuery,
)
from article6.domain.protocol import HUB, Range, message_age, uncovered
from article6.domain.unit_locations import HubWord, check_answer
from article6.domain.wording import words
from article6.interop import directory
from article6.interop.directory import Identity, Peer
from article6.interop.envelope import seal, verify
from article6.interop.schemas import validate_wire
from article6.services.context import Registry
from article6.services.external_transfer_status import HUB_ACTOR
from article6.services.journal import log
from article6.store import hub_register, registry_directory
from article6.store.database import unit_of_work

LOCATIONS_PATH = "/interop/v1/unit-locations"
ISSUED = "issued"
IN_TRANSIT = "in transit"

Post = Callable[[Peer, dict[str, Any]], tuple[int, Any]]
"""Carries the signed question to the hub and returns the HTTP status and the JSON reply."""


# The hub's side ------------------------------------------------------------------------------


def answer_query(
    connection: Connection,
    registry: Registry,
    sender: str,
    query: UnitLocationQuery,
    now: datetime,
) -> UnitLocationAnswer:
    """Each asked range with the parts of it the hub records in another registry, or that a
    registry issuing under its code never reported leaving; journaled."""
    if query.requesting_registry != sender:
        raise refuse(
            Check.C6002,
            "requesting_registry",
            words("sent by {sender}, not by it", sender=sender),
        )
    issuers = {
        code: peer.registry_id for peer in directory.peers(connection) for code in peer.issuer_codes
    }
    located = [_locate(connection, sender, asked, issuers) for asked in query.ranges]
    answer = UnitLocationAnswer(
        query_id=query.query_id, addressee=sender, answered_at=now, ranges=located
    )
    log(
        connection,
        registry,
        HUB_ACTOR,
        "UnitLocationQueryAnswered",
        None,
        query.query_id,
        {
            "requesting_registry": sender,
            "purpose": query.purpose,
            "ranges": len(query.ranges),
            "elsewhere": [
                f"{r.originating_registry}-{e.first}-{e.last} {e.state} in {e.registry}"
                for r in located
                for e in r.elsewhere
            ][:100],
        },
    )
    return answer


def _locate(
    connection: Connection, sender: str, asked: AskedRange, issuers: dict[str, str]
) -> LocatedRange:
    wanted = Range(asked.originating_registry, asked.first, asked.last)
    known = hub_register.overlapping(connection, wanted)
    elsewhere = [
        Elsewhere(
            registry=k.registry,
            first=max(k.range.first, wanted.first),
            last=min(k.range.last, wanted.last),
            state=IN_TRANSIT if k.transaction_id else k.state,
        )
        for k in known
        if k.registry != sender
    ]
    issuer = issuers.get(asked.originating_registry)
    if issuer is not None and issuer != sender:
        # Units of a code another registry issues under that the hub never saw leave it.
        elsewhere += [
            Elsewhere(registry=issuer, first=gap.first, last=gap.last, state=ISSUED)
            for gap in uncovered(wanted, [k.range for k in known])
        ]
    elsewhere.sort(key=lambda e: e.first)
    return LocatedRange(
        originating_registry=asked.originating_registry,
        first=asked.first,
        last=asked.last,
        elsewhere=elsewhere[:1000],
    )


def sealed_answer(
    identity: Identity, answer: UnitLocationAnswer, in_reply_to: str, now: datetime
) -> dict[str, Any]:
    """The hub's answer as a signed message to the registry that asked."""
    envelope = Envelope(
        message_type="UnitLocationAnswer",
        message_id=str(uuid.uuid4()),
        from_registry=identity.registry_id,
        to_registry=answer.addressee,
        sent_at=now,
        in_reply_to=in_reply_to,
    ).model_dump(mode="json", exclude_none=True)
    wire = seal(envelope, answer.model_dump(mode="json"), identity.key)
    validate_wire(wire)
    return wire


# The asking registry's side ------------------------------------------------------------------


def _http_post(peer: Peer, wire: dict[str, Any]) -> tuple[int, Any]:
    import httpx

    response = httpx.post(peer.base_url.rstrip("/") + LOCATIONS_PATH, json=wire, timeout=60.0)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


class HubQuestion:
    """Asks the hub this registry's directory names; a callable the history import is given.

    It answers `HubWord(answer)` with an answer it checked, `HubWord(None, reason)` when it
    could not ask (no hub configured, unreachable, a hub before 1.3, the question refused), and
    refuses (C6119, C6120) an answer it cannot believe."""

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime], post: Post = _http_post
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.post = post

    def __call__(self, ranges: list[AskedRange]) -> HubWord:
        with unit_of_work(self.engine, read_only=True) as connection:
            row = registry_directory.identity(connection)
            hub = directory.peer(connection, HUB)
        if row is None or hub is None or not hub.connected:
            return HubWord(None, words("no hub is configured for this registry"))
        from article6.domain.keys import KeyPair
        from article6.domain.protocol import Role

        identity = Identity(row.registry_id, Role(row.role), KeyPair.from_text(row.private_key))
        now = self.clock()
        query = UnitLocationQuery(
            query_id=str(uuid.uuid4()),
            requesting_registry=identity.registry_id,
            ranges=ranges,
            asked_at=now,
        )
        message_id = str(uuid.uuid4())
        envelope = Envelope(
            message_type="UnitLocationQuery",
            message_id=message_id,
            from_registry=identity.registry_id,
            to_registry=HUB,
            sent_at=now,
        ).model_dump(mode="json", exclude_none=True)
        wire = seal(envelope, query.model_dump(mode="json"), identity.key)
        validate_wire(wire)
        try:
            status, reply = self.post(hub, wire)
        except Exception as error:  # any transport failure: the hub could not be asked
            technical = (type(error).__name__ + ": " + str(error))[:300]
            return HubWord(None, words("the hub could not be reached: {error}", error=technical))
        if status == 404:
            return HubWord(
                None, words("the hub does not answer where units are (a hub before protocol 1.3)")
            )
        if isinstance(reply, dict) and "result" in reply and "envelope" not in reply:
            found = "; ".join(
                f"{e.get('code')} {e.get('detail')}"
                for e in reply.get("evaluation", [])
                if isinstance(e, dict)
            )
            return HubWord(
                None,
                words(
                    "the hub did not take the question: {checks}",
                    checks=found or str(reply.get("result")),
                ),
            )
        if status != 200:
            return HubWord(None, words("the hub answered HTTP {status}", status=status))
        answer = believe(reply, hub, identity.registry_id, message_id, self.clock())
        check_answer(query, answer, identity.registry_id)
        return HubWord(answer)


def believe(
    reply: Any, hub: Peer, asker: str, message_id: str, now: datetime
) -> UnitLocationAnswer:
    """The answer in `reply`, if the hub's key signed it for `asker`, freshly, in reply to the
    question `message_id` (C6120); one that does not read as an answer is C6119."""
    if not isinstance(reply, dict):
        raise refuse(Check.C6120, "answer", words("the hub's reply is not a signed message"))
    try:
        verify(reply, hub.public_key)
    except CommandRefused:
        raise refuse(
            Check.C6120, "signature", words("the answer is not signed with the hub's key")
        ) from None
    try:
        message_type = validate_wire(reply)
        envelope = Envelope.model_validate(reply["envelope"])
        answer = UnitLocationAnswer.model_validate(reply["body"])
    except (CommandRefused, ValueError):
        raise refuse(
            Check.C6119, "answer", words("the reply does not read as an answer where units are")
        ) from None
    if message_type != "UnitLocationAnswer" or envelope.in_reply_to != message_id:
        raise refuse(
            Check.C6119,
            "envelope.in_reply_to",
            words("the reply does not answer this question"),
        )
    if envelope.from_registry != HUB or envelope.to_registry != asker:
        raise refuse(
            Check.C6120,
            "envelope",
            words(
                "from {from_registry} to {to_registry}, not from the hub to this registry",
                from_registry=envelope.from_registry,
                to_registry=envelope.to_registry,
            ),
        )
    try:
        message_age(envelope.sent_at, now)
    except CommandRefused as stale:
        raise CommandRefused(
            [type(r)(Check.C6120, r.field, r.detail) for r in stale.refusals]
        ) from None
    return answer
