"""A stored document served as a download, never shown inline: whatever an applicant uploaded
(a PDF, an image, text) is saved by the browser under its original name, not rendered in the
registry's origin, and its type is not second-guessed (`nosniff`)."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.responses import Response

from article6.services.entity_applications import DocumentFile

UNSAFE_IN_HEADER = re.compile(r"[^A-Za-z0-9._ -]")


def attachment(document: DocumentFile) -> Response:
    """The document with `Content-Disposition: attachment`: an ASCII name every browser reads
    and the original (UTF-8) name for those that read `filename*`."""
    plain = UNSAFE_IN_HEADER.sub("_", document.file_name).strip() or "document"
    return Response(
        content=document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{plain}\"; filename*=UTF-8''"
                f"{quote(document.file_name, safe='')}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )
