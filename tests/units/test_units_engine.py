"""The units feature in a run: the engine analyses within its share, publishes a `units` part, names the top units in
the headless line, and exports units.json, which reads back equal and is refused in one line when malformed."""

import json

import numpy as np
import pytest

from rnnscope.storage.snapshot_load import load_snapshot_frame
from rnnscope.storage.snapshot_read import SnapshotError
from rnnscope.storage.units_json import UNITS, units_from_json, units_to_json
from rnnscope.units.tracker import UNITS_SHARE
from tests.core_fixtures import tiny_engine
from tests.exporting.test_export import quick_figure  # noqa: F401  (a fixture)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    engine = tiny_engine(tmp_path_factory.mktemp("units"))
    for _ in range(12):
        engine.train_step()
    return engine


def test_the_engine_publishes_units_within_their_share(trained):
    frame = trained.parts()["units"]
    assert frame is not None and frame.step <= trained.step
    assert len(frame.kind) == 2 * 16 and set(frame.kind) == {"h", "c"}  # an LSTM: h and c of 16 units
    assert len(frame.text) == min(8192, len(trained.corpus.val))
    side, tracker = trained.budget, trained.units
    costs = list(side._recent["units"])  # every analysis so far; the first (cold) one runs before any training
    assert costs and sum(costs[1:]) <= UNITS_SHARE * side.train_s + max(costs)
    assert not tracker.due(side)  # it would have run at this step
    assert trained.budget.timings()["units_ms"] > 0


def test_the_headless_line_names_the_top_five_units(trained):
    units = trained.result()["units"]
    frame = trained.units.frame
    assert len(units) == 5
    assert units[0]["unit"] == frame.name(frame.order[0])
    scores = [abs(u["r_beyond"] if u["r_beyond"] is not None else u["r"]) for u in units]
    assert scores == sorted(scores, reverse=True)


def _same(a, b):
    assert (a.step, a.text, a.features, a.memory, a.kind, a.emerged) == (b.step, b.text, b.features, b.memory,
                                                                          b.kind, b.emerged)
    for name in ("layer", "index", "r", "beyond", "best", "order", "contexts", "strip"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=name in ("r", "beyond", "strip")), name


def test_units_json_round_trips_through_a_snapshot(trained, quick_figure, monkeypatch):  # noqa: F811
    from rnnscope.exporting import export

    monkeypatch.setattr(export, "render_units_figure", lambda units, path: path.write_bytes(b"png"))
    path = trained.export()
    assert path is not None and (path / "units.png").read_bytes() == b"png"
    data = json.loads((path / UNITS).read_text(encoding="utf-8"))
    first = data["units"][data["order"][0]]
    assert {"layer", "kind", "index", "best_feature", "r", "r_beyond", "contexts"} <= set(first)
    assert len(first["contexts"]["positive"]) == 5 and first["contexts"]["positive"][0]["text"]
    _same(load_snapshot_frame(path).units, trained.units.frame)


@pytest.mark.parametrize("damage", ["kind", "order", "score", "position", "strip"])
def test_a_malformed_units_json_is_refused_in_one_line(trained, tmp_path, damage):
    data = units_to_json(trained.units.frame)
    unit = data["units"][0]
    if damage == "kind":
        unit["kind"] = "x"
    elif damage == "order":
        data["order"][0] = data["order"][1]
    elif damage == "score":
        unit["scores"]["r"][0] = 7.0
    elif damage == "position":
        unit["contexts"]["positive"][0]["position"] = len(data["text"]) + 5
    else:
        data["strip"]["shape"][0] += 1
    with pytest.raises(ValueError) as caught:
        units_from_json(data)
    assert "units.json" in str(caught.value) and "\n" not in str(caught.value)
    (tmp_path / UNITS).write_text(json.dumps(data), encoding="utf-8")
    from rnnscope.storage.units_json import read_units

    with pytest.raises(SnapshotError):
        read_units(tmp_path)


@pytest.mark.slow
def test_a_user_feature_is_matched_off_the_training_thread_and_scored(tmp_path):
    import time

    engine = tiny_engine(tmp_path, features="vowels=[aeiou]+")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (engine.units.frame is None or "vowels" not in engine.units.frame.features):
        engine.train_step()
    frame = engine.units.frame
    assert "vowels" in frame.features and frame.memory[frame.features.index("vowels")]
    assert frame.step == engine.step - 1  # analysed again with it at once, before the last step


@pytest.mark.slow
def test_a_hostile_user_feature_is_refused_with_a_notice_and_the_rest_go_on():
    import time

    from rnnscope.units.tracker import UnitsTracker

    text = "a" * 40 + "!" + "abc"
    tracker = UnitsTracker(text, np.array([ord(c) for c in text]), [("hostile", "(a+)+$"), ("bs", "b")])
    told = []

    class Engine:
        def notify(self, level, line):
            told.append((level, line))

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (told and "bs" in tracker.features):
        tracker._take_user_features(Engine())
        time.sleep(0.1)
    assert told[0][0] == "warning" and "feature hostile refused" in told[0][1] and "\n" not in told[0][1]
    assert "bs" in tracker.features and "hostile" not in tracker.features


def test_the_timeline_records_the_units_analysis_with_each_probe(trained):
    from rnnscope.storage.timeline import TimelineReader
    from rnnscope.storage.timeline.units_meta import read_units

    trained.refresh_probe()
    reader = TimelineReader(trained.run_dir)
    newest = reader.load(reader.index()[-1].id)
    record = read_units(newest.meta)
    assert record is not None and record.frame.step == trained.units.frame.step <= newest.entry.step
    assert np.allclose(record.frame.feature_best(), trained.units.frame.feature_best(), atol=1e-4)
