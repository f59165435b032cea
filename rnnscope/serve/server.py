"""The web server: textual-serve's page and socket behind a token checked in constant time; each socket (a browser
tab) runs its own `python -m rnnscope --attach RUN_DIR`, an argument list and never a shell; Ctrl-C or SIGTERM
stops it with every dashboard it started."""

from __future__ import annotations

import asyncio
import errno
import hmac
import logging
import os
import secrets
import signal
import socket
import sys
from asyncio.subprocess import PIPE, Process
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from rnnscope.contracts.errors import UsageError
from rnnscope.serve.options import ServeOptions

log = logging.getLogger("rnnscope.serve")
COOKIE = "rnnscope_token_{port}"  # set by the page for its downloads (fetched without the token); cookies ignore ports
STOP_S = 3.0  # a dashboard asked to quit gets this long before it is killed; so does the server's shutdown
MAX_CELLS = 1000  # a tab's width and height are clamped to this: a hostile size never reaches a dashboard
REFUSED = "403: this address needs the token the server printed (…/?token=…)"


class AttachService(AppService):
    """One tab's dashboard: `argv` started without a shell in its own session (the server stops it, not the
    terminal's Ctrl-C), recorded in `children` until it has ended."""

    def __init__(self, argv: list[str], children: set[Process], **kwargs) -> None:
        super().__init__(" ".join(argv), **kwargs)  # textual-serve's command string: only ever logged
        self.argv, self.children = argv, children

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=PIPE, stdout=PIPE, stderr=PIPE, env=self._build_environment(width, height),
            start_new_session=True)
        self.children.add(process)
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the dashboard to quit; kill it when it has not ended within STOP_S."""
        try:
            await asyncio.wait_for(super().stop(), STOP_S)
        except (asyncio.TimeoutError, ConnectionError):
            pass
        if self._process is not None:
            await end_process(self._process, self.children)


async def end_process(process: Process, children: set[Process]) -> None:
    """Wait STOP_S for `process` to end, then kill it; it leaves `children`."""
    try:
        await asyncio.wait_for(process.wait(), STOP_S)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
    children.discard(process)


class TokenServer(Server):
    """textual-serve's Server with a token on the page, the socket and the downloads, its own fixed command, no
    directory listings, and a stop that leaves no dashboard behind."""

    def __init__(self, run_dir: Path, options: ServeOptions, token: str) -> None:
        super().__init__("rnnscope --attach", host=options.host, port=options.port, title="rnnscope")
        self.argv = [sys.executable, "-m", "rnnscope", "--attach", str(run_dir.absolute())]
        self.token = token.encode()
        self.children: set[Process] = set()
        self.sockets: set[web.WebSocketResponse] = set()

    def allowed(self, given: str | None) -> bool:
        return hmac.compare_digest((given or "").encode(), self.token)

    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes([web.get("/", self.handle_index), web.get("/ws/{token}", self.handle_websocket),
                        web.get("/download/{key}", self.handle_download),
                        web.static("/static", self.statics_path, show_index=False, follow_symlinks=False)])
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page, for the token only; its socket's address carries the token, its cookie lets downloads through."""
        token = request.query.get("token")
        if not self.allowed(token):
            raise web.HTTPForbidden(text=REFUSED)
        scheme = "wss" if request.secure else "ws"
        context = {"font_size": min(max(to_int(request.query.get("fontsize", "16"), 16), 6), 64),
                   "app_websocket_url": f"{scheme}://{request.host}/ws/{token}",
                   "config": {"static": {"url": "/static/"}}, "application": {"name": self.title}}
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.set_cookie(COOKIE.format(port=request.url.port), token, httponly=True, samesite="Strict")
        response.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})  # the token stays here
        return response

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self.allowed(request.cookies.get(COOKIE.format(port=request.url.port))):
            raise web.HTTPForbidden(text=REFUSED)
        return await super().handle_download(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab: its own dashboard, started only once the token is right; stopped when the tab goes."""
        if not self.allowed(request.match_info["token"]):
            raise web.HTTPForbidden(text=REFUSED)
        websocket = web.WebSocketResponse(heartbeat=15)
        size = [min(max(to_int(request.query.get(name, "80"), 80), 1), MAX_CELLS) for name in ("width", "height")]
        await websocket.prepare(request)
        self.sockets.add(websocket)
        service = AttachService(self.argv, self.children, write_bytes=websocket.send_bytes,
                                write_str=websocket.send_str, close=websocket.close,
                                download_manager=self.download_manager)
        try:
            await service.start(*size)
            await self._process_messages(websocket, service)
        except (ValueError, KeyError, TypeError, AssertionError) as err:  # a malformed message ends the tab
            log.warning("closing a tab that sent a malformed message: %s", type(err).__name__)
        finally:
            self.sockets.discard(websocket)
            await service.stop()
            await websocket.close()
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every tab: each one's handler then stops its dashboard."""
        await asyncio.gather(*(websocket.close() for websocket in list(self.sockets)), return_exceptions=True)

    async def run(self, announce, parent: int | None = None) -> None:
        """Listen (UsageError when it cannot), `announce(port)`, then serve until SIGINT, SIGTERM or SIGHUP, or until
        the process `parent` (a trainer that started this server) is gone, even killed."""
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None,
                               shutdown_timeout=STOP_S)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as err:
            await runner.cleanup()
            raise UsageError(listen_problem(self.host, self.port, err)) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, stop.set)
        watch = asyncio.create_task(_orphaned(parent, stop)) if parent else None
        try:
            announce(runner.addresses[0][1])
            await stop.wait()
        finally:
            if watch is not None:
                watch.cancel()
            await runner.cleanup()
            await asyncio.gather(*(end_process(child, self.children) for child in list(self.children)))


async def _orphaned(parent: int, stop: asyncio.Event) -> None:
    """Set `stop` once this process's parent is no longer `parent` (it ended: this process was handed on)."""
    while os.getppid() == parent:
        await asyncio.sleep(1.0)
    stop.set()


def listen_problem(host: str, port: int, err: OSError) -> str:
    """One line: why the server cannot listen at host:port, and what to do."""
    why = os.strerror(err.errno) if err.errno else str(err)
    if err.errno == errno.EADDRINUSE:
        return f"--port {port} is in use: choose another, or --port 0 for any free one"
    if err.errno == errno.EACCES:
        return f"--port {port}: not allowed here (permission denied): choose one above 1023"
    if isinstance(err, socket.gaierror) or err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return f"--host {host}: not an address of this machine ({why}): give one, e.g. 127.0.0.1"
    return f"cannot listen on {host}:{port} ({why})"


def new_token() -> str:
    return secrets.token_urlsafe(24)
