"""The seed's world after its four scenarios, run in 2025 and reported in January 2026: what the
report tests share (their fixtures are in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from article6.demo import world as demo
from article6.services.context import Registry

DURING = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


class Clock:
    """A registry clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Reported:
    registry: Registry
    world: demo.DemoWorld
    clock: Clock


def run_scenarios(registry: Registry) -> Reported:
    clock = Clock(DURING)
    registry.clock = clock
    world = demo.build_world(registry)
    for _code, _title, run, expected in demo.SCENARIOS:
        run(registry, world)
        assert demo.mismatches(registry, world, expected) == []
    clock.now = AFTER
    return Reported(registry, world, clock)
