"""Documents, their common start, and a sample cut into tunes."""

from rnnscope.music.tunes import common_start, cut_tunes, split_documents
from rnnscope.storage.corpus_file import bundled_sample_path


def test_the_bundled_tunes_are_806_documents_starting_x():
    text = bundled_sample_path().with_name("irish.abc").read_text(encoding="utf-8")
    assert len(text) == 197_618 and len(set(text)) == 83
    documents = split_documents(text)
    assert len(documents) == 806
    assert common_start(documents) == "X:"


def test_common_start_is_the_first_lines_common_prefix():
    assert common_start(["X:1\nT:a", "X:2\nT:b", "X:10\nK:D"]) == "X:"
    assert common_start(["abc\nd", "abx\ne"]) == "ab"
    assert common_start(["X:1\nT:a"] * 9 + ["A,C|D2"]) == "X:1"  # a continuation piece does not count
    assert common_start(["only one"]) == ""
    assert common_start(["a", "b"]) == ""


def test_a_sample_is_cut_at_blank_lines_into_complete_tunes_that_begin_with_the_start():
    sample = "X:1\nT:one\nK:D\nABc|\n\nnoise\n\n\nX:2\nT:two\nK:G\ndef|\n\nX:3\nT:unfinished"
    assert cut_tunes(sample, "X:") == ["X:1\nT:one\nK:D\nABc|", "X:2\nT:two\nK:G\ndef|"]
    assert cut_tunes("X:1\nT:never ends", "X:") == []
