"""Every request's gate: security headers on each answer, and for the API the
token or a paired cookie, the page's own origin and this machine's own names.

Plain ASGI middleware, so the page's event stream passes through untouched.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coach.app.web.access import COOKIE, Access, same_origin

# Every asset is coach's own; the browser refuses anything else (and being framed).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
OPEN_PATHS = ("/api/pair",)
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Guard:
    """Headers on every answer; the origin check and the token or cookie for the API.
    Plain ASGI, so the page's event stream passes through untouched."""

    def __init__(self, app: ASGIApp, access: Access, local_only: bool) -> None:
        self.app = app
        self.access = access
        # Listening on this machine alone: a Host naming anything else is another site's
        # page that had its name point here (DNS rebinding).
        self.local_only = local_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                if path.startswith("/api/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, request: Request) -> Response | None:
        headers = request.headers
        if self.local_only and _host_name(headers.get("host", "")) not in LOCAL_NAMES:
            return problem(403, "this page answers to this machine's own addresses only")
        if request.method not in ("GET", "HEAD") and not same_origin(
            headers.get("origin"), headers.get("sec-fetch-site"), headers.get("host")
        ):
            return problem(403, "cross-site request refused")
        path = request.url.path
        if path.startswith("/api/") and path not in OPEN_PATHS:
            if headers.get("sec-fetch-site") == "cross-site":
                return problem(403, "cross-site request refused")
            if not self.access.allowed(headers.get("authorization"), request.cookies.get(COOKIE)):
                return problem(401, "not paired: open the pairing link coach serve printed")
        return None


def _host_name(host: str) -> str:
    """The name in a Host header, without its port ('[::1]:80' -> '::1')."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if ":" in host else host
