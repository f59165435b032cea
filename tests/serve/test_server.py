"""`--serve` spoken to as a browser would, without one: textual-serve's socket protocol (JSON envelopes in, the
dashboard's terminal bytes out), the token, one `--attach` per tab, and what a closed tab and SIGTERM leave."""

import asyncio
import signal
import time
from pathlib import Path

import pytest

from tests.serve.served import alive, children_of, served

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve")


def _socket_url(url: str, token: str) -> str:
    return url.split("/?token=")[0].replace("http://", "ws://") + f"/ws/{token}?width=100&height=30"


async def _screen_bytes(session, url: str, until: bytes, wait_s: float = 30.0) -> tuple[object, bytes]:
    """Open a tab's socket; the bytes it draws until `until` appears (or wait_s passes). The socket stays open."""
    socket = await session.ws_connect(_socket_url(url, url.split("=", 1)[1]))
    await socket.send_json(["resize", {"width": 100, "height": 30}])
    drawn, start = b"", time.monotonic()
    while until not in drawn and time.monotonic() - start < wait_s:
        try:
            message = await socket.receive(timeout=1)
        except asyncio.TimeoutError:
            continue
        if message.type == aiohttp.WSMsgType.BINARY:
            drawn += message.data
    return socket, drawn


def _wait_for(condition, wait_s: float = 10.0) -> bool:
    start = time.monotonic()
    while not condition() and time.monotonic() - start < wait_s:
        time.sleep(0.1)
    return condition()


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


@pytest.mark.slow
async def test_a_tab_gets_its_own_attached_dashboard_behind_the_token(tmp_path):
    with served(tmp_path) as (server, url):
        base, token = url.split("/?token=")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:  # keeps 127.0.0.1's
            for page in (base + "/", f"{base}/?token={token[:-1]}", f"{base}/?token={token}x"):
                async with session.get(page) as response:
                    assert response.status == 403
            for wrong in ("", "x" * len(token), token[:-1] + ("A" if token[-1] != "A" else "B")):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await session.ws_connect(base.replace("http", "ws") + f"/ws/{wrong}")
                assert refused.value.status in (403, 404)  # an empty token matches no route
            async with session.get(f"{base}/static/") as response:
                assert response.status == 403  # no listing
            async with session.get(f"{base}/download/0123") as response:
                assert response.status == 403  # a download needs the page's cookie
            assert children_of(server.pid) == []  # nothing was started for a wrong token

            async with session.get(url) as response:
                assert response.status == 200 and f"/ws/{token}" in await response.text()
            async with session.get(f"{base}/download/0123") as response:
                assert response.status == 404  # the cookie lets it through to the downloads, where no such key is
            socket, drawn = await _screen_bytes(session, url, until=b"waiting")
            assert b"waiting" in drawn  # the attached dashboard's own words: no frame in the folder yet
            [tab] = children_of(server.pid)
            assert _cmdline(tab)[1:] == ["-m", "rnnscope", "--attach", str(tmp_path)]  # exec'd, no shell between
            await socket.close()
            assert _wait_for(lambda: not alive(tab)), "a closed tab's dashboard is still running"

            socket, drawn = await _screen_bytes(session, url, until=b"waiting")
            [tab] = children_of(server.pid)
            server.send_signal(signal.SIGTERM)
            assert server.wait(15) == 0
            assert not alive(tab)
            await socket.close()
