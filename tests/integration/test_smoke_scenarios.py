from article6 import demo
from article6.services.queries import verify_registry


def test_demo_world_and_scenarios_verify(registry):
    world = demo.build_world(registry)
    for _code, _title, run, expected in demo.SCENARIOS:
        run(registry, world)
        assert demo.mismatches(registry, world, expected) == []
    assert verify_registry(registry) == []
