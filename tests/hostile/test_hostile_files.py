"""Class 6: inputs that are not regular files, or too large, or odd paths: one line, exit 2, nothing read."""

from __future__ import annotations

import os
import socket

import pytest

from rnnscope.cli import main
from rnnscope.storage import corpus_file
from tests.core_fixtures import write_corpus


def _refused(argv, capsys, *words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rnnscope: error:") and "unexpected error" not in err, err
    for word in words:
        assert word in err, err
    return err


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)
    _refused([str(fifo), "--headless", "--steps", "1"], capsys, "FIFO", "not a regular file")


def test_a_socket_is_refused(tmp_path, capsys):
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        _refused([str(path), "--headless", "--steps", "1"], capsys, "socket")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused(capsys, device):
    _refused([device, "--headless", "--steps", "1"], capsys, "device")


def test_a_symlink_to_a_device_or_a_folder_is_refused(tmp_path, capsys):
    (tmp_path / "zero").symlink_to("/dev/zero")
    _refused([str(tmp_path / "zero"), "--headless", "--steps", "1"], capsys, "device")
    (tmp_path / "dir").symlink_to(tmp_path)
    _refused([str(tmp_path / "dir"), "--headless", "--steps", "1"], capsys, "folder")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    _refused([str(tmp_path / "loop"), "--headless", "--steps", "1"], capsys, "symbolic links")


def test_a_symlink_to_a_text_file_is_read(tmp_path, capsys):
    (tmp_path / "link.txt").symlink_to(write_corpus(tmp_path))
    assert main([str(tmp_path / "link.txt"), "--headless", "--steps", "1", "--hidden", "8", "--embed", "4",
                 "--seq-len", "16", "--batch", "2", "--threads", "1"]) == 0


def test_a_file_too_large_for_memory_is_refused_with_its_size_before_reading(tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as file:  # sparse: 3 GiB on paper, nothing on disk
        file.truncate(3 * 2**30)
    monkeypatch.setattr(corpus_file, "available_memory", lambda: 2**30)
    read = []
    monkeypatch.setattr(type(big), "read_bytes", lambda self: read.append(self) or b"")
    _refused([str(big), "--headless", "--steps", "1"], capsys, "3.0 GiB", "too large")
    assert read == []


@pytest.mark.parametrize("name", ["dir/", "file.txt/inside", "nul\x00byte", "surrogate\udcff", "x" * 300, ""])
def test_odd_corpus_paths(tmp_path, capsys, name):
    (tmp_path / "dir").mkdir()
    write_corpus(tmp_path, name="file.txt")
    path = str(tmp_path / name) if name else ""
    _refused([path, "--headless", "--steps", "1"], capsys)


@pytest.mark.parametrize("run_dir", ["file.txt", "file.txt/sub", "nul\x00", "/dev/null", ""])
def test_odd_run_dirs(tmp_path, capsys, run_dir):
    corpus = write_corpus(tmp_path, name="file.txt")
    path = str(tmp_path / run_dir) if run_dir and not run_dir.startswith("/") else run_dir
    _refused([str(corpus), "--headless", "--steps", "1", "--export-every", "1", "--run-dir", path], capsys)


@pytest.mark.parametrize("content,words", [(b"", ["empty"]), (b"\x00\x01binary" * 50, ["binary"]),
                                            (b"\xff\xfe\xfa" * 500, ["not valid utf-8"]), (b"ab" * 5, ["characters"])])
def test_odd_contents(tmp_path, capsys, content, words):
    (tmp_path / "c.txt").write_bytes(content)
    _refused([str(tmp_path / "c.txt"), "--headless", "--steps", "1"], capsys, *words)


def test_a_corpus_of_one_repeated_character_trains(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("a" * 2000)
    assert main([str(tmp_path / "a.txt"), "--headless", "--steps", "3", "--hidden", "8", "--embed", "4",
                 "--seq-len", "16", "--batch", "2", "--threads", "1", "--export-every", "3",
                 "--run-dir", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "step-000003" / "checkpoint.pt").is_file()


def test_replay_of_unreadable_or_odd_folders(tmp_path, capsys):
    (tmp_path / "f.txt").write_text("x")
    for target in (tmp_path / "f.txt", tmp_path / "missing", tmp_path):
        _refused(["--replay", str(target)], capsys)
