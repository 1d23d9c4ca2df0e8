"""One journal sealer per process and database: a background thread woken by commits.

A command on PostgreSQL leaves its journal entry in `journal_pending`; once it has committed,
`unit_of_work` wakes this process's sealer and answers. No request waits for the chain: before,
each committing request sealed under one advisory lock, and with one worker process the lock
holder waited for the interpreter behind the other requests' threads (38 ms mean per transfer).

How far the chain may lag, under normal operation (database reachable): an entry is chained by
the first sealing round that starts after its commit, and a round chains every entry pending
when it starts, `journal.SEAL_BATCH` (2,000) a statement, in two statements. A wake during a
round runs one more round, so an entry waits at most for the round under way and its own, and
never more than `LAG_BOUND_MS` (checked by `tests/stress/test_journal_sealer`). A round starts
at once when the last one started at least `ROUND_SPACING` ago (an idle registry's entries are
chained at once), else when that much time has passed: under load one round chains the commits
of those moments, not one or two (a round costs two statements and about 0.7 ms of the
process's CPU, whatever it chains). Measured by `bench/api_throughput.py` (8 clients, 4
workers, 2 cores): at most 13–27 entries pending, the oldest at most 43–81 ms after its
recording, which precedes its commit.
Every sealer chains every process's entries, so one whose process died is chained by the next
round of any other, or at the next start (`Registry.open`). When the database refuses, the
sealer retries every `RETRY_SECONDS` for `RETRY_LIMIT` tries, then waits for the next commit.
Readers that must see the whole chain (verification, checkpoints, the journal pages) call
`journal.seal` themselves first.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine

from article6.store import journal

LAG_BOUND_MS = 1000
"""The longest an entry stays pending after its commit under normal operation."""
ROUND_SPACING = 0.05
"""The least time between the starts of two rounds of one sealer (seconds)."""
IDLE_SECONDS = 30.0  # a sealer thread with nothing to do for this long ends; a commit restarts it
RETRY_SECONDS = 1.0
RETRY_LIMIT = 60

log = logging.getLogger(__name__)


class Sealer:
    """The sealer of one engine in this process. Holds the engine weakly: a sealer whose engine
    is gone ends."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._wanted = threading.Event()
        self._guard = threading.Lock()
        self._busy = threading.Lock()  # held for a round: `halt` waits for it
        self._halting = False
        self._thread: threading.Thread | None = None
        self._last_round = -ROUND_SPACING  # when the last round started (monotonic)
        self.unsealed = False
        """Woken since the last round that found nothing left to do."""

    def wake(self) -> None:
        """Ask for a round soon; start the thread if it is not running. Never blocks."""
        self.unsealed = True
        self._wanted.set()
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="article6-journal-sealer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        failures = 0
        while True:
            if not self._wanted.wait(IDLE_SECONDS):
                with self._guard:
                    if not self._wanted.is_set():
                        self._thread = None
                        return
            spacing = self._last_round + ROUND_SPACING - time.monotonic()
            if spacing > 0:
                time.sleep(spacing)  # the commits of these moments join the round
            with self._busy:
                if not self._wanted.is_set():  # halted meanwhile
                    continue
                self._wanted.clear()
                self._last_round = time.monotonic()
                engine = self._engine()
                if engine is None:
                    return
                failure = self._round(engine)
                del engine  # held only while sealing
            if failure is not None:
                failures += 1
                if failures == 1:
                    log.warning("journal: sealing failed (%s); retrying", failure)
                if failures < RETRY_LIMIT:
                    time.sleep(RETRY_SECONDS)
                    self._wanted.set()
                continue
            failures = 0
            if not self._wanted.is_set():
                self.unsealed = False

    def _round(self, engine: Engine) -> str | None:
        """One sealing round; what went wrong, if anything (as text: an exception would hold
        the engine through its traceback)."""
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                try:
                    journal.seal_on(connection)
                finally:
                    if self._halting:  # disposed meanwhile: close it, not back to the old pool
                        connection.invalidate()
        except Exception as failure:  # the database away or dropped: the entries wait, pending
            return repr(failure)
        return None

    def halt(self) -> None:
        """The engine is being disposed: let the round under way finish and start no other
        until the next commit, so no connection outlives the dispose (a database copied as a
        template must have none). What is still pending waits for the next round or start."""
        self._halting = True
        self._wanted.clear()
        with self._busy:
            self._wanted.clear()
            self._halting = False


_sealers: weakref.WeakKeyDictionary[Engine, Sealer] = weakref.WeakKeyDictionary()
_sealers_guard = threading.Lock()


def sealer_for(engine: Engine) -> Sealer:
    with _sealers_guard:
        sealer = _sealers.get(engine)
        if sealer is None:
            created = sealer = _sealers[engine] = Sealer(engine)
            event.listen(engine, "engine_disposed", lambda _engine: created.halt())
        return sealer


def wake(engine: Engine) -> None:
    """A command recorded journal entries and committed: have them chained."""
    sealer_for(engine).wake()


@atexit.register
def _seal_at_exit() -> None:
    """A process ending normally (a server's worker stopped) chains what it left pending."""
    with _sealers_guard:
        engines = [engine for engine, sealer in _sealers.items() if sealer.unsealed]
    for engine in engines:
        try:
            journal.seal(engine)
        except Exception:
            log.debug("journal: sealing at exit failed; the next start seals", exc_info=True)
