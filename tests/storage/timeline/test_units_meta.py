"""The units analysis a timeline frame records (rnnscope.storage.timeline.units_meta): each feature's best |r| and
|r beyond| against numpy on the whole frame, its best unit kept and ranked as the analysis ranked it, through the real
writer and reader; what the writer writes the reader takes (hostile numbers too); every malformed value is refused."""

from __future__ import annotations

import copy
import dataclasses
import json

import numpy as np
import pytest

from rnnscope.storage.timeline import TimelineReader, TimelineWriter
from rnnscope.storage.timeline.units_meta import read_units, units_meta
from tests.fake_frames import make_frame
from tests.units.fake_units import make_units


def _round_trip(frame):
    return read_units(json.loads(json.dumps({"units": units_meta(frame)}, allow_nan=False)))


def test_the_record_holds_each_features_best_and_its_unit_through_the_real_timeline(tmp_path):
    units = make_units(300, H=16, layers=2, planted={"in_dquote": 3, "depth_paren": 5})
    writer = TimelineWriter(tmp_path)
    probe = make_frame(step=300).probe
    writer.append(probe, wall_time=1.0, train_loss=None, val_loss=None, memory=None, meta={"units": units_meta(units)})
    record = read_units(TimelineReader(tmp_path).load(writer.entries[-1].id).meta)
    np.testing.assert_allclose(record.best_r, np.abs(units.r).max(axis=0), atol=1e-4)  # over all 64 units
    memory = np.asarray(units.memory)
    np.testing.assert_allclose(record.best_beyond[memory], np.abs(units.beyond[:, memory]).max(axis=0), atol=1e-4)
    assert np.isnan(record.best_beyond[~memory]).all()  # input features have no r beyond
    frame = record.frame
    assert frame.step == 300 and frame.features == units.features
    top = {frame.name(u) for u in frame.order[:2]}  # the two planted units (both r 1: ranked by rounding)
    assert top == {units.name(u) for u in units.order[:2]} == {"L1 c3", "L1 c5"}
    names = [frame.name(u) for u in range(len(frame.kind))]
    for column in range(len(units.features)):  # each feature's best unit is kept, with its numbers
        best = int(np.argmax(np.nan_to_num(np.abs(units.beyond[:, column] if units.memory[column] else units.r[:, column]))))
        kept = names.index(units.name(best))
        np.testing.assert_allclose(frame.r[kept], units.r[best], atol=1e-4)
        np.testing.assert_allclose(frame.beyond[kept], units.beyond[best], atol=1e-4)
    assert np.allclose(frame.feature_best(), units.feature_best(), atol=1e-4)


def test_the_writer_never_writes_what_the_reader_refuses():
    rng = np.random.default_rng(0)
    base = make_units(100, H=8, layers=1)
    U, F = base.r.shape
    for trial in range(20):
        r = rng.uniform(-1.0001, 1.0001, size=(U, F)).astype(np.float32)  # a correlation a hair past 1
        r[rng.random((U, F)) < 0.2] = np.nan  # constant units
        beyond = np.where(np.asarray(base.memory)[None, :], rng.uniform(-1, 1, size=(U, F)), np.nan).astype(np.float32)
        if trial % 2:
            beyond[:] = np.nan
        frame = dataclasses.replace(base, r=r, beyond=beyond, step=int(rng.integers(0, 2**53)))
        record = _round_trip(frame)
        assert record.frame.step == frame.step and (np.nan_to_num(record.best_r) <= 1).all()


def _broken(change):
    meta = units_meta(make_units(100, H=8))
    meta = copy.deepcopy(meta)
    change(meta)
    return {"units": meta}


@pytest.mark.parametrize("change", [
    lambda m: m.update(step=-1), lambda m: m.update(step=True), lambda m: m.update(step=2**53),
    lambda m: m["features"].__setitem__(0, "no spaces"), lambda m: m["features"].__setitem__(1, m["features"][0]),
    lambda m: m["features"].__setitem__(0, "\x1b[2J"), lambda m: m.update(features=[]),
    lambda m: m["memory"].__setitem__(0, 1), lambda m: m["memory"].pop(),
    lambda m: m["units"][0].__setitem__(1, "g"), lambda m: m["units"][0].__setitem__(0, -1),
    lambda m: m["units"][0].__setitem__(2, 1.5), lambda m: m["units"].append(list(m["units"][0])),
    lambda m: m["r"][0].__setitem__(0, 1.5), lambda m: m["r"][0].__setitem__(0, True), lambda m: m["r"][0].pop(),
    lambda m: m["beyond"].pop(), lambda m: m["best_r"].__setitem__(0, -0.5), lambda m: m.update(best_beyond="x"),
    lambda m: m["r"][0].__setitem__(0, "0.5"),
], ids=lambda change: "")
def test_a_malformed_record_is_refused_in_one_line(change):
    with pytest.raises(ValueError, match="^meta units [^\n]*$"):
        read_units(_broken(change))


def test_a_frame_without_a_record_has_none_and_a_record_that_is_no_object_is_refused():
    assert read_units({}) is None
    with pytest.raises(ValueError, match="not an object"):
        read_units({"units": [1, 2]})
