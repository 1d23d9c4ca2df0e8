"""The background loop of a server: delivers the outbox, runs the protocol's timeouts and
signs the journal's checkpoints, every few seconds, in a thread of its own.

A failing step (the hub unreachable, the database restarting) must not stop the loop, nor pass
unseen: each failure is logged with its traceback and counted, and the next step runs on time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class DeliveryLoop:
    """Runs `step` every `interval` seconds in a thread until stopped; `failures` counts the
    steps that raised."""

    def __init__(self, step: Callable[[], None], interval: float = 0.2) -> None:
        self.step = step
        self.interval = interval
        self.failures = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.run_step()

    def run_step(self) -> None:
        """One step; an exception is logged and counted, never raised into the loop."""
        try:
            self.step()
        except Exception:
            self.failures += 1
            logger.exception("delivery step failed (%d failures so far)", self.failures)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
