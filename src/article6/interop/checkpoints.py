"""Journal checkpoints on the protocol: the hub's record of every registry's checkpoints (a
checkpoint is signed, checked and put in its message by `domain.checkpoints`).

The hub keeps every checkpoint it receives. One that goes backwards, forks (another hash for
an entry already checkpointed) or is not signed with the sender's key of its time (a key
retired by a rotation signs nothing dated after) is refused (C2008, C2009) but kept and
flagged, with an entry in the hub's journal: it is evidence that the registry's history was
rewritten, or that someone holds its key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from article6.domain.checkpoints import Checkpoint, Verdict, judge, signature_holds
from article6.domain.checks import Check
from article6.domain.keys import current_at
from article6.domain.messages import JournalCheckpoint
from article6.store import checkpoints as records
from article6.store import journal, signing_keys
from article6.store.checkpoints import ReceivedCheckpoint, SignedCheckpoint


def _signed_by_key_of_its_time(connection: Connection, checkpoint: Checkpoint) -> bool:
    """Signed with the registry's key that was current when it was signed: a key retired by a
    rotation signs nothing dated after its retirement."""
    try:
        at = datetime.fromisoformat(checkpoint.at)
    except ValueError:
        return False
    if at.tzinfo is None or checkpoint.registry is None:
        return False
    periods = signing_keys.hub_periods(connection, checkpoint.registry)
    return current_at(periods, checkpoint.public_key, at) and signature_holds(
        checkpoint, checkpoint.public_key
    )


def on_checkpoint(
    connection: Connection, sender: str, body: JournalCheckpoint, now: datetime
) -> Verdict:
    """The hub records a registry's checkpoint with its verdict; a refused one is flagged."""
    checkpoint = Checkpoint(
        body.registry_id, body.seq, body.hash, body.signed_at, body.public_key, body.signature
    )
    verdict: Verdict
    detail: str | None
    if body.registry_id != sender or not _signed_by_key_of_its_time(connection, checkpoint):
        verdict, detail = Verdict.BAD_SIGNATURE, f"not signed with {sender}'s key of its time"
    else:
        verdict, detail = judge(
            checkpoint,
            records.hub_hashes_at(connection, sender, body.seq),
            records.hub_latest_seq(connection, sender),
        )
    if verdict is Verdict.DUPLICATE:
        return verdict
    signed = SignedCheckpoint(
        seq=body.seq,
        hash=body.hash,
        signed_at=datetime.fromisoformat(body.signed_at),
        public_key=body.public_key,
        signature=body.signature,
    )
    received = ReceivedCheckpoint(sender, signed, now, verdict.value, detail)
    records.hub_record(connection, received)
    if verdict.refused:
        check = Check.C2009 if verdict is Verdict.BAD_SIGNATURE else Check.C2008
        journal.append(
            connection,
            actor="hub",
            event="JournalCheckpointRefused",
            party=None,
            subject=sender,
            body={
                "check": check.code,
                "verdict": verdict.value,
                "detail": detail,
                "registry": sender,
                "seq": body.seq,
                "hash": body.hash,
            },
            at=now,
        )
    return verdict
