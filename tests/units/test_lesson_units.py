"""The interpretable-cells lesson's evidence (the best string and depth units) and its check."""

from rnnscope.lessons import find_lesson
from rnnscope.lessons.checks import DEPTH_UNIT, STRING_UNIT, interpretable_cells
from rnnscope.lessons.unit_evidence import units_evidence
from tests.units.fake_units import make_units


def test_the_evidence_names_the_best_string_and_depth_units():
    found = units_evidence(make_units(step=300, planted={"in_squote": 5, "depth_all": 9}))
    assert found["string"]["feature"] == "in_squote" and found["string"]["unit"] == "L0 c5"
    assert found["depth"]["feature"] == "depth_all" and found["depth"]["unit"] == "L0 c9"
    assert found["string"]["r_beyond"] > 0.99 and found["depth"]["r_beyond"] > 0.99


def test_the_check_needs_both_units_above_their_thresholds():
    both = {"step": 500, "extra": {"units": units_evidence(make_units(300, planted={"in_dquote": 3,
                                                                                      "depth_paren": 4}))}}
    string_only = {"step": 500, "settings": {"model": "lstm"}, "extra": {"units": units_evidence(make_units(300))}}
    assert interpretable_cells(both).ok
    finding = interpretable_cells(string_only)
    assert not finding.ok and f"< {DEPTH_UNIT}" in finding.text and f">= {STRING_UNIT}" in finding.text
    lesson = find_lesson("interpretable-cells")
    assert lesson.judge(string_only).status == "not yet"
    assert lesson.judge({**string_only, "step": 5000}).status == "fails"
    assert lesson.judge({**string_only, "settings": {"model": "gru"}}).status == "unjudgeable"


def test_before_step_500_a_holding_check_waits():
    early = {"step": 100, "extra": {"units": units_evidence(make_units(300, planted={"in_dquote": 3,
                                                                                       "depth_paren": 4}))}}
    finding = interpretable_cells(early)
    assert finding.ok is None and "judged after step 500" in finding.text
