"""Uvicorn's HTTP/1.1 protocols with Nagle's algorithm off on every connection.

Where the workers share one listening socket (uvicorn's own supervisor, or `http.workers`
off Linux), each worker's copy reports protocol 0 instead of TCP, so asyncio does not set
TCP_NODELAY on the connections it accepts. A response written in two pieces (head, then body)
then waits for the client's delayed acknowledgement: 40 ms on every request, whatever the
request costs. Setting the option here makes one worker and several answer alike.

The server parses HTTP with httptools (llhttp, in C) rather than h11 (pure Python): about a
tenth of a request's server CPU on the cheap requests, measured in BENCHMARKS.md. h11 stays
for platforms without the httptools wheel.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a declared dependency where it builds
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


def _no_delay(transport: asyncio.BaseTransport) -> None:
    connection = transport.get_extra_info("socket")
    if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


if HttpToolsProtocol is not None:

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)

    PROTOCOL = "article6.http.transport:NoDelayHttpToolsProtocol"
    SERVING_PROTOCOL: type[asyncio.Protocol] = NoDelayHttpToolsProtocol
else:  # pragma: no cover
    PROTOCOL = "article6.http.transport:NoDelayH11Protocol"
    SERVING_PROTOCOL = NoDelayH11Protocol
