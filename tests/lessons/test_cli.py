"""`rnnscope --lesson`: the list, an unknown name, and the options a lesson cannot be combined with."""

import pytest

from rnnscope.cli import main
from rnnscope.lessons import LESSONS


def test_lesson_list_prints_every_name_and_claim_in_order(capsys):
    assert main(["--lesson", "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == [lesson.name for lesson in LESSONS]
    for line, lesson in zip(lines, LESSONS):
        assert line.endswith(lesson.claim)


def test_an_unknown_lesson_lists_the_names_on_one_line(capsys):
    assert main(["--lesson", "vanish"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown lesson 'vanish'" in err
    assert all(lesson.name in err for lesson in LESSONS)


@pytest.mark.parametrize("extra", [["--replay", "somewhere"], ["--resume", "checkpoint.pt"]])
def test_a_lesson_cannot_be_combined_with_replay_or_resume(capsys, extra):
    assert main(["--lesson", "vanishing", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"--lesson cannot be combined with {extra[0]}" in err


def test_a_lesson_with_compare_is_refused_with_one_line(capsys):
    assert main(["--lesson", "clipping", "--compare", "clip=0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_an_unknown_name_that_holds_an_escape_is_shown_escaped(capsys):
    assert main(["--lesson", "\x1b[31mred"]) == 2
    assert "\x1b" not in capsys.readouterr().err
