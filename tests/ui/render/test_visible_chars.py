"""visible()/visible_text(): every corpus character becomes one safe, printable cell."""

from rich.cells import cell_len

from rnnscope.ui.render.visible_chars import visible, visible_symbol, visible_text

NASTY = "\x1b[31m[bold]\t\n\x07界e\u0301\x85\u200b\u00a0\x7f\x00\r"


def test_named_controls_get_their_symbols():
    assert visible("\n") == "⏎"
    assert visible("\t") == "⇥"
    assert visible("\x1b") == "␛"
    assert visible("\x7f") == "␡"


def test_other_c0_controls_map_to_control_pictures():
    assert visible("\x07") == "␇"
    assert visible("\x00") == "␀"
    assert visible("\x1f") == "␟"


def test_c1_wide_combining_and_format_chars_become_one_cell():
    for ch in ("\x85", "\x9b", "界", "\u0301", "\u200b", "\ud800"):
        shown = visible(ch)
        assert shown != ch and len(shown) == 1 and cell_len(shown) == 1


def test_printable_ascii_and_latin_pass_through():
    for ch in "aZ09 [](){}.,é":
        assert visible(ch) == ch


def test_visible_text_has_no_control_codes_and_width_equals_length():
    shown = visible_text(NASTY)
    assert len(shown) == len(NASTY) == cell_len(shown)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in shown)
    assert "[bold]" in shown  # brackets are kept as plain text, never markup


def test_visible_symbol_shows_a_lone_space():
    assert visible_symbol(" ") == "␣"
    assert visible_symbol("\n") == "⏎"
