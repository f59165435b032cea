"""The music lesson's check on plain evidence: valid share against its threshold, the copied share's bound, enough
tunes, judged from step 1,000; a missing abc2midi is said."""

from rnnscope.lessons import FAILS, HOLDS, NOT_YET, find_lesson
from rnnscope.lessons.checks import COPIED_BOUND, TUNES_JUDGED, VALID_SHARE


def _run(step: int, valid: int, checked: int, copied: float | None, note: str = "") -> dict:
    settings = {"model": "lstm"}
    return {"step": step, "settings": settings, "tunes": {"valid": valid, "checked": checked, "copied_share": copied,
                                                          "training_share": 0.92, "note": note}}


def test_the_music_check_holds_only_with_enough_valid_uncopied_tunes_after_step_1000():
    lesson = find_lesson("music")
    assert lesson.judge(_run(1000, 15, 24, 0.2)).status == HOLDS
    assert lesson.judge(_run(600, 15, 24, 0.2)).status == NOT_YET  # judged from step 1,000 on
    assert "judged after step 1000" in lesson.judge(_run(600, 15, 24, 0.2)).line
    assert lesson.judge(_run(1000, 8, 24, 0.2)).status == NOT_YET  # 33% < VALID_SHARE
    assert lesson.judge(_run(1000, 15, 24, COPIED_BOUND + 0.1)).status == NOT_YET  # copies
    assert lesson.judge(_run(1000, TUNES_JUDGED - 1, TUNES_JUDGED - 1, 0.1)).status == NOT_YET  # too few tunes
    assert lesson.judge(_run(3000, 8, 24, 0.2)).status == FAILS
    line = lesson.judge(_run(1000, 15, 24, 0.2)).line
    assert line == "holds: valid tunes 15 of 24 (62%; training tunes 92%), copied 20%" and VALID_SHARE <= 0.62


def test_the_music_check_says_when_abc2midi_is_missing():
    result = find_lesson("music").judge(_run(1000, 0, 0, 0.1, note="abc2midi is not installed: ... apt install abcmidi"))
    assert result.status == NOT_YET and "apt install abcmidi" in result.line
