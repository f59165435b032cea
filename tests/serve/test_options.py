"""`--serve`'s refusals: one line and exit 2, before anything listens or starts."""

import socket
import sys

import pytest

from rnnscope.cli import main


def _refused(capsys, argv) -> str:
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0]
    return lines[0]


def test_host_or_port_without_serve(capsys):
    assert "--host needs --serve" in _refused(capsys, ["--host", "0.0.0.0"])
    assert "--port needs --serve" in _refused(capsys, ["--port", "9000"])


def test_serve_a_file_or_with_training_options(capsys, tmp_path):
    (tmp_path / "corpus.txt").write_text("abc")
    assert "not a folder" in _refused(capsys, ["--serve", str(tmp_path / "corpus.txt")])
    assert "takes only --host and --port" in _refused(capsys, ["--serve", str(tmp_path), "--model", "gru"])
    assert "rnnscope --serve RUN_DIR" in _refused(capsys, ["--attach", str(tmp_path), "--serve"])
    assert "--port 70000" in _refused(capsys, ["--serve", str(tmp_path), "--port", "70000"])


def test_without_textual_serve_it_names_the_install(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if not installed: importing it fails
    assert "pip install 'rnnscope[web]'" in _refused(capsys, ["--serve", str(tmp_path)])


def test_a_port_in_use_or_an_address_not_here(capsys, tmp_path):
    pytest.importorskip("textual_serve")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert f"--port {port} is in use" in _refused(capsys, ["--serve", str(tmp_path), "--port", str(port)])
    line = _refused(capsys, ["--serve", str(tmp_path), "--host", "192.0.2.1", "--port", "0"])  # TEST-NET-1: not ours
    assert "--host 192.0.2.1: not an address of this machine" in line
