"""The server's worker processes, each listening on a socket of its own where the kernel can
spread connections over them (Linux's SO_REUSEPORT).

uvicorn's supervisor hands one listening socket to every worker, and whichever worker wakes
first accepts every connection waiting: clients that connect together (a reverse proxy's
keep-alive pool, the benchmark's eight clients) land on one or two workers of four, and stay
there. Measured in BENCHMARKS.md: with one busy worker of four the transfers ran at three
quarters of the rate of rounds where two or three were busy. With a socket per worker, the
kernel hashes each new connection onto one of the listening sockets.

The supervisor stays uvicorn's (its health checks, restarts, SIGHUP and SIGTTIN/SIGTTOU). What
it hands each worker is an `OwnListener`: pickled to the spawned worker, it arrives as a
socket that the worker binds itself. The supervisor first checks that the port is free, then
holds it with a bound socket that does not listen (so it is given no connections) for the
server's life: between two workers' restarts no other program can take the port (Linux lets
only sockets with SO_REUSEPORT of the same user share it).

A worker that dies loses the connections queued on its socket and not yet accepted (its
clients see a reset and retry); its replacement binds afresh. Elsewhere than Linux (macOS's
SO_REUSEPORT gives every connection to the last socket bound) the shared socket stays.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from article6.http.transport import SERVING_PROTOCOL

log = logging.getLogger("uvicorn.error")

GRACEFUL_SHUTDOWN_SECONDS = 10
"""On SIGTERM, requests in flight get this long to finish; then idle keep-alive connections
no longer hold a worker's exit."""


def server_config(
    app: str,
    *,
    host: str,
    port: int,
    workers: int,
    factory: bool = True,
    log_config: dict[str, Any] | None = None,
    log_level: str = "info",
    graceful_shutdown: int = GRACEFUL_SHUTDOWN_SECONDS,
) -> uvicorn.Config:
    """How the registry is served: its HTTP protocol (Nagle off, httptools), uvloop where
    installed, no uvicorn access log (the registry writes its own line, with the request id)."""
    return uvicorn.Config(
        app,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=log_config,
        access_log=False,
        timeout_graceful_shutdown=graceful_shutdown,
        http=SERVING_PROTOCOL,
        loop="auto",
    )


def run(config: uvicorn.Config) -> None:
    """Serve `config` until SIGINT or SIGTERM: one process, or a supervisor and its workers."""
    if config.workers <= 1:
        server = uvicorn.Server(config)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C before the loop took signals
            server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    if spreads_connections():
        held = hold_port(config.host, config.port)
        listeners: list[Any] = [OwnListener(config.host, config.port)]
    else:  # pragma: no cover - only where SO_REUSEPORT does not balance
        held = config.bind_socket()
        listeners = [held]
    try:
        with contextlib.suppress(KeyboardInterrupt):
            Multiprocess(config, sockets=listeners).run()
    finally:
        held.close()


def spreads_connections() -> bool:
    """Whether listening sockets sharing a port share its connections (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def hold_port(host: str, port: int) -> socket.socket:
    """The port, checked free and held for the workers' sockets; exits as uvicorn does when
    another program has it (a port shared with a second server would split its traffic)."""
    try:
        with _socket(host) as probe:  # without SO_REUSEPORT: refused if anyone listens there
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        return port_socket(host, port)
    except OSError as refused:
        log.error(refused)
        sys.exit(STARTUP_FAILURE)


class OwnListener:
    """A worker's listening socket, as the supervisor holds it: a description that becomes the
    socket itself when unpickled in the worker."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return (port_socket, (self.host, self.port))


def port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `port` beside the others sharing it (SO_REUSEPORT), not listening: the
    supervisor's hold on the port, or a worker's socket, which listens, and so gets its share
    of the new connections, only once uvicorn serves on it (with the configured backlog):
    after the app has started, so no connection waits on a worker still starting."""
    bound = _socket(host)
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    bound.bind((host, port))
    return bound


def _socket(host: str) -> socket.socket:
    return socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
