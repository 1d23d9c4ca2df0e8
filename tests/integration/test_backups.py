"""Backups proven by restore: `article6 backup` copies one instant of the ledger with the journal
head of that instant; `article6 backup verify` restores the copy into a scratch database and
refuses it unless every file, the chain, the recorded head and every invariant hold there."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from small_world import CORSIA, XXA_ADMIN, SmallWorld, holdings, selection
from sqlalchemy import text

from article6.cli import main
from article6.services import backups, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.store import backup, journal
from article6.store.backup import BackupFailed
from article6.store.database import unit_of_work


def transfer(registry: Registry, world: SmallWorld, quantity: int) -> None:
    units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=selection(quantity, CORSIA),
        ),
    )


def live_head(registry: Registry) -> backup.JournalMark:
    with unit_of_work(registry.engine, read_only=True) as connection:
        return backup.head(connection)


def test_a_backup_restores_and_verifies(
    registry: Registry,
    world: SmallWorld,
    database_url: str,
    tmp_path: Path,
    postgres_server: str | None,
):
    transfer(registry, world, 20)
    journal.seal(registry.engine)  # the sealer's lag would otherwise move the head after the copy
    before = holdings(registry)
    manifest = backups.take(database_url, tmp_path / "copy")

    assert manifest.kind == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    assert (manifest.journal_seq, manifest.journal_hash) == (
        live_head(registry).seq,
        live_head(registry).hash,
    )
    assert manifest.journal_seq > 0
    assert manifest.revision is not None
    outcome = backups.verify(tmp_path / "copy", postgres_server)
    assert outcome.problems == []
    assert holdings(registry) == before  # taking and verifying a backup moves nothing


def test_the_copy_is_one_instant_while_transfers_run(
    registry: Registry,
    world: SmallWorld,
    database_url: str,
    tmp_path: Path,
    postgres_server: str | None,
):
    """Transfers committing during the copy: the head recorded is the copy's own, so the
    restored chain passes through it and every invariant holds there."""
    stop = threading.Event()
    done: list[int] = []

    def keep_transferring() -> None:
        while not stop.is_set() and len(done) < 40:
            transfer(registry, world, 1)
            done.append(1)

    worker = threading.Thread(target=keep_transferring)
    worker.start()
    try:
        manifest = backups.take(database_url, tmp_path / "busy")
    finally:
        stop.set()
        worker.join()
    assert backups.verify(tmp_path / "busy", postgres_server).problems == []
    assert manifest.journal_seq <= live_head(registry).seq


def test_a_corrupted_file_is_refused(
    registry: Registry,
    world: SmallWorld,
    database_url: str,
    tmp_path: Path,
    postgres_server: str | None,
):
    manifest = backups.take(database_url, tmp_path / "copy")
    largest = max(manifest.files, key=lambda name: (tmp_path / "copy" / name).stat().st_size)
    path = tmp_path / "copy" / largest
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))

    outcome = backups.verify(tmp_path / "copy", postgres_server)
    assert outcome.problems == [f"backup file {largest} does not match its SHA-256 in the manifest"]


def test_a_missing_file_is_refused(
    registry: Registry,
    world: SmallWorld,
    database_url: str,
    tmp_path: Path,
    postgres_server: str | None,
):
    manifest = backups.take(database_url, tmp_path / "copy")
    name = sorted(manifest.files)[0]
    (tmp_path / "copy" / name).unlink()
    assert backups.verify(tmp_path / "copy", postgres_server).problems == [
        f"backup file {name} is missing"
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_doctored_copy_with_a_rewritten_manifest_is_refused(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
):
    """Whoever edits the copy and recomputes the checksums still cannot hide it: the restored
    chain no longer verifies."""
    transfer(registry, world, 20)
    manifest = backups.take(database_url, tmp_path / "copy")
    copy = tmp_path / "copy" / backup.SQLITE_FILE
    connection = sqlite3.connect(copy)
    connection.execute("DROP TRIGGER IF EXISTS journal_no_update")
    triggers = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'journal'"
        )
    ]
    for name in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("UPDATE journal SET actor = 'someone.else' WHERE seq = 2")
    connection.commit()
    connection.close()
    document = json.loads((tmp_path / "copy" / backups.MANIFEST).read_text())
    document["files"][backup.SQLITE_FILE] = backups.digest(copy)
    (tmp_path / "copy" / backups.MANIFEST).write_text(json.dumps(document))

    problems = backups.verify(tmp_path / "copy").problems
    assert any("journal entry 2" in problem for problem in problems), problems
    assert manifest.journal_seq > 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_backup_goes_into_a_new_directory(database_url: str, tmp_path: Path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    with pytest.raises(BackupFailed, match="is not empty"):
        backups.take(database_url, tmp_path / "used")


def test_a_directory_without_a_manifest_is_not_a_backup(tmp_path: Path):
    outcome = backups.verify(tmp_path)
    assert outcome.manifest is None
    assert outcome.problems == [f"{tmp_path} has no manifest.json: not a backup"]


def test_the_command_line_takes_and_verifies(
    registry: Registry,
    world: SmallWorld,
    database_url: str,
    tmp_path: Path,
    postgres_server: str | None,
):
    runner = CliRunner()
    taken = runner.invoke(
        main, ["backup", "--database", database_url, "--to", str(tmp_path / "cli")]
    )
    assert taken.exit_code == 0, taken.output
    assert "journal head entry" in taken.output
    arguments = ["backup", "verify", str(tmp_path / "cli")]
    if postgres_server is not None and not database_url.startswith("sqlite"):
        arguments += ["--scratch", postgres_server]
    verified = runner.invoke(main, arguments)
    assert verified.exit_code == 0, verified.output
    assert "restored and verified" in verified.output

    manifest = tmp_path / "cli" / backups.MANIFEST
    manifest.write_text(manifest.read_text().replace('"hash": "', '"hash": "0', 1))
    refused = runner.invoke(main, arguments)
    assert refused.exit_code == 1
    assert "does not pass through the head recorded at backup time" in refused.output


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_restore_leaves_no_scratch_database(
    registry: Registry,
    world: SmallWorld,
    database_url: str,
    tmp_path: Path,
    postgres_server: str | None,
):
    backups.take(database_url, tmp_path / "copy")
    assert backups.verify(tmp_path / "copy", postgres_server).problems == []
    with unit_of_work(registry.engine, read_only=True) as connection:
        left = connection.execute(
            text("SELECT count(*) FROM pg_database WHERE datname LIKE 'article6_restore_%'")
        ).scalar_one()
    assert left == 0
