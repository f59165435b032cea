"""--export-best: RUN_DIR/best/ holds the weights of the best validation so far, once per best, within the budget."""

import json

import torch

from rnnscope.exporting import export
from rnnscope.training.checkpoint import load_checkpoint
from rnnscope.training.side_budget import SideBudget
from tests.core_fixtures import tiny_engine


def test_best_folder_holds_the_weights_of_the_best_validation_once_per_best(tmp_path, monkeypatch):
    engine = tiny_engine(tmp_path, export_best=True, val_every=3, lr=0.05)
    engine.budget = SideBudget(budget=1e6)  # room for every export: what is exported is under test, not when
    written = []
    real = export.write_snapshot
    monkeypatch.setattr(export, "write_snapshot", lambda *a, **k: written.append(k["name"]) or real(*a, **k))
    weights, bests = {}, set()
    for _ in range(9):
        engine.train_step()
        weights[engine.step] = {k: v.clone() for k, v in engine.model.state_dict().items()}
        if engine.status().best_val is not None:
            bests.add(engine.status().best_val[0])
    best_step = engine.status().best_val[0]
    folder = tmp_path / "run" / "best"
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["step"] == best_step
    assert meta["best_val"]["step"] == best_step
    saved = load_checkpoint(folder / "checkpoint.pt")["model"]
    assert all(torch.equal(saved[k], weights[best_step][k]) for k in saved)
    assert written == ["best"] * len(bests)  # one export per new best, none for a validation above it
    assert not [p for p in (tmp_path / "run").iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_best_export_waits_for_the_side_budget_and_says_so(tmp_path):
    engine = tiny_engine(tmp_path, export_best=True, val_every=2)
    engine.budget = SideBudget(budget=0.5)  # room for the validations of a tiny run, not for a snapshot
    told = []
    engine.notify = lambda level, text: told.append(text)
    for _ in range(12):  # a first snapshot's cost is not taken on trust
        engine.train_step()
    assert not (tmp_path / "run" / "best").exists()
    assert len([text for text in told if text.startswith("--export-best: ")]) == 1


def test_a_pass_timed_inside_another_is_charged_to_its_own_kind_only():
    now = [0.0]
    side = SideBudget(clock=lambda: now[0])
    side.add_training(100.0)
    with side.timed("best"):
        now[0] += 1.0
        with side.timed("probe"):
            now[0] += 2.0
        now[0] += 0.5
    assert side.spent["probe"] == 2.0
    assert side.spent["best"] == 1.5
    assert side.side_s == 3.5


def test_a_best_folder_set_aside_by_a_killed_export_is_put_back(tmp_path):
    from rnnscope.storage.run_dir import remove_leftovers

    aside = tmp_path / ".old-best-0123abcd"  # killed between setting the old best aside and renaming the new one in
    aside.mkdir()
    (aside / "meta.json").write_text("{}")
    remove_leftovers(tmp_path)
    assert (tmp_path / "best" / "meta.json").exists() and not aside.exists()


def test_a_headless_run_improving_to_its_end_keeps_its_last_weights_as_best(tmp_path):
    from rnnscope.cli import main
    from tests.core_fixtures import write_corpus
    from tests.test_cli import TINY_ARGS

    run_dir = tmp_path / "run"  # a tiny run's steps pay for no snapshot while training: the last is wind-down's
    assert main([str(write_corpus(tmp_path)), "--headless", *TINY_ARGS, "--steps", "10", "--export-best",
                 "--run-dir", str(run_dir)]) == 0
    meta = json.loads((run_dir / "best" / "meta.json").read_text())
    assert meta["step"] == meta["best_val"]["step"] == 10
