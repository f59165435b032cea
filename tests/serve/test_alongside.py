"""`--serve` on a training command: the server beside the trainer, its address, its stop, and a killed trainer's."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from rnnscope.serve.options import ServeOptions
from tests.serve.served import ROOT, alive

pytest.importorskip("textual_serve")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.slow
def test_the_server_lives_as_long_as_the_training(tmp_path, capsys):
    from rnnscope.serve.alongside import served_url, serving

    with serving(ServeOptions(tmp_path, port=0), tmp_path) as url:
        assert served_url() == url and url.startswith("http://127.0.0.1:")
        assert _status(url) == 200 and _status(url.split("?")[0]) == 403
        assert url in capsys.readouterr().err
    assert served_url() is None
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=5)


@pytest.mark.slow
def test_a_killed_trainers_server_stops_by_itself(tmp_path):
    code = ("import os, signal, sys\nfrom pathlib import Path\nfrom rnnscope.serve.alongside import serving\n"
            "from rnnscope.serve.options import ServeOptions\n"
            f"with serving(ServeOptions(None, port=0), Path({str(tmp_path)!r})) as url:\n"
            "    print(url, flush=True)\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    trainer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = trainer.stdout.readline().strip()
    assert trainer.wait(20) == -signal.SIGKILL and url
    servers = [pid for pid in os.listdir("/proc") if pid.isdigit() and _serves(int(pid), tmp_path)]
    assert len(servers) <= 1
    start = time.monotonic()
    while any(alive(int(pid)) for pid in servers) and time.monotonic() - start < 10:
        time.sleep(0.2)
    assert not any(alive(int(pid)) for pid in servers), "the server outlived its trainer"
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=5)


def _serves(pid: int, run_dir) -> bool:
    try:
        argv = open(f"/proc/{pid}/cmdline", "rb").read().decode().split("\0")
    except OSError:
        return False
    return "--serve" in argv and str(run_dir) in argv
