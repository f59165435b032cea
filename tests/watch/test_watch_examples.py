"""examples/watch_*.py at tiny sizes: each runs, writes its frames (the word LM its heartbeat), trains as unwatched."""

import importlib.util
from pathlib import Path

import pytest

from rnnscope.storage.timeline.heartbeat import read_heartbeat
from tests.watch_fixtures import frames_in

ROOT = Path(__file__).resolve().parents[2]


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trained_the_same(name: str, tiny: list[str], run_dir: Path) -> list:
    """The frames the example writes at `tiny` sizes probing every 2 steps, once its losses are checked equal to
    its unwatched run's."""
    example = load_example(name)
    watched = example.main([*tiny, "--run-dir", str(run_dir), "--every", "2"])
    assert watched["losses"] == example.main([*tiny, "--no-scope"])["losses"]
    return frames_in(run_dir)


def test_the_word_lm_example_trains_the_same_watched_and_unwatched(tmp_path):
    example = load_example("watch_word_lm")
    tiny = ["--steps", "6", "--emsize", "8", "--nhid", "12", "--bptt", "9", "--batch", "3", "--words", "3000"]
    watched = example.main([*tiny, "--run-dir", str(tmp_path / "run"), "--every", "2"])
    plain = example.main([*tiny, "--no-scope"])
    assert len(watched["losses"]) == 6 and watched["losses"] == plain["losses"]
    beat = read_heartbeat(tmp_path / "run")
    assert beat.state == "ended" and beat.model == "LSTM 2x12 in 8, batch_first"
    frames = frames_in(tmp_path / "run")
    assert [f.entry.step for f in frames] == [0, 2, 4, 5]  # every 2, and close()'s final probe at the last step
    last = frames[-1]
    assert last.meta["inputs"] == "token ids embedded at each probe" and last.probe.embedding.shape == (9, 8)
    words = set(example.corpus(3000)[0])
    assert set(last.probe.labels) <= words and set(last.meta["class_names"].values()) <= words
    assert last.meta["sample"]["prime"].split() == list(last.probe.labels[:5])
    assert len(last.meta["sample"]["text"].split()) == 20 and set(last.meta["sample"]["text"].split()) <= words
    assert last.meta["grad_step"] == 4 and last.meta["grad_total"] > 0  # the final probe repeats the last norms


def test_the_bidirectional_tagger_trains_the_same_watched_and_unwatched(tmp_path):
    tiny = ["--steps", "5", "--emb", "4", "--hidden", "5", "--length", "7", "--batch", "3"]
    frames = trained_the_same("watch_bidirectional_tagger", tiny, tmp_path / "run")
    assert [f.entry.step for f in frames] == [0, 2, 4]
    assert frames[-1].meta["rows"] == ["L0 fwd", "L0 bwd", "L1 fwd", "L1 bwd"]
    assert len(frames[-1].probe.layers) == 4 and frames[-1].probe.probs.shape == (7, 2)


def test_the_custom_cell_example_trains_the_same_watched_and_unwatched(tmp_path):
    tiny = ["--steps", "5", "--emb", "4", "--hidden", "5", "--length", "7", "--batch", "3"]
    frames = trained_the_same("watch_custom_cell", tiny, tmp_path / "run")
    assert [f.entry.step for f in frames] == [0, 2, 4]
    assert frames[-1].meta["kind"] == "custom" and frames[-1].meta["model"] == "LayerNormLSTM (custom step) in 4"


def test_minGRU_pytorchs_module_trains_the_same_watched_through_its_step(tmp_path):
    pytest.importorskip("minGRU_pytorch")
    tiny = ["--cell", "mingru", "--steps", "5", "--emb", "4", "--length", "7", "--batch", "3"]
    last = trained_the_same("watch_custom_cell", tiny, tmp_path / "run")[-1]
    assert last.meta["model"] == "minGRU (custom step) in 4"
    assert last.probe.layers[0].gate_names == ("update", "candidate", "jacobian")
