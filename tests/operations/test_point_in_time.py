"""Point-in-time recovery from a WAL archive: a cluster archives every WAL segment
(`archive_mode`, `archive_command`), a base backup is taken (`pg_basebackup`), then two
transfers with a noted time between them. The base backup restored into a new cluster with
`restore_command` and `recovery_target_time` set to the noted time holds the first transfer and
not the second, and its ledger and journal verify. docs/operations.md describes the set-up.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from article6.demo import world as demo
from article6.domain.checks import CommandRefused
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.services.reads import ledger
from postgres_clusters import OPERATIONS_PORTS, Cluster, give_to_postgres

pytestmark = pytest.mark.postgres

DATABASE = "article6_pitr"


def archiving(directory: Path) -> dict[str, str]:
    """The settings of a cluster that copies each finished WAL segment to `directory`, never
    overwriting one already there."""
    return {
        "archive_mode": "on",
        "archive_command": f"test ! -f {directory}/%f && cp %p {directory}/%f",
    }


def restoring(directory: Path, target: str) -> dict[str, str]:
    """The settings of a restore that replays the archive up to `target`, then opens."""
    return {
        "restore_command": f"cp {directory}/%f %p",
        "recovery_target_time": target,
        "recovery_target_action": "promote",
    }


def await_archived(cluster: Cluster, archive: Path, timeout: float = 60) -> None:
    """Switch to a new WAL segment and wait until the one holding everything so far is in the
    archive."""
    segment = cluster.query("SELECT pg_walfile_name(pg_current_wal_lsn())")
    cluster.query("SELECT pg_switch_wal()")
    deadline = time.monotonic() + timeout
    while not (archive / str(segment)).exists():
        assert time.monotonic() < deadline, f"{segment} not archived: {cluster.tail()}"
        time.sleep(0.05)


def transfer(registry: Registry, world: demo.DemoWorld, quantity: int) -> str:
    receipt = units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party mo_holding"],
            destination_account=world["XXA Green Group A mo_holding"],
            units=c.UnitSelection(quantity=quantity),
        ),
    )
    return receipt.record


@pytest.mark.usefixtures("cluster_binaries")
def test_a_restore_to_a_noted_time_holds_the_transfer_before_it_and_not_the_one_after() -> None:
    primary = Cluster("archiving", OPERATIONS_PORTS)
    restored = Cluster("restored", OPERATIONS_PORTS)
    try:
        archive = primary.directory / "archive"
        archive.mkdir()
        give_to_postgres(archive)
        primary.settings.update(archiving(archive))
        primary.initialise()
        primary.start()
        registry = Registry.open(primary.create_database(DATABASE))
        world = demo.build_world(registry)
        primary.base_backup(restored.data)

        first = transfer(registry, world, 10)
        noted = primary.now()
        second = transfer(registry, world, 20)
        await_archived(primary, archive)
        registry.engine.dispose()
        primary.stop_immediately()  # the restore needs only the base backup and the archive

        (restored.data / "recovery.signal").touch()
        give_to_postgres(restored.data / "recovery.signal")
        restored.settings.update(restoring(archive, noted.isoformat()))
        restored.start()
        restored.await_writable()

        back = Registry.open(restored.url(DATABASE), migrate=False)
        try:
            assert ledger.transaction(back, demo.XXA_ADMIN, "XXA", first).quantity == 10
            with pytest.raises(CommandRefused) as refused:
                ledger.transaction(back, demo.XXA_ADMIN, "XXA", second)
            assert refused.value.codes == ["C1012"]
            assert ledger.verify_registry(back) == []
            assert sum(demo.holdings(back, world).values()) == demo.ISSUED
        finally:
            back.engine.dispose()
    finally:
        restored.close()
        primary.close()
