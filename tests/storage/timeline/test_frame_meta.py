"""The typed frame meta (rnnscope.storage.timeline.frame_meta): every field round-trips through the JSON the writer
writes; the writer never writes what the strict reader refuses; a malformed value is refused in one line, naming it,
or (leniently) read as not said."""

import dataclasses
import json
import math

import pytest

from rnnscope.storage.timeline.frame_meta import FrameMeta

UNITS = {"step": 3, "features": ["vowel", "space"], "memory": [False, True], "units": [[0, "h", 1], [1, "c", 0]],
         "r": [[0.5, -0.25], [None, 1.0]], "beyond": [[0.1, None], [0.0, -1.0]], "best_r": [0.5, 1.0],
         "best_beyond": [0.1, 1.0]}

EVERY_FIELD = FrameMeta(
    model="LSTM 2x8 in 6", kind="lstm", clip=0.5, init="orthogonal", vocab=("a", "b", " "), watched=True,
    loss="cross-entropy of the readout", inputs="fixed vectors", rows=("L0 fwd", "L0 bwd"), side_share=0.03,
    class_names={0: "the", 7: "cat"}, sample=("pr", "ime"), grad_step=12, grad_norms={"w": 1.5, "b": None},
    grad_total=1.5, grad_norms_post={"w": 1.0, "b": None}, grad_total_post=1.0, clipped=True, units=UNITS)


def _written(meta: FrameMeta) -> dict:
    """The meta as a reader gets it back: through strict JSON, as the timeline's codec stores it."""
    return json.loads(json.dumps(meta.encode(), allow_nan=False))


def test_every_field_round_trips_through_the_written_json():
    assert all(getattr(EVERY_FIELD, f.name) is not None for f in dataclasses.fields(FrameMeta))  # a new field: set it
    assert FrameMeta.decode(_written(EVERY_FIELD)) == EVERY_FIELD
    assert FrameMeta.decode(_written(FrameMeta())) == FrameMeta() and FrameMeta().encode() == {}


@pytest.mark.parametrize("change", [
    {"clip": 0.0}, {"clip": math.nan}, {"side_share": math.inf}, {"grad_total": math.nan, "grad_total_post": None},
    {"grad_norms": {"w": math.nan, "b": -math.inf}}, {"class_names": {}}, {"rows": ()}, {"vocab": ()},
])
def test_the_writer_never_writes_what_the_strict_reader_refuses(change):
    meta = dataclasses.replace(EVERY_FIELD, **change)
    read = FrameMeta.decode(_written(meta))  # no ValueError
    assert read.grad_norms.keys() == meta.grad_norms.keys()


def test_what_cannot_be_written_is_read_as_not_taken():
    read = FrameMeta.decode(_written(dataclasses.replace(EVERY_FIELD, clip=None, side_share=math.nan,
                                                         grad_total=math.nan, grad_norms={"w": math.inf})))
    assert read.clip is None and read.side_share is None and read.grad_total is None and read.grad_norms == {"w": None}
    off = _written(dataclasses.replace(EVERY_FIELD, clip=0.0))
    assert off["clip"] is None and FrameMeta.decode(off).clip == 0.0  # clipping off: said, as null


@pytest.mark.parametrize(("key", "value"), [
    ("model", 3), ("clip", -1), ("clip", True), ("init", "gaussian"), ("vocab", ["ab"]), ("watched", "yes"),
    ("rows", ["a name far longer than sixteen"]), ("side_share", -0.5), ("class_names", {"x": "the"}),
    ("class_names", {"1": 2}), ("sample", {"prime": "a"}), ("grad_step", -1), ("grad_step", 1.5),
    ("grad_norms", {"w": "big"}), ("grad_norms", [1.0]), ("grad_total", -1.0), ("clipped", 1),
    ("units", {"step": 1}), ("units", []),
])
def test_a_malformed_value_is_refused_in_one_line_naming_it(key, value):
    written = dict(_written(EVERY_FIELD), **{key: value})
    with pytest.raises(ValueError, match=f"^meta {key}: ") as caught:
        FrameMeta.decode(written)
    assert "\n" not in str(caught.value)
    lenient = FrameMeta.decode(written, strict=False)  # the readers': what is malformed is not said
    if key == "clip":
        assert lenient.clip == 0.0  # a clip said but unreadable reads as off, as it always did
    elif isinstance(value, dict) and value and key in ("class_names", "grad_norms"):
        assert getattr(lenient, key) == {}  # a table keeps its good entries: here none
    else:
        assert getattr(lenient, key) is None
    assert lenient.model == EVERY_FIELD.model or key == "model"


def test_a_meta_that_is_no_object_is_refused_or_read_as_empty():
    with pytest.raises(ValueError, match="^meta is not an object$"):
        FrameMeta.decode([1, 2])
    assert FrameMeta.decode("x", strict=False) == FrameMeta()
