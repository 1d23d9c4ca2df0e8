"""The background loop of a server: a failing step (the hub unreachable, the database
restarting) is logged with its traceback and counted, and the loop goes on to the next step."""

from __future__ import annotations

import logging
import threading

import pytest

from article6.interop.delivery import DeliveryLoop


def test_a_failing_step_is_logged_and_counted_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    steps: list[int] = []
    fourth = threading.Event()

    def step() -> None:
        steps.append(len(steps) + 1)
        if len(steps) >= 4:
            fourth.set()
        if len(steps) <= 2:
            raise ConnectionError("the hub does not answer")

    loop = DeliveryLoop(step, interval=0.01)
    with caplog.at_level(logging.ERROR, logger="article6.interop.delivery"):
        loop.start()
        assert fourth.wait(timeout=10), "the loop stopped after its failing steps"
        loop.stop()

    assert loop.failures == 2
    failures = [r for r in caplog.records if r.name == "article6.interop.delivery"]
    assert [r.getMessage() for r in failures] == [
        "delivery step failed (1 failures so far)",
        "delivery step failed (2 failures so far)",
    ]
    assert all(r.exc_info and r.exc_info[0] is ConnectionError for r in failures)
    assert not loop.thread.is_alive()


def test_a_step_that_succeeds_counts_no_failure_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[bool] = []
    loop = DeliveryLoop(lambda: ran.append(True))

    with caplog.at_level(logging.ERROR, logger="article6.interop.delivery"):
        loop.run_step()

    assert ran == [True]
    assert loop.failures == 0
    assert not caplog.records
