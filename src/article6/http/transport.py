"""Uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection.

With several worker processes, uvicorn hands its listening socket to each worker, and the copy
reports protocol 0 instead of TCP, so asyncio does not set TCP_NODELAY on the connections it
accepts. A response written in two pieces (head, then body) then waits for the client's delayed
acknowledgement: 40 ms on every request, whatever the request costs. Setting the option here
makes one worker and several answer alike.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "article6.http.transport:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
