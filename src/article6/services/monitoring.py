"""Whether the registry can serve, and the figures its operators watch.

Ready means: the database answers, its schema is the one this code expects (or a newer one
it does not know, during a rolling upgrade), and the journal
is sealed within its bound (an entry left pending longer means the sealing has stopped, and
`journal verify` and the checkpoints would lag the ledger).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import DBAPIError

from article6.services.context import Registry
from article6.store import registry_state
from article6.store.database import single_read
from article6.store.registry_state import RegistryState

SEALING_BOUND = timedelta(seconds=60)
"""How long a committed journal entry may wait for the chain before the registry says it is not
ready: far above normal sealing (milliseconds), short enough to page someone."""


@dataclass(frozen=True)
class Readiness:
    """Each condition of readiness, and what is wrong if one fails."""

    database: bool
    schema_current: bool
    journal_sealed: bool
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


def state(registry: Registry) -> RegistryState:
    with single_read(registry.engine) as connection:
        return registry_state.read(connection)


def readiness(registry: Registry) -> Readiness:
    try:
        with single_read(registry.engine) as connection:
            revision = registry_state.schema_revision(connection)
            pending = registry_state.read(connection).journal_pending
    except DBAPIError as unreachable:
        reason = str(unreachable.orig).strip().splitlines()
        return Readiness(
            False, False, False, (f"the database does not answer: {reason[0] if reason else ''}",)
        )
    problems = []
    expected = registry_state.newest_revision()
    # A schema this code does not know is ahead of it: a newer release migrated it during a
    # rolling upgrade (additive migrations only), and this server serves on until replaced.
    current = revision == expected or (
        revision is not None and not registry_state.known_revision(revision)
    )
    if not current:
        problems.append(f"the schema is at revision {revision}, this code expects {expected}")
    late = pending.oldest is not None and registry.now() - pending.oldest > SEALING_BOUND
    if late:
        problems.append(
            f"{pending.depth} journal entries wait to be sealed, the oldest for more than "
            f"{int(SEALING_BOUND.total_seconds())} s"
        )
    return Readiness(True, current, not late, tuple(problems))
