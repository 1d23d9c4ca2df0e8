"""What the protocol's doors read from a request: a body no larger than the limit, counted as
it streams, and JSON no deeper than any message needs.

The hub and every registry take messages from peers they do not control, so the limits hold
before anything is parsed: a declared Content-Length over the limit is refused before a byte
is read, and a chunked body is refused as soon as it passes the limit (C1014, HTTP 413). JSON
nested deeper than `MAX_DEPTH` is refused before it is parsed, as by the API's guard (C1016,
HTTP 400): a deeply nested array would otherwise exhaust the parser's recursion; JSON that does
not parse is C1013 (HTTP 400).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.http.guard import MAX_DEPTH, no_constants, too_deep

MAX_BODY = 8 * 1024 * 1024
"""A message's body at most, by default (`ARTICLE6_INTEROP_MAX_BODY_BYTES`)."""


def too_large(limit: int) -> Exception:
    return refuse(
        Check.C1014, "body", words("a request body is at most {limit} bytes", limit=limit)
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (C1014) as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    """The body as JSON, refused when it nests too deep (C1016) or does not parse (C1013)."""
    if too_deep(body):
        raise refuse(
            Check.C1016,
            "body",
            words("JSON nests deeper than {max_depth} levels", max_depth=MAX_DEPTH),
        )
    try:
        value = json.loads(body, parse_constant=no_constants)
    except ValueError as error:  # UnicodeDecodeError included
        raise refuse(
            Check.C1013, "body", words("not valid JSON: {error}", error=str(error)[:284])
        ) from None
    return value


async def read_json(request: Request, limit: int) -> Any:
    """The request's body as JSON, within the size and depth limits."""
    return parse_json(await read_body(request, limit))
