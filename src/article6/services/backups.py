"""Backups proven by restore.

`take` copies the registry's database into a new directory with a manifest: the kind of
database, the schema revision, the journal head of the copied instant, and the SHA-256 of every
file. `verify` trusts none of it: it checks every file against the manifest, restores the copy
into a scratch database, runs the whole of `journal verify` there (the chain, every ledger
invariant, the history replayed), and checks that the restored chain passes through the head
recorded at backup time. A copy that fails any step is refused, with the step named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from article6.services.checkpoints import verify_checkpoints
from article6.services.context import Registry
from article6.services.reads.ledger import verify_registry
from article6.store import backup, registry_state
from article6.store.backup import BackupFailed
from article6.store.database import make_engine, printable_url

MANIFEST = "manifest.json"
FORMAT = "article6-backup/1"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    """What a backup says of itself, written beside the copy."""

    kind: str
    taken_at: str
    source: str
    revision: str | None
    journal_seq: int
    journal_hash: str
    files: dict[str, str]
    """Each file's path relative to the backup directory, and its SHA-256."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "kind": self.kind,
                "taken_at": self.taken_at,
                "source": self.source,
                "revision": self.revision,
                "journal": {"seq": self.journal_seq, "hash": self.journal_hash},
                "files": self.files,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") != FORMAT:
                raise BackupFailed(f"{path} is not an article6 backup manifest ({FORMAT})")
            return cls(
                kind=str(document["kind"]),
                taken_at=str(document["taken_at"]),
                source=str(document["source"]),
                revision=document["revision"],
                journal_seq=int(document["journal"]["seq"]),
                journal_hash=str(document["journal"]["hash"]),
                files={str(name): str(digest) for name, digest in document["files"].items()},
            )
        except FileNotFoundError as missing:
            raise BackupFailed(f"{directory} has no {MANIFEST}: not a backup") from missing
        except (ValueError, KeyError, TypeError, AttributeError) as unreadable:
            raise BackupFailed(f"{path} cannot be read as a backup manifest") from unreadable


@dataclass(frozen=True)
class Verification:
    """The outcome of `verify`: the manifest, and a sentence per problem (none: sound)."""

    manifest: Manifest | None
    problems: list[str]


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def take(url: str, destination: Path, clock: Callable[[], datetime] | None = None) -> Manifest:
    """Copy the database at `url` into `destination` (created; it must not exist or be empty)
    and write the manifest last, so that a directory with a manifest holds a whole copy."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupFailed(f"{destination} is not empty: a backup goes into a new directory")
    destination.mkdir(parents=True, exist_ok=True)
    copied = backup.copy(url, destination)
    moment = (clock or (lambda: datetime.now(UTC)))()
    manifest = Manifest(
        kind=copied.kind,
        taken_at=moment.isoformat(timespec="seconds"),
        source=printable_url(url),
        revision=copied.revision,
        journal_seq=copied.mark.seq,
        journal_hash=copied.mark.hash,
        files={str(path.relative_to(destination)): digest(path) for path in copied.files},
    )
    (destination / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def verify(
    directory: Path,
    scratch_server: str | None = None,
    checkpoints: Path | None = None,
    public_keys: list[str] | None = None,
) -> Verification:
    """Check the backup in `directory` by restoring it (see the module's docstring)."""
    try:
        manifest = Manifest.read(directory)
    except BackupFailed as unreadable:
        return Verification(None, [str(unreadable)])
    problems = _files_match(directory, manifest)
    if problems:
        return Verification(manifest, problems)
    try:
        with backup.restored(manifest.kind, directory, scratch_server) as url:
            problems = _restored_sound(url, manifest, checkpoints, public_keys)
    except BackupFailed as failed:
        problems = [f"the backup could not be restored: {failed}"]
    return Verification(manifest, problems)


def _files_match(directory: Path, manifest: Manifest) -> list[str]:
    problems = []
    for name, expected in sorted(manifest.files.items()):
        path = directory / name
        if not path.is_file():
            problems.append(f"backup file {name} is missing")
        elif digest(path) != expected:
            problems.append(f"backup file {name} does not match its SHA-256 in the manifest")
    if not manifest.files:
        problems.append("the manifest lists no files")
    return problems


def _restored_sound(
    url: str, manifest: Manifest, checkpoints: Path | None, public_keys: list[str] | None
) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            revision = registry_state.schema_revision(connection)
            recorded = backup.hash_at(connection, manifest.journal_seq)
        problems = []
        if revision != manifest.revision:
            problems.append(
                f"the restored schema is at revision {revision}, the manifest says "
                f"{manifest.revision}"
            )
        if recorded != manifest.journal_hash:
            problems.append(
                f"the restored journal does not pass through the head recorded at backup time "
                f"(entry {manifest.journal_seq}, {manifest.journal_hash[:16]}…)"
            )
        registry = Registry(engine)
        problems += verify_registry(registry)
        if checkpoints is not None:
            problems += verify_checkpoints(registry, checkpoints, public_keys)
        return problems
    finally:
        engine.dispose()
