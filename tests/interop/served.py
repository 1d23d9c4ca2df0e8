"""An ASGI app served by uvicorn in a thread on a free local port, for the tests that speak
real HTTP to the protocol's doors."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from article6.demo.demonstration import free_port


@contextlib.contextmanager
def served(app: Any) -> Iterator[tuple[str, int]]:
    """(host, port) while `app` is served (without its lifespan: no delivery loop)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.05)
    assert server.started, "the server did not start"
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
