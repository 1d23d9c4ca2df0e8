"""Pull and view over the protocol (1.1): the hub forwards a registry's query to the Article 6.4
mechanism registry and its answer back; the mechanism registry signs what it answers; the
asking registry checks the answer before anything of it is shown.

The mechanism registry's signature covers the canonical JSON of `attested` (as a message's
covers its envelope and body), by the key the asking registry's directory holds for it, so the
hub that carries the answer cannot alter it (C6008). The hub forwards a query only from the
registry it names, to the connected mechanism registry, and an answer only to the registry that
asked, once (C6112).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection

from article6.domain.checks import Check, Refusal, refuse
from article6.domain.keys import signed_by
from article6.domain.mechanism_pulls import answer_refusals
from article6.domain.messages import (
    AttestedHoldings,
    MechanismHoldingsAnswer,
    MechanismHoldingsQuery,
)
from article6.domain.protocol import CLOCK_SKEW, HUB, Role
from article6.domain.wording import words
from article6.interop import directory
from article6.interop.directory import Identity
from article6.interop.envelope import canonical
from article6.services import mechanism_answers, mechanism_pulls, ports
from article6.services.context import Registry
from article6.services.external_transfer_status import HUB_ACTOR
from article6.services.journal import log
from article6.store import mechanism_pulls as pulls
from article6.store import signing_keys
from article6.store.database import aware
from article6.store.mechanism_pulls import PullRecord


def attestation_material(attested: AttestedHoldings) -> bytes:
    """The bytes the mechanism registry signs."""
    return canonical(attested.model_dump(mode="json"))


def answer(
    connection: Connection, identity: Identity, query: MechanismHoldingsQuery, now: datetime
) -> MechanismHoldingsAnswer:
    """The mechanism registry's signed answer to `query`, from its ledger as it stands."""
    attested = mechanism_answers.attested_holdings(connection, identity.registry_id, query, now)
    key = directory.signing_identity(connection, identity).key
    return MechanismHoldingsAnswer(
        attested=attested, signature=key.sign(attestation_material(attested))
    )


def on_query(
    connection: Connection,
    registry: Registry,
    identity: Identity,
    query: MechanismHoldingsQuery,
    now: datetime,
) -> None:
    """At the mechanism registry: answer through the hub, in the query's transaction, and
    journal what was answered to whom (`MechanismQueryAnswered`)."""
    if identity.role is not Role.MECHANISM:
        return  # only the mechanism registry answers; another registry ignores a query
    signed = answer(connection, identity, query, now)
    ports.send_message(connection, to=HUB, body=signed, now=now)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "MechanismQueryAnswered",
        query.party,
        query.query_id,
        {
            "requesting_registry": query.requesting_registry,
            "by": query.by.value,
            "holdings": len(signed.attested.holdings),
            "history": len(signed.attested.history),
        },
    )


# --- the hub -------------------------------------------------------------------------------


def _c6112(field: str, detail: str) -> Exception:
    return refuse(Check.C6112, field, detail)


def forward_query(
    connection: Connection, sender: str, query: MechanismHoldingsQuery, now: datetime
) -> None:
    """At the hub: forward a query to the connected mechanism registry, remembering who asked."""
    asking = directory.peer(connection, sender)
    if query.requesting_registry != sender or asking is None:
        raise _c6112(
            "requesting_registry",
            words(
                "{requesting_registry} is not the sender",
                requesting_registry=query.requesting_registry,
            ),
        )
    if asking.role is Role.MECHANISM:
        raise _c6112("requesting_registry", words("the mechanism registry does not query itself"))
    if asking.role is Role.NATIONAL:
        own = {code[:3] for code in asking.section_codes}
        if query.party is None or query.party not in own:
            raise _c6112(
                "party",
                words(
                    "{sender} asks for its own Parties only ({own})",
                    sender=sender,
                    own=", ".join(own),
                ),
            )
    mechanism = [p for p in directory.peers(connection) if p.role is Role.MECHANISM and p.connected]
    if not mechanism:
        raise _c6112("to_registry", words("no mechanism registry is connected to the hub"))
    if pulls.pull(connection, query.query_id) is not None:
        raise _c6112("query_id", words("{query_id} was forwarded before", query_id=query.query_id))
    pulls.insert_pull(
        connection,
        PullRecord(
            query_id=query.query_id,
            requesting_registry=sender,
            party=query.party,
            query=query.model_dump_json(),
            requested_by=sender,
            requested_at=now,
            status=pulls.FORWARDED,
        ),
    )
    ports.send_message(connection, to=mechanism[0].registry_id, body=query, now=now)


