"""The web board's server: a Starlette app with the page and its assets, a WebSocket per page (the
game, gogo.web.session) and two HTTP routes for SGF files, an upload and a download.

    GET  /                         the page (static/index.html, app.js, style.css: no CDN)
    WS   /ws                       JSON messages both ways: the page's actions, the game's state,
                                   live analysis, review progress and results, errors
    POST /api/games/{game}/sgf     load the SGF in the body (at most MAX_SGF_BYTES) into the game
    GET  /api/games/{game}/sgf     the game as an SGF download

An uploaded SGF is parsed in memory, never written to disk. A game lives as long as its socket:
closing the page cancels its search and forgets it.
"""
import asyncio
import logging
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from gogo.errors import GogoError
from gogo.web.session import GameSession

log = logging.getLogger("gogo.web")

STATIC = Path(__file__).with_name("static")
MAX_SGF_BYTES = 1 << 20  # a long game with comments is ~50 kB
MAX_MESSAGE_BYTES = 1 << 16  # see server()


class TooLarge(GogoError):
    pass


def create_app(make_player, weights=None):
    """The app; every page's game searches with a player from `make_player()` (a SearchPlayer
    whose policy net is `weights`, None for the bundled nets)."""
    games = {}

    async def page(request):
        return FileResponse(STATIC / "index.html")

    async def socket(websocket):
        await websocket.accept()
        loop = asyncio.get_running_loop()
        outbox = asyncio.Queue()
        game = GameSession(make_player, lambda message: loop.call_soon_threadsafe(outbox.put_nowait, message),
                           weights)
        games[game.id] = game
        sender = asyncio.create_task(send_all(websocket, outbox))
        game.show()
        try:
            await receive_all(websocket, game)
        finally:
            del games[game.id]
            await game.stop()
            sender.cancel()

    async def load_sgf(request):
        game = games.get(request.path_params["game"])
        if game is None:
            return gone()
        try:
            data = await read_body(request, MAX_SGF_BYTES)
            await game.act(lambda: game.load(data))
        except TooLarge as e:
            return JSONResponse({"error": str(e)}, status_code=413)
        except GogoError as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        return JSONResponse({"moves": len(game.record.moves)})

    async def save_sgf(request):
        game = games.get(request.path_params["game"])
        if game is None:
            return gone()
        return Response(game.sgf(), media_type="application/x-go-sgf",
                        headers={"Content-Disposition": 'attachment; filename="gogo-game.sgf"'})

    app = Starlette(routes=[
        Route("/", page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        WebSocketRoute("/ws", socket),
        Route("/api/games/{game}/sgf", load_sgf, methods=["POST"]),
        Route("/api/games/{game}/sgf", save_sgf, methods=["GET"]),
    ])
    app.state.games = games
    return app


def gone():
    return JSONResponse({"error": "no such game: its page was closed (reload the page)"}, status_code=404)


async def read_body(request, limit):
    """The request's body, refused (TooLarge) past `limit` bytes before more of it is read."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(too_large(int(declared), limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(too_large(size, limit))
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(size, limit):
    return f"the SGF is {size / 2**20:.1f} MiB; at most {limit / 2**20:.0f} MiB is read"


async def send_all(websocket, outbox):
    """Send the game's messages in order, until the socket closes."""
    while True:
        message = await outbox.get()
        try:
            await websocket.send_json(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return


async def receive_all(websocket, game):
    """Hand the page's messages to the game until the socket closes."""
    while True:
        try:
            message = await websocket.receive_json()
        except WebSocketDisconnect:
            return
        except ValueError:  # not JSON
            game.error("a message that is not JSON was ignored")
            continue
        await game.handle(message)


def server(app, host, port):
    """A uvicorn server for the app (`.run()` serves until Ctrl-C). Messages from a page are a
    few dozen bytes: a socket sending more than MAX_MESSAGE_BYTES at once is closed."""
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, ws_max_size=MAX_MESSAGE_BYTES,
                                         log_level="warning"))
