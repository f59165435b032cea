"""`--feature NAME=REGEX`: a bad one is refused with one line and exit 2 before anything runs; good ones reach the
run's config, one a line."""

import pytest

from rnnscope.cli import main
from rnnscope.units.feature_spec import parse_features


@pytest.mark.parametrize("specs, says", [
    (["bad=(a"], "not a regular expression"),
    (["in_dquote=a"], "a built-in feature has that name"),
    (["noequals"], "write NAME=REGEX"),
    (["a=x", "a=y"], "the same NAME"),
    ([f"f{i}=x" for i in range(9)], "at most 8"),
])
def test_a_bad_feature_is_refused_in_one_line(capsys, specs, says):
    argv = ["--headless", "--steps", "1"] + [arg for spec in specs for arg in ("--feature", spec)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err


def test_good_features_keep_their_pattern_whole():
    assert parse_features(["call=\\w+\\(", "eq=a=b"]) == [("call", "\\w+\\("), ("eq", "a=b")]