def forward_answer(
    connection: Connection, sender: str, body: MechanismHoldingsAnswer, now: datetime
) -> None:
    """At the hub: carry an answer, unchanged, to the registry whose query it answers."""
    peer = directory.peer(connection, sender)
    if peer is None or peer.role is not Role.MECHANISM:
        raise _c6112(
            "envelope.from_registry", words("{sender} is not the mechanism registry", sender=sender)
        )
    query_id = body.attested.query.query_id
    forwarded = pulls.pull(connection, query_id, lock=True)
    if forwarded is None or forwarded.status != pulls.FORWARDED:
        raise _c6112(
            "attested.query.query_id",
            words("{query_id} is no query awaiting an answer", query_id=query_id),
        )
    if body.attested.addressee != forwarded.requesting_registry:
        raise _c6112(
            "attested.addressee",
            words("{query_id} was asked by another registry", query_id=query_id),
        )
    pulls.record_outcome(connection, query_id, pulls.ANSWERED, now)
    ports.send_message(connection, to=forwarded.requesting_registry, body=body, now=now)


# --- the asking registry -------------------------------------------------------------------


def _keys_at(connection: Connection, registry_id: str, answered_at: datetime) -> list[str]:
    """The mechanism registry's keys current when it says it answered (clock skew allowed):
    after a rotation the hub forwarded, an answer signed with the old key before the new one
    took over still verifies, and none signed with it later."""
    at = aware(answered_at)
    return [
        period.public_key
        for period in signing_keys.hub_periods(connection, registry_id)
        if (period.valid_from is None or period.valid_from <= at + CLOCK_SKEW)
        and (period.retired_at is None or at <= period.retired_at + CLOCK_SKEW)
    ]


def on_answer(
    connection: Connection,
    registry: Registry,
    identity: Identity,
    body: MechanismHoldingsAnswer,
    now: datetime,
) -> None:
    """At the asking registry: check the answer and record it, verified or refused.

    An answer for no request waiting here is refused whole (C6009: nothing to record it on);
    any other failed check is recorded on the request and journaled, and nothing of that
    answer is shown. A later good answer still verifies."""
    attested = body.attested
    query_id = attested.query.query_id
    waiting = pulls.pull(connection, query_id, lock=True)
    if waiting is None or waiting.status not in (pulls.REQUESTED, pulls.REFUSED):
        raise refuse(
            Check.C6009,
            "attested.query.query_id",
            words("{query_id} awaits no answer here", query_id=query_id),
        )
    mechanism = [
        p
        for p in directory.peers(connection)
        if p.role is Role.MECHANISM and p.registry_id == attested.mechanism_registry
    ]
    material = attestation_material(attested)
    keys = _keys_at(connection, mechanism[0].registry_id, attested.answered_at) if mechanism else []
    refusals: list[Refusal]
    if not any(signed_by(key, body.signature, material) for key in keys):
        refusals = [
            Refusal(
                Check.C6008,
                "signature",
                words("not signed by the key this registry holds for the mechanism registry"),
            )
        ]
    else:
        refusals = answer_refusals(
            attested,
            MechanismHoldingsQuery.model_validate(json.loads(waiting.query)),
            waiting.requested_at,
            identity.registry_id,
            len(material),
            now,
        )
    mechanism_pulls.record_answer(connection, registry, HUB_ACTOR, attested, refusals)
