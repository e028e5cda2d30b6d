"""Reading a request's JSON body, never more of it than allowed."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from coach.app.web.library import too_big

JSON_LIMIT = 64_000  # a command, a start, a pairing code: tiny


async def read_json(request: Request, limit: int = JSON_LIMIT) -> dict[str, Any]:
    """The body as a JSON object, read no further than `limit` bytes."""
    if "application/json" not in request.headers.get("content-type", ""):
        raise BodyError(415, "send JSON (Content-Type: application/json)")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyError(413, _too_big(int(declared), limit))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyError(413, _too_big(len(body), limit))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BodyError(400, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise BodyError(400, "the body is not a JSON object")
    return data


def _too_big(size: int, limit: int) -> str:
    return too_big(size) or f"the body is over {limit} bytes"


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
