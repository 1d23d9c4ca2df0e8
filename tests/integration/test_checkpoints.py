"""Signed checkpoints of the journal's head, kept outside the database: a database administrator
who rewrites an entry and recomputes every later hash and the head passes the chain check, but
not `article6 journal verify --checkpoints`, which names the checkpoint the chain no longer
passes through; nor can a checkpoint be altered or signed with another key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from small_world import XXA_ADMIN, SmallWorld
from sqlalchemy import select, text

from article6.cli import main
from article6.domain.checkpoints import Checkpoint, sign
from article6.domain.keys import KeyPair
from article6.services import commands as c
from article6.services import issuance, public_reports
from article6.services.checkpoints import FILE_NAME, CheckpointSchedule, take_checkpoint
from article6.services.context import Registry
from article6.store.journal import GENESIS, entry_hash, seal
from article6.store.schema import journal


@dataclass
class SteppedClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def run(*arguments: str) -> Any:
    return CliRunner().invoke(main, list(arguments))


def issue(registry: Registry, world: SmallWorld, quantity: int = 5) -> None:
    issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=quantity),
    )


def rewrite_history(registry: Registry, seq: int, body: str) -> None:
    """What a database administrator can do: change an entry's body and recompute its hash,
    every later entry's previous hash and hash, and the head, so the chain verifies."""
    seal(registry.engine)
    with registry.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_append_only"))
        else:
            connection.execute(text("DROP TRIGGER journal_no_update"))
        connection.execute(
            text("UPDATE journal SET body = :body WHERE seq = :seq"), {"body": body, "seq": seq}
        )
        rows = connection.execute(select(journal).order_by(journal.c.seq)).all()
        previous = GENESIS
        for row in rows:
            digest = entry_hash(
                previous,
                row.seq,
                row.recorded_at,
                row.actor,
                row.event,
                row.party_code,
                row.subject,
                row.body,
            )
            connection.execute(
                text("UPDATE journal SET previous_hash = :p, hash = :h WHERE seq = :s"),
                {"p": previous, "h": digest, "s": row.seq},
            )
            previous = digest
        connection.execute(text("UPDATE journal_head SET hash = :h"), {"h": previous})


def test_a_rewritten_history_passes_the_chain_but_not_the_checkpoints(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
) -> None:
    result = run("journal", "checkpoint", "--database", database_url, "--to", str(tmp_path))
    assert result.exit_code == 0, result.output
    issue(registry, world)
    first = Checkpoint.from_line((tmp_path / FILE_NAME).read_text().splitlines()[0])
    assert (
        run("journal", "checkpoint", "--database", database_url, "--to", str(tmp_path)).exit_code
        == 0
    )
    assert len((tmp_path / FILE_NAME).read_text().splitlines()) == 2
    clean = run("journal", "verify", "--database", database_url, "--checkpoints", str(tmp_path))
    assert clean.exit_code == 0, clean.output

    rewrite_history(registry, 3, '{"quantity": 1}')

    chain_only = run("journal", "verify", "--database", database_url)
    assert chain_only.exit_code == 0, chain_only.output  # the chain and the ledger check out
    against = run("journal", "verify", "--database", database_url, "--checkpoints", str(tmp_path))
    assert against.exit_code == 1
    assert f"FAIL checkpoint {first.seq} of {first.at}" in against.output
    assert f"the journal's entry {first.seq} has hash" in against.output
    assert f"not the checkpoint's {first.hash}" in against.output


def test_an_altered_or_foreign_checkpoint_fails_its_signature(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
) -> None:
    genuine = take_checkpoint(registry, tmp_path)
    assert genuine is not None
    altered = json.loads(genuine.line())
    altered["hash"] = "0" * 64
    foreign = sign(KeyPair.generate(), None, genuine.seq, genuine.hash, genuine.at)
    path = tmp_path / "forged.jsonl"
    path.write_text(json.dumps(altered) + "\n" + foreign.line() + "\n")

    result = run("journal", "verify", "--database", database_url, "--checkpoints", str(path))

    assert result.exit_code == 1
    assert result.output.count("its signature does not verify") == 2
    assert f"key {foreign.fingerprint}" in result.output


def test_a_checkpoint_beyond_the_chain_is_named(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
) -> None:
    """Entries removed from the end (head moved back) no longer reach the checkpoint."""
    issue(registry, world)
    checkpoint = take_checkpoint(registry, tmp_path)
    assert checkpoint is not None
    with registry.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_append_only"))
        else:
            connection.execute(text("DROP TRIGGER journal_no_delete"))
        connection.execute(text("DELETE FROM journal WHERE seq = :s"), {"s": checkpoint.seq})
        head = connection.execute(
            text("SELECT hash FROM journal WHERE seq = :s"), {"s": checkpoint.seq - 1}
        ).scalar_one()
        connection.execute(
            text("UPDATE journal_head SET seq = :s, hash = :h"),
            {"s": checkpoint.seq - 1, "h": head},
        )

    result = run("journal", "verify", "--database", database_url, "--checkpoints", str(tmp_path))

    assert result.exit_code == 1
    assert f"the journal has no entry {checkpoint.seq}" in result.output


def test_the_public_report_shows_the_latest_checkpoint(
    registry: Registry, world: SmallWorld, tmp_path: Path
) -> None:
    assert public_reports.public_report(registry, "XXA").checkpoint is None
    take_checkpoint(registry, None)
    issue(registry, world)
    latest = take_checkpoint(registry, tmp_path)
    assert latest is not None

    shown = public_reports.public_report(registry, "XXA").checkpoint

    assert shown is not None
    assert (shown.seq, shown.hash, shown.key_fingerprint) == (
        latest.seq,
        latest.hash,
        latest.fingerprint,
    )


def test_the_key_of_a_registry_without_a_protocol_identity_is_kept(
    registry: Registry, world: SmallWorld
) -> None:
    first = take_checkpoint(registry, None)
    issue(registry, world)
    second = take_checkpoint(registry, None)
    assert first is not None and second is not None
    assert first.public_key == second.public_key
    assert second.seq > first.seq


def test_the_serve_loop_signs_the_head_at_its_interval_when_it_moved(
    registry: Registry, world: SmallWorld, tmp_path: Path
) -> None:
    clock = SteppedClock(registry.now())
    clocked = Registry(registry.engine, clock)
    schedule = CheckpointSchedule(clocked, tmp_path, timedelta(minutes=60))

    taken = [schedule.step()]
    clock.now += timedelta(minutes=10)
    issue(clocked, world)
    taken.append(schedule.step())  # not yet due
    clock.now += timedelta(minutes=60)
    taken.append(schedule.step())  # due, and the journal moved
    clock.now += timedelta(minutes=60)
    taken.append(schedule.step())  # due, but nothing new

    assert [t is not None for t in taken] == [True, False, True, False]
    lines = (tmp_path / FILE_NAME).read_text().splitlines()
    assert [Checkpoint.from_line(line).seq for line in lines] == [
        t.seq for t in taken if t is not None
    ]


def test_the_public_key_can_come_from_outside_the_database(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
) -> None:
    """A key swapped in the database does not help: the operator names the key they kept."""
    genuine = take_checkpoint(registry, tmp_path)
    assert genuine is not None
    verify = ["journal", "verify", "--database", database_url, "--checkpoints", str(tmp_path)]

    kept = run(*verify, "--public-key", genuine.public_key)
    other = run(*verify, "--public-key", KeyPair.generate().public_text)

    assert kept.exit_code == 0, kept.output
    assert other.exit_code == 1
    assert f"{genuine.label()}: its signature does not verify" in other.output


def test_no_checkpoint_is_taken_behind_one_already_recorded(
    registry: Registry, world: SmallWorld, tmp_path: Path
) -> None:
    """Several server processes sign checkpoints (`serve --workers`): one that read the head
    before another signed a later one must not record or send its older checkpoint, which the
    hub would take for a registry going backwards. Here a recorded checkpoint of a later entry
    stands for the other process's."""
    issue(registry, world)
    first = take_checkpoint(registry, tmp_path)
    assert first is not None
    with registry.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO journal_checkpoints (seq, hash, signed_at, public_key, signature) "
                "VALUES (:seq, 'later', :at, :key, 'by another process')"
            ),
            {"seq": first.seq + 1, "at": registry.now(), "key": first.public_key},
        )

    assert take_checkpoint(registry, tmp_path) is None
    assert take_checkpoint(registry, tmp_path, only_if_new=True) is None
    lines = (tmp_path / FILE_NAME).read_text().splitlines()
    assert [Checkpoint.from_line(line).seq for line in lines] == [first.seq]
