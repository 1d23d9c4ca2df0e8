"""Signed checkpoints of the journal's head, kept outside the database, and the check that the
chain still passes through them.

A checkpoint is taken at an interval (the serve loop, or `article6 journal checkpoint` from
cron) and after each AEF submission. It is signed with the registry's protocol key, or, for a
registry without one, a key made the same way and kept in its database; appended, one JSON line
each and fsynced, to the file or directory the operator configures
(`ARTICLE6_CHECKPOINT_PATH`); recorded for the public report; and, when the registry is
connected to the hub, sent to it through the outbox (`JournalCheckpoint`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.checkpoints import Checkpoint, fingerprint, message, sign, signature_holds
from article6.domain.keys import KeyPair, KeyPeriod, current_at
from article6.domain.protocol import HUB
from article6.services import ports
from article6.services.context import Registry
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import checkpoints as records
from article6.store import journal, registry_directory, signing_keys
from article6.store.checkpoints import FallbackKey, SignedCheckpoint
from article6.store.database import unit_of_work

FILE_NAME = "journal-checkpoints.jsonl"
MOST_PROBLEMS = 20
log = logging.getLogger(__name__)


def checkpoint_file(path: Path) -> Path:
    """A directory holds the file under its usual name; anything else is the file itself."""
    return path / FILE_NAME if path.is_dir() else path


def _append(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and fsync it: the file is only ever appended to."""
    target = checkpoint_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as file:
        file.write(checkpoint.line() + "\n")
        file.flush()
        os.fsync(file.fileno())


def _signing_key(connection: Connection, now: datetime) -> tuple[KeyPair, str | None]:
    """The protocol identity's key; else the registry's own checkpoint key, made once."""
    row = registry_directory.identity(connection)
    if row is not None:
        return KeyPair.from_text(row.private_key), str(row.registry_id)
    kept = records.fallback_key(connection)
    if kept is not None:
        return KeyPair.from_text(kept.private_key), None
    pair = KeyPair.generate()
    records.insert_fallback_key(connection, FallbackKey(pair.private_text(), pair.public_text, now))
    return pair, None


def take_checkpoint(
    registry: Registry, destination: Path | None, only_if_new: bool = False
) -> Checkpoint | None:
    """Sign the journal's head, append it to `destination`, record it and send it to the hub.
    None when the journal is empty (or, with `only_if_new`, unchanged since the last one)."""
    journal.seal(registry.engine)
    now = registry.now()
    with unit_of_work(registry.engine) as connection:
        seq, digest = records.head(connection, lock=True)
        if seq == 0:
            return None
        last = records.latest(connection)
        # Another server process may have signed a later head meanwhile (`serve --workers`):
        # an earlier one sent after it would reach the hub as a checkpoint going backwards.
        if last is not None and (last.seq > seq or (only_if_new and last.seq == seq)):
            return None
        key, code = _signing_key(connection, now)
        at = now.astimezone(UTC).isoformat(timespec="seconds")
        checkpoint = sign(key, code, seq, digest, at)
        if destination is not None:
            _append(destination, checkpoint)
        signed = SignedCheckpoint(seq, digest, now, checkpoint.public_key, checkpoint.signature)
        records.record(connection, signed)
        if code is not None and code != HUB and registry_directory.is_peer(connection, HUB):
            ports.send_message(connection, to=HUB, body=message(checkpoint), now=now)
    return checkpoint


def checkpoint_after(registry: Registry, event: str) -> None:
    """A checkpoint after an event that must be fixed at once (an AEF submission). The event
    has committed already: a checkpoint that cannot be written is logged, not raised."""
    path = Settings.from_env().checkpoint_path
    try:
        take_checkpoint(registry, Path(path) if path else None, only_if_new=True)
    except OSError:
        log.warning("journal checkpoint after %s could not be written", event, exc_info=True)


@dataclass
class CheckpointSchedule:
    """The serve loop's periodic checkpoint: one every `every`, when the journal moved."""

    registry: Registry
    destination: Path | None
    every: timedelta
    last: datetime | None = None

    @classmethod
    def from_settings(cls, registry: Registry, settings: Settings) -> CheckpointSchedule:
        path = Path(settings.checkpoint_path) if settings.checkpoint_path else None
        return cls(registry, path, timedelta(minutes=settings.checkpoint_minutes))

    def step(self) -> Checkpoint | None:
        now = self.registry.now()
        if self.last is not None and now - self.last < self.every:
            return None
        self.last = now
        return take_checkpoint(self.registry, self.destination, only_if_new=True)


def verify_checkpoints(
    registry: Registry, path: Path, public_keys: list[str] | None = None
) -> list[str]:
    """A sentence for each checkpoint in the file that the chain does not pass through, or
    whose signature does not verify against the registry's public key (`public_keys`, or the
    keys this registry signs and signed with, each only for the period it was current)."""
    problems: list[str] = []
    with registry.engine.connect() as connection:
        periods = (
            [KeyPeriod(key, None, None) for key in public_keys]
            if public_keys
            else signing_keys.periods(connection)
        )
        allowed = list(dict.fromkeys(period.public_key for period in periods))
        seq, _ = records.head(connection)
        with open(checkpoint_file(path), encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if len(problems) >= MOST_PROBLEMS:
                    break
                if not line.strip():
                    continue
                try:
                    checkpoint = Checkpoint.from_line(line)
                except (ValueError, KeyError, TypeError):
                    problems.append(f"checkpoint line {number} is not a checkpoint")
                    continue
                if checkpoint.public_key not in allowed or not signature_holds(
                    checkpoint, checkpoint.public_key
                ):
                    problems.append(
                        f"{checkpoint.label()}: its signature does not verify against the "
                        f"registry's public key ({', '.join(fingerprint(k) for k in allowed)})"
                    )
                elif not _current_then(periods, checkpoint):
                    problems.append(
                        f"{checkpoint.label()}: signed with a key that was not the registry's "
                        "current key at that time (a retired key signs nothing after its "
                        "retirement)"
                    )
                found = records.entry_hash(connection, checkpoint.seq)
                if found is None:
                    problems.append(
                        f"{checkpoint.label()}: the journal has no entry {checkpoint.seq} "
                        f"(it ends at {seq})"
                    )
                elif found != checkpoint.hash:
                    problems.append(
                        f"{checkpoint.label()}: the journal's entry {checkpoint.seq} has hash "
                        f"{found}, not the checkpoint's {checkpoint.hash}"
                    )
    return problems


def _current_then(periods: list[KeyPeriod], checkpoint: Checkpoint) -> bool:
    try:
        at = datetime.fromisoformat(checkpoint.at)
    except ValueError:
        return False
    return at.tzinfo is not None and current_at(periods, checkpoint.public_key, at)


class CheckpointView(BaseModel):
    """The latest signed checkpoint, as the public report shows it."""

    seq: int
    hash: str
    signed_at: UtcDateTime
    key_fingerprint: str


def latest_checkpoint(registry: Registry) -> CheckpointView | None:
    with registry.engine.connect() as connection:
        row = records.latest(connection)
    if row is None:
        return None
    return CheckpointView(
        seq=row.seq,
        hash=row.hash,
        signed_at=row.signed_at,
        key_fingerprint=fingerprint(row.public_key),
    )
