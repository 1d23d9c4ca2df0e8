"""Verifying the journal's chain from the pages, now: a registry auditor or the secretariat
starts it, it runs in the background a stretch at a time (each a short read transaction, so
a big journal neither holds a transaction open nor blocks the request), its progress and its
last outcome are kept for the journal page. It only reads: nothing is sealed or written.

The outcome is kept in the serving process (each process knows the runs it made); the
complete check of the ledger and the chain is `article6 journal verify` and
`GET /api/v1/verification`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine

from article6.domain.access import Actor, Role
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.context import Registry
from article6.store import journal_walk
from article6.store.database import unit_of_work

STRETCH = 5000
"""Entries checked per read transaction."""
MOST_PROBLEMS = 20


@dataclass(frozen=True)
class VerificationRun:
    """One verification of the chain: who started it and when, how far it got of how many
    entries, the breaks it found (the first `MOST_PROBLEMS`), and when it finished."""

    started_by: str
    started_at: datetime
    total: int
    checked: int = 0
    problems: tuple[str, ...] = ()
    pending: int = 0
    finished_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def sound(self) -> bool:
        return not self.running and not self.problems

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.checked * 100 // self.total)


_RUNS: WeakKeyDictionary[Engine, VerificationRun] = WeakKeyDictionary()
_THREADS: WeakKeyDictionary[Engine, threading.Thread] = WeakKeyDictionary()
_STARTING = threading.Lock()


def _may_read(actor: Actor) -> None:
    if actor.role is Role.ENTITY:
        raise refuse(
            Check.C4002, "actor", words("an entity's representative does not see the journal")
        )


def last_run(registry: Registry, actor: Actor) -> VerificationRun | None:
    """The run in progress, or the last one this process made; None if none yet."""
    _may_read(actor)
    return _RUNS.get(registry.engine)


def start(registry: Registry, actor: Actor, *, background: bool = True) -> VerificationRun:
    """Start verifying the chain (registry-wide roles), unless a run is already under way:
    then that run is the answer, so repeated clicks cost one walk."""
    if not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "actor", words("verifying the chain is for registry-wide roles"))
    with _STARTING:
        current = _RUNS.get(registry.engine)
        if current is not None and current.running:
            return current
        with unit_of_work(registry.engine, read_only=True) as connection:
            head = journal_walk.head(connection)
        run = VerificationRun(actor.name, registry.now(), head.seq, pending=head.pending)
        _RUNS[registry.engine] = run
        if not background:
            _walk(registry, run, head)
            return _RUNS[registry.engine]
        worker = threading.Thread(
            target=_walk, args=(registry, run, head), name="journal-verification", daemon=True
        )
        _THREADS[registry.engine] = worker
        worker.start()
    return run


def wait(registry: Registry, timeout: float | None = None) -> VerificationRun | None:
    """Block until the background run (if any) has finished; for the command line and tests."""
    worker = _THREADS.get(registry.engine)
    if worker is not None:
        worker.join(timeout)
    return _RUNS.get(registry.engine)


def _walk(registry: Registry, run: VerificationRun, head: journal_walk.ChainHead) -> None:
    """Walk the chain up to the head seen at the start, a stretch per read transaction."""
    stretch = journal_walk.START
    problems: list[str] = []
    try:
        while stretch.seq < head.seq:
            with unit_of_work(registry.engine, read_only=True) as connection:
                stretch = journal_walk.walk(connection, stretch, head.seq, STRETCH)
            problems += stretch.problems
            run = replace(run, checked=stretch.seq, problems=tuple(problems[:MOST_PROBLEMS]))
            _RUNS[registry.engine] = run
        if stretch.hash != head.hash:
            problems.append(
                words("the journal head ({seq}) does not match its last entry", seq=head.seq)
            )
    except Exception as error:  # reported on the page, never lost in a thread
        problems.append(words("the verification stopped: {error}", error=type(error).__name__))
    _RUNS[registry.engine] = replace(
        run,
        checked=stretch.seq,
        problems=tuple(problems[:MOST_PROBLEMS]),
        finished_at=registry.now(),
    )
