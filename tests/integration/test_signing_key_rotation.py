"""`article6 keys rotate` on both databases: a registry's checkpoint key is replaced, the old
one retired with its period, and `journal verify --checkpoints` accepts each checkpoint by the
key current at its time, and no checkpoint the old key signs after the rotation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from article6.cli import main
from article6.domain.checkpoints import sign
from article6.domain.keys import KeyPair
from article6.services.checkpoints import checkpoint_file, take_checkpoint
from article6.services.context import Registry
from article6.store import checkpoints as records
from article6.store import journal
from article6.store.database import unit_of_work


def _entry(registry: Registry) -> None:
    with unit_of_work(registry.engine) as connection:
        journal.append(
            connection,
            actor="test",
            event="Noted",
            party=None,
            subject=None,
            body={},
            at=registry.now(),
        )


def test_keys_rotate_retires_the_old_key_for_what_it_signs_afterwards(
    registry: Registry, database_url: str, tmp_path: Path
):
    runner = CliRunner()
    refused = runner.invoke(main, ["keys", "rotate", "--database", database_url])
    assert refused.exit_code == 1 and "no signing key yet" in refused.output

    _entry(registry)
    first = take_checkpoint(registry, tmp_path)
    with registry.engine.connect() as connection:
        old = records.fallback_key(connection)
    assert first is not None and old is not None

    rotated = runner.invoke(main, ["keys", "rotate", "--database", database_url])
    assert rotated.exit_code == 0, rotated.output
    assert f"Retired {first.fingerprint}" in rotated.output

    _entry(registry)
    second = take_checkpoint(registry, tmp_path)
    assert second is not None and second.public_key != first.public_key
    verify = ["journal", "verify", "--database", database_url, "--checkpoints", str(tmp_path)]
    assert runner.invoke(main, verify).exit_code == 0

    # The old key, copied before the rotation, signs the head with a later time: refused.
    later = (registry.now() + timedelta(minutes=1)).isoformat(timespec="seconds")
    forged = sign(KeyPair.from_text(old.private_key), None, second.seq, second.hash, later)
    with open(checkpoint_file(tmp_path), "a", encoding="utf-8") as lines:
        lines.write(forged.line() + "\n")
    failed = runner.invoke(main, verify)
    assert failed.exit_code == 1
    assert "not the registry's current key at that time" in failed.output
