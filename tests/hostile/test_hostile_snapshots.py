"""Class 5 (replay): a snapshot with arrays of the wrong shape or dtype, or meta fields of the wrong type, is refused
in one line (exit 2) or, during a replay, shown as a notice."""

from __future__ import annotations

import io
import json
import queue
import shutil

import numpy as np
import pytest

from rnnscope.cli import main
from rnnscope.contracts import commands
from rnnscope.runner.replay import ReplaySource
from rnnscope.storage.snapshot_io import SnapshotError
from rnnscope.storage.snapshot_load import load_snapshot_frame
from tests.core_fixtures import tiny_engine


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    engine = tiny_engine(tmp_path_factory.mktemp("snap"))
    engine.train_step()
    return engine.export()


def _arrays(folder):
    with np.load(folder / "arrays.npz") as npz:
        return {key: npz[key] for key in npz.files}


ARRAY_CORRUPTIONS = {
    "probe ids floats": lambda a: a.__setitem__("probe_ids", a["probe_ids"].astype(np.float32)),
    "probe ids out of vocabulary": lambda a: a.__setitem__("probe_ids", a["probe_ids"] + 10_000),
    "probe ids negative": lambda a: a.__setitem__("probe_ids", a["probe_ids"] - 10_000),
    "probe targets short": lambda a: a.__setitem__("probe_targets", a["probe_targets"][:-1]),
    "probs transposed": lambda a: a.__setitem__("probe_probs", a["probe_probs"].T.copy()),
    "probs strings": lambda a: a.__setitem__("probe_probs", a["probe_probs"].astype(str)),
    "hidden 3-d": lambda a: a.__setitem__("hidden_l0", a["hidden_l0"][None]),
    "hidden wrong T": lambda a: a.__setitem__("hidden_l0", a["hidden_l0"][1:]),
    "gates wrong count": lambda a: a.__setitem__("gates_l0", a["gates_l0"][:2]),
    "cell wrong H": lambda a: a.__setitem__("cell_l0", a["cell_l0"][:, :-1]),
    "grad_h 2-d": lambda a: a.__setitem__("grad_h_l0", a["grad_h_l0"][:, None]),
    "grad_h_total complex": lambda a: a.__setitem__("grad_h_total_l0", a["grad_h_total_l0"].astype(complex)),
    "loss history 3 columns": lambda a: a.__setitem__("loss_history", np.zeros((4, 3))),
    "grad history 1-d": lambda a: a.__setitem__("grad_norm_history", np.zeros(6)),
    "embedding wrong V": lambda a: a.__setitem__("embedding.weight", a["embedding.weight"][:-1]),
    "layer array missing": lambda a: a.pop("hidden_l0"),
    "scalar array": lambda a: a.__setitem__("probe_ids", np.int64(3)),
    "connectivity not square": lambda a: a.__setitem__("connectivity", a["connectivity"][1:]),
    "connectivity strings": lambda a: a.__setitem__("connectivity", a["connectivity"].astype(str)),
}

META_CORRUPTIONS = {
    "step text": lambda m: m.__setitem__("step", "7"),
    "model list": lambda m: m.__setitem__("model", ["lstm"]),
    "model unknown": lambda m: m.__setitem__("model", "transformer"),
    "corpus name number": lambda m: m["corpus"].__setitem__("name", 5),
    "device null": lambda m: m.__setitem__("device", None),
    "hidden float": lambda m: m["sizes"].__setitem__("hidden", 1.5),
    "lr text": lambda m: m.__setitem__("lr", "fast"),
    "vocab string": lambda m: m.__setitem__("vocab", "abc"),
    "vocab duplicates": lambda m: m.__setitem__("vocab", m["vocab"][:1] * len(m["vocab"])),
    "events not a list": lambda m: m.__setitem__("events", 3),
    "event label number": lambda m: m.__setitem__("events", [{"step": 1, "label": 2}]),
    "probe text number": lambda m: m["probe"].__setitem__("text", 12),
    "probe text empty": lambda m: m["probe"].__setitem__("text", ""),
    "metrics empty": lambda m: m.__setitem__("metrics", []),
    "metrics verdict number": lambda m: m["metrics"][0].__setitem__("verdict", 1),
    "metrics verdict escape": lambda m: m["metrics"][0].__setitem__("verdict", "\x1b[2Jhealthy"),
    "cell verdict unknown": lambda m: m["metrics"][0].__setitem__("cell_verdict", "fine"),
    "sample extra key": lambda m: m.__setitem__("sample", {"x": 1}),
    "last step norms text": lambda m: m.__setitem__("last_step", {**m["last_step"], "grad_norms": "big"}),
    "meta is a list": None,
}


def _copy(snapshot, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(snapshot, run / snapshot.name)
    return run, run / snapshot.name


def _refused(run, capsys, monkeypatch):
    def no_dashboard(*args, **kwargs):
        raise AssertionError("the dashboard was started on a malformed snapshot")

    monkeypatch.setattr("rnnscope.ui.app.make_app", no_dashboard)
    assert main(["--replay", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rnnscope: error: cannot replay") and "unexpected error" not in err, err


@pytest.mark.parametrize("case", sorted(ARRAY_CORRUPTIONS))
def test_malformed_arrays_are_refused(snapshot, tmp_path, capsys, monkeypatch, case):
    run, folder = _copy(snapshot, tmp_path)
    arrays = _arrays(folder)
    ARRAY_CORRUPTIONS[case](arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (folder / "arrays.npz").write_bytes(buffer.getvalue())
    _refused(run, capsys, monkeypatch)


@pytest.mark.parametrize("case", sorted(META_CORRUPTIONS))
def test_malformed_meta_fields_are_refused(snapshot, tmp_path, capsys, monkeypatch, case):
    run, folder = _copy(snapshot, tmp_path)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if META_CORRUPTIONS[case] is None:
        meta = [meta]
    else:
        META_CORRUPTIONS[case](meta)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    _refused(run, capsys, monkeypatch)


def test_the_untouched_snapshot_loads(snapshot):
    assert load_snapshot_frame(snapshot).status.step == 1


def test_a_malformed_snapshot_met_during_replay_is_a_notice(snapshot, tmp_path):
    run, folder = _copy(snapshot, tmp_path)
    bad = run / "step-000002"
    shutil.copytree(folder, bad)
    meta = json.loads((bad / "meta.json").read_text(encoding="utf-8"))
    meta["sizes"]["hidden"] = "many"
    (bad / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(SnapshotError):
        load_snapshot_frame(bad)
    published, inbox = [], queue.Queue()
    source = ReplaySource([folder, bad])
    inbox.put(commands.Step())
    inbox.put(commands.Quit())
    source.run(published.append, inbox)
    assert published[-1]["notice"].level == "error" and "malformed" in published[-1]["notice"].text
    assert published[-1]["status"].step == 1  # the last good snapshot stays on screen
