"""Command-line numbers have one strict parser; every failure of a standard stream (closed, full, a broken pipe)
gives a defined exit code and, where a stream is left, one line; the dashboard without a terminal says so."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from rnnscope.cli import main
from rnnscope.contracts.numbers import decimal_number, whole_number
from rnnscope.runner.streams import EXIT_OUTPUT
from tests.core_fixtures import write_corpus

HUGE = "9" * 5000


@pytest.mark.parametrize("text", ["²", "٣", "1_000", "", " ", "-", "1e3", "0x10", "12345678901234567890", HUGE, "١٢"])
def test_whole_numbers_are_ascii_digits_of_bounded_length(text):
    with pytest.raises(ValueError):
        whole_number(text)


@pytest.mark.parametrize("text", ["١.٥", "1_0.5", "1e99999", "0x1p3", "", "." , "1." + "0" * 60, "½"])
def test_decimal_numbers_are_ascii(text):
    with pytest.raises(ValueError):
        decimal_number(text)


def test_good_numbers_still_parse():
    assert whole_number(" 42 ") == 42 and whole_number(str(2**63 - 1)) == 2**63 - 1
    assert decimal_number("3e-3") == 0.003 and decimal_number("-2") == -2.0 and decimal_number(".5") == 0.5


@pytest.mark.parametrize("argv", [["--distance", "²-⁵"], ["--distance", f"5-{HUGE}"], ["--distance", "5"],
                                  ["--hidden", "١٢"], ["--steps", HUGE], ["--lr", "١.٥"], ["--seed", HUGE],
                                  ["--compare", "hidden=²"], ["--compare", f"seed={HUGE}"]])
def test_hostile_numbers_are_one_line_and_exit_2(argv, capsys):
    assert main(["--task", "recall", "--headless", "--steps", "2", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected" not in err and len(err) < 300, err


def _run(args: list[str], **streams) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnscope", *args], capture_output="stdout" not in streams
                          and "stderr" not in streams, timeout=120, **streams)


def test_stdout_on_a_full_disk_is_one_line_and_exit_3(tmp_path):
    err = tmp_path / "err"
    with open("/dev/full", "w") as full, open(err, "w") as errors:
        done = _run(["--lesson", "list"], stdout=full, stderr=errors)
    assert done.returncode == EXIT_OUTPUT
    assert err.read_text() == "rnnscope: error: cannot write the result to stdout (No space left on device)\n"


@pytest.mark.slow
def test_a_headless_result_into_a_broken_pipe_is_one_line_and_exit_3(tmp_path):
    corpus = write_corpus(tmp_path)
    reader = subprocess.Popen(["head", "-c0"], stdin=subprocess.PIPE)
    reader.wait()
    err = tmp_path / "err"
    with open(err, "w") as errors:
        done = _run([str(corpus), "--headless", "--steps", "2", "--hidden", "8", "--embed", "4", "--seq-len", "16",
                     "--batch", "2", "--threads", "1", "--run-dir", str(tmp_path / "run")],
                    stdout=reader.stdin, stderr=errors)
    assert done.returncode == EXIT_OUTPUT
    assert err.read_text().splitlines()[-1] == "rnnscope: error: cannot write the result to stdout (Broken pipe)"


@pytest.mark.parametrize("closed, code, said", [
    ("stdout", EXIT_OUTPUT, "stdout is closed"),
    ("stderr", 0, None),  # the result still arrives; messages go nowhere
    ("both", EXIT_OUTPUT, None),
])
def test_closed_streams_give_a_defined_code(tmp_path, closed, code, said):
    fds = {"stdout": ["1"], "stderr": ["2"], "both": ["1", "2"]}[closed]
    script = f"{shlex.quote(sys.executable)} -m rnnscope --lesson list {' '.join(f'{fd}>&-' for fd in fds)}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stderr
    if said:
        assert done.stderr.count("\n") == 1 and said in done.stderr


def test_stderr_on_a_full_disk_loses_messages_not_the_run(tmp_path):
    corpus = write_corpus(tmp_path)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "rnnscope", str(corpus), "--headless", "--steps", "2",
                               "--hidden", "8", "--embed", "4", "--seq-len", "16", "--batch", "2", "--threads", "1",
                               "--run-dir", str(tmp_path / "run"), "--lr", "-1"], stderr=full, capture_output=False,
                              stdout=subprocess.PIPE, timeout=120)
    assert done.returncode == 2  # the refusal's code, though its line could not be written


@pytest.mark.parametrize("stdin", ["null", "closed"])
def test_the_dashboard_without_a_terminal_says_so_in_one_line(tmp_path, stdin):
    corpus = write_corpus(tmp_path)
    redirect = "</dev/null" if stdin == "null" else "<&-"
    command = shlex.join([sys.executable, "-m", "rnnscope", str(corpus), "--run-dir", str(tmp_path / "r")])
    done = subprocess.run(["bash", "-c", f"{command} {redirect}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "the dashboard reads keys from a terminal and stdin is not one" in done.stderr
    assert not (tmp_path / "r").exists()


def test_a_full_disk_at_the_lessons_meta_rewrite_still_prints_the_verdict(tmp_path, capsys, monkeypatch):
    import errno
    import json

    from rnnscope.lessons import lesson_run
    def full(path, write):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lesson_run, "replace_atomically", full)
    code = main(["--lesson", "exploding", "--headless", "--steps", "2", "--hidden", "8", "--threads", "1",
                 "--run-dir", str(tmp_path / "run")])
    out, err = capsys.readouterr()
    verdict = json.loads(out.strip().splitlines()[-1])
    assert verdict["lesson"] == "exploding" and code in (0, 1)
    warning = [line for line in err.splitlines() if "cannot add the verdict" in line]
    assert len(warning) == 1 and "No space left on device" in warning[0] and "unexpected" not in err
