"""Versioned parts: only what changed is sent, histories travel as appended rows, the store rebuilds the frame."""

import pickle

import numpy as np

from rnnscope.contracts.parts import PARTS, PartsOut, PartStore, Rows, frame_parts
from rnnscope.training.history import DecimatingHistory
from tests.fake_frames import make_frame


def _through(sent, store, parts):
    update = sent.update(parts)
    if update is not None:
        store.receive(pickle.loads(pickle.dumps(update)))
    return update


def test_a_history_arrives_whole_through_appends_and_thinning():
    history, sent, store = DecimatingHistory(2, capacity=8), PartsOut(), PartStore()
    frame = make_frame()
    starts = []
    for step in range(1, 40):
        history.append(step, 1.0 / step)
        update = _through(sent, store, {"status": frame.status, "loss_history": history})
        if update is not None:  # once thinned, only every stride-th step adds a row
            starts.append(update.parts["loss_history"][1].start)
        np.testing.assert_array_equal(store.frame().loss_history, history.array())
    assert starts.count(0) == 1 + 3  # the first update and each thinning send all rows ...
    assert max(starts) == 7  # ... otherwise only the new row


def test_an_unchanged_part_is_not_sent_and_keeps_its_version():
    sent, store = PartsOut(), PartStore()
    frame = make_frame(step=5)
    first = _through(sent, store, frame_parts(frame))
    assert set(first.parts) == set(PARTS)
    assert _through(sent, store, frame_parts(frame)) is None
    moved = make_frame(step=6)
    again = _through(sent, store, {**frame_parts(frame), "status": moved.status})
    assert set(again.parts) == {"status"}
    assert store.frame().versions["status"] == 2 and store.frame().versions["probe"] == 1
    assert store.frame().probe.step == 5 and store.frame().status.step == 6


def test_rows_from_the_start_replace_what_was_kept():
    kept = np.arange(6.0).reshape(3, 2)
    assert Rows(0, kept[:1]).onto(kept).shape == (1, 2)
    np.testing.assert_array_equal(Rows(2, np.ones((1, 2))).onto(kept), [[0, 1], [2, 3], [1, 1]])
