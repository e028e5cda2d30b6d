"""The web API and the page, as a Starlette app.

The page and its assets are open to anyone who can reach the port; everything
under /api/ (pairing aside) needs the token or a paired cookie, and anything
that changes something must come from the page's own origin (guard.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from coach.app.requests import FILE, RESUME, SAY, START
from coach.app.resume import latest_unfinished
from coach.app.stats import chosen_sets, stats_document
from coach.app.web import library
from coach.app.web.access import COOKIE, Access, TooManyGuesses
from coach.app.web.bodies import BodyError, read_json
from coach.app.web.guard import Guard, problem
from coach.app.web.live import Live
from coach.base.errors import CoachError
from coach.config import Settings
from coach.history.progress import all_stats
from coach.history.store import History
from coach.script.loader import MAX_SCRIPT_BYTES
from coach.words.vocabulary import COMMANDS

_LOGGER = logging.getLogger(__name__)

STATIC = resources.files("coach.app.web") / "static"
# A page that pings this often keeps its event stream through idle proxies and sleeps.
_KEEPALIVE_SECONDS = 15.0
_SAY_LIMIT = 500  # a cue is a sentence or two
# A script's text in JSON: escapes can double it; the text itself is held to 1 MB.
_SCRIPT_BODY_LIMIT = 2 * MAX_SCRIPT_BYTES


def make_app(
    live: Live, access: Access, settings: Settings, local_only: bool = False
) -> Starlette:
    # One script checked at a time: a long simulation must not crowd the session's thread.
    checking = asyncio.Semaphore(1)

    async def index(request: Request) -> Response:
        return FileResponse(str(STATIC / "index.html"))

    async def pair_link(request: Request) -> Response:
        code = request.query_params.get("code", "")
        try:
            cookie = access.pair(code)
        except TooManyGuesses:
            return PlainTextResponse("Too many wrong codes: wait a minute.", status_code=429)
        if cookie is None:
            return PlainTextResponse(
                "That pairing code is wrong or was used. Look at the speaker's terminal "
                "for the current link.", status_code=401,
            )  # fmt: skip
        response = RedirectResponse("/", status_code=303)
        _set_cookie(response, cookie)
        return response

    async def pair(request: Request) -> Response:
        data = await read_json(request)
        try:
            cookie = access.pair(str(data.get("code", "")))
        except TooManyGuesses:
            return problem(429, "too many wrong codes: wait a minute")
        if cookie is None:
            return problem(401, "wrong or used pairing code")
        response = JSONResponse({"paired": True})
        _set_cookie(response, cookie)
        return response

    async def state(request: Request) -> Response:
        return JSONResponse(live.state)

    async def events(request: Request) -> Response:
        page = live.listen()

        async def stream() -> AsyncIterator[str]:
            try:
                yield _sse(live.state)
                while True:
                    try:
                        update = await asyncio.wait_for(page.get(), _KEEPALIVE_SECONDS)
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    yield _sse(update)
            finally:
                live.leave(page)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def start(request: Request) -> Response:
        data = await read_json(request)
        if data.get("resume") is True:
            try:
                await run_in_threadpool(_unfinished, settings)
            except CoachError as exc:
                return problem(404, str(exc))
            request_text = RESUME
        else:
            try:
                name = library.valid_name(data.get("script"))
                entry = await run_in_threadpool(library.find, name)
            except library.BadName as exc:
                return problem(400, str(exc))
            except CoachError as exc:
                return problem(404, str(exc))
            request_text = START + entry.name if entry.bundled else FILE + entry.name
        if not live.request(request_text):
            return problem(409, "a session is already on: stop it first")
        return JSONResponse({"requested": request_text}, status_code=202)

    async def command(request: Request) -> Response:
        data = await read_json(request)
        name = data.get("command")
        if name not in COMMANDS:
            return problem(400, f"not a command; one of: {', '.join(COMMANDS)}")
        if not live.command(str(name)):
            return problem(409, "no session is running")
        return JSONResponse({"sent": name}, status_code=202)

    async def say(request: Request) -> Response:
        data = await read_json(request)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > _SAY_LIMIT:
            return problem(400, f"give the line to say as 'text' (up to {_SAY_LIMIT} characters)")
        if not live.request(SAY + " ".join(text.split())):
            return problem(409, "a session is on: the speaker is busy")
        return JSONResponse({"saying": text}, status_code=202)

    async def script_list(request: Request) -> Response:
        found = await run_in_threadpool(lambda: [e.to_json() for e in library.scripts()])
        return JSONResponse({"scripts": found, "folder": str(library.user_folder())})

    async def script_text(request: Request) -> Response:
        try:
            text = await run_in_threadpool(library.read, request.path_params["name"])
        except library.BadName as exc:
            return problem(400, str(exc))
        except CoachError as exc:
            return problem(404, str(exc))
        return JSONResponse({"name": request.path_params["name"], "text": text})

    async def checked(name: str, text: object) -> tuple[str, dict[str, Any]] | Response:
        """The script's text and what the validator found in it, or the refusal."""
        if not isinstance(text, str):
            return problem(400, "give the script's text as 'text'")
        if (big := library.too_big(len(text.encode()))) is not None:
            return problem(413, big)
        try:
            async with checking:
                found = await run_in_threadpool(library.check_text, name, text, settings)
        except CoachError as exc:
            return problem(400, str(exc))
        return text, found

    async def script_check(request: Request) -> Response:
        data = await read_json(request, _SCRIPT_BODY_LIMIT)
        result = await checked(data.get("name", "script"), data.get("text"))
        return result if isinstance(result, Response) else JSONResponse(result[1])

    async def script_save(request: Request) -> Response:
        data = await read_json(request, _SCRIPT_BODY_LIMIT)
        name = request.path_params["name"]
        result = await checked(name, data.get("text"))
        if isinstance(result, Response):
            return result
        text, found = result
        if found["problems"]:
            return JSONResponse(found, status_code=422)
        try:
            saved = await run_in_threadpool(library.save, name, text)
        except CoachError as exc:
            return problem(400, str(exc))
        _LOGGER.info("saved %s from the web page", saved)
        return JSONResponse(found | {"saved": str(saved)})

    async def templates(request: Request) -> Response:
        return JSONResponse({"templates": library.templates()})

    async def progress(request: Request) -> Response:
        practice = request.query_params.get("practice") == "1"
        return JSONResponse(await run_in_threadpool(_progress, settings, practice))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        live.attach(asyncio.get_running_loop())
        yield

    routes = [
        Route("/", index),
        Route("/pair", pair_link),
        Route("/api/pair", pair, methods=["POST"]),
        Route("/api/state", state),
        Route("/api/events", events),
        Route("/api/start", start, methods=["POST"]),
        Route("/api/command", command, methods=["POST"]),
        Route("/api/say", say, methods=["POST"]),
        Route("/api/scripts", script_list),
        Route("/api/scripts/check", script_check, methods=["POST"]),
        Route("/api/scripts/{name}", script_text),
        Route("/api/scripts/{name}", script_save, methods=["PUT"]),
        Route("/api/templates", templates),
        Route("/api/progress", progress),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]

    async def body_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BodyError)
        return problem(exc.status, str(exc))

    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, access=access, local_only=local_only)],
        lifespan=lifespan,
        exception_handlers={BodyError: body_error},
    )


def _set_cookie(response: Response, cookie: str) -> None:
    # Strict: no other site's page can make the browser send it.
    response.set_cookie(
        COOKIE, cookie, max_age=400 * 24 * 3600, httponly=True, samesite="strict"
    )


def _sse(state: dict[str, Any]) -> str:
    return f"data: {json.dumps(state, ensure_ascii=False)}\n\n"


def _unfinished(settings: Settings) -> None:
    """Raises CoachError, saying why, when there is no session to resume."""
    with History.open(settings.history_path(), read_only=True) as history:
        latest_unfinished(history, settings.log.unit)


def _progress(settings: Settings, practice: bool) -> dict[str, Any]:
    """`coach stats --json`'s figures, and the sessions of the history."""
    try:
        with History.open(settings.history_path(), read_only=True) as history:
            sessions = [s.to_json() for s in history.sessions()]
            try:
                sets = chosen_sets(history, None, practice)
            except CoachError as exc:  # nothing to count yet: the page says why
                return {"exercises": [], "sets": [], "sessions": sessions, "note": str(exc)}
            return stats_document(sets, all_stats(sets, date.today())) | {"sessions": sessions}
    except CoachError as exc:
        return {"exercises": [], "sets": [], "sessions": [], "note": str(exc)}
