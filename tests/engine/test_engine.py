"""The engine: determinism, exact resume, every command, divergence and export."""

import math

import numpy as np
import pytest
import torch

from rnnscope.contracts import commands
from rnnscope.contracts.config import MODELS
from rnnscope.contracts.errors import CheckpointError
from rnnscope.contracts.frames import DIVERGED, PAUSED, RUNNING
from rnnscope.engine.engine import Engine
from rnnscope.training.checkpoint import load_checkpoint
from rnnscope.training.data import load_corpus
from tests.core_fixtures import tiny_config, tiny_engine, write_corpus


def _train(engine, steps):
    for _ in range(steps):
        engine.train_step()
    return engine.frame().loss_history


def test_same_seed_same_numbers_other_seed_differs(tmp_path):
    a = _train(tiny_engine(tmp_path), 8)
    b = _train(tiny_engine(tmp_path), 8)
    c = _train(tiny_engine(tmp_path, seed=1), 8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a[-1, 1] < a[0, 1] + 0.5  # it trains (loss does not blow up)


@pytest.mark.slow
def test_resume_continues_bit_for_bit(tmp_path):
    straight = tiny_engine(tmp_path)
    _train(straight, 12)
    first = tiny_engine(tmp_path)
    _train(first, 5)
    first.new_sample(0.7)
    path = first.export()
    data = load_checkpoint(path / "checkpoint.pt")
    resumed = Engine(first.config, first.corpus, tmp_path / "run", threads=1)
    resumed.restore(data)
    _train(resumed, 7)
    assert resumed.step == straight.step == 12
    assert np.array_equal(resumed.frame().loss_history, straight.frame().loss_history)
    assert np.array_equal(resumed.frame().val_history, straight.frame().val_history)
    for (name, p), q in zip(straight.model.named_parameters(), resumed.model.parameters()):
        assert torch.equal(p, q), name
    assert resumed.frame().events[-1].label == "resumed"


@pytest.mark.slow
def test_checkpoint_for_another_corpus_is_refused(tmp_path):
    engine = tiny_engine(tmp_path)
    data = load_checkpoint(engine.export() / "checkpoint.pt")
    other = tmp_path / "other.txt"
    other.write_text("xyzw" * 500)
    foreign = Engine(tiny_config(other), load_corpus(other), tmp_path / "r2", threads=1)
    with pytest.raises(CheckpointError, match="different character set"):
        foreign.restore(data)


def test_pause_step_and_probe_follow_the_step(tmp_path):
    engine = tiny_engine(tmp_path)
    engine.apply(commands.TogglePause())
    assert engine.state == PAUSED
    engine.apply(commands.Step())
    assert engine.step == 1 and engine.probe.step == 1
    engine.apply(commands.TogglePause())
    assert engine.state == RUNNING
    engine.apply(commands.Step())  # ignored while running
    assert engine.step == 1


def test_clip_commands(tmp_path):
    engine = tiny_engine(tmp_path, clip=1.0)
    engine.apply(commands.ToggleClip())
    assert engine.config.clip is None
    engine.apply(commands.ToggleClip())
    assert engine.config.clip == 1.0
    engine.apply(commands.ScaleClip(0.5))
    engine.apply(commands.ScaleClip(0.5))
    assert engine.config.clip == 0.25
    engine.apply(commands.ScaleClip(2.0))
    assert engine.config.clip == 0.5
    assert [e.label for e in engine.frame().events] == ["clip off", "clip 1", "clip 0.5", "clip 0.25", "clip 0.5"]


def test_scaling_the_clip_while_it_is_off_keeps_it_off_and_says_so(tmp_path):
    engine = tiny_engine(tmp_path, clip=1.0)
    engine.apply(commands.ToggleClip())
    engine.apply(commands.ScaleClip(2.0))
    assert engine.config.clip is None  # ] does not turn clipping on
    assert "stays off" in engine.notice.text and "2" in engine.notice.text
    engine.apply(commands.ToggleClip())
    assert engine.config.clip == 2.0  # c turns it on at the threshold ] set


def test_reset_clears_the_losses_and_rate_the_status_shows(tmp_path):
    engine = tiny_engine(tmp_path, val_every=2)
    _train(engine, 4)
    before = engine.status()
    assert all(math.isfinite(v) for v in (before.train_loss, before.val_loss, before.chars_per_s))
    engine.apply(commands.TogglePause())
    engine.apply(commands.Reset())
    after = engine.status()
    assert math.isnan(after.train_loss) and math.isnan(after.val_loss) and math.isnan(after.chars_per_s)
    assert math.isnan(after.clip_fire_rate)
    engine.apply(commands.Step())
    assert math.isfinite(engine.status().train_loss) and math.isnan(engine.status().val_loss)


def test_init_model_activation_and_reset_reinitialise(tmp_path):
    engine = tiny_engine(tmp_path, model="rnn-tanh")
    fresh = {k: v.clone() for k, v in engine.model.state_dict().items()}
    _train(engine, 3)
    engine.apply(commands.Reset())
    for k, v in engine.model.state_dict().items():
        assert torch.equal(v, fresh[k]), k  # reset = the same start for the same seed
    seen = []
    for _ in range(3):
        engine.apply(commands.NextInit())
        seen.append(engine.config.init)
    assert seen == ["xavier", "orthogonal", "identity"]
    assert torch.equal(engine.model.rnn.weight_hh_l0, torch.eye(16))
    weights = engine.model.rnn.weight_hh_l0.clone()
    engine.apply(commands.ToggleActivation())
    assert engine.config.model == "rnn-relu" and engine.model.kind == "rnn-relu"
    assert torch.equal(engine.model.rnn.weight_hh_l0, weights)  # activation switch keeps the weights
    models = []
    for _ in range(len(MODELS)):
        engine.apply(commands.NextModel())
        models.append(engine.config.model)
    assert models == [*MODELS[MODELS.index("gru"):], *MODELS[:MODELS.index("gru")]]  # every kind, round to rnn-relu
    assert models[:1] == ["gru"] and models[-1] == "rnn-relu"
    engine.apply(commands.NextModel())
    engine.apply(commands.ToggleActivation())  # an LSTM has no tanh/ReLU switch: a warning, no crash
    assert engine.notice.level == "warning"


def test_divergence_pauses_and_keeps_finite_weights(tmp_path):
    engine = tiny_engine(tmp_path, model="rnn-relu", init="identity", init_gain=3.0, optimizer="sgd",
                         lr=50.0, clip=None)
    for _ in range(60):
        engine.train_step()
        if engine.state == DIVERGED:
            break
    assert engine.state == DIVERGED
    assert all(torch.isfinite(p).all() for p in engine.model.parameters())
    frame = engine.frame()
    assert frame.status.state == DIVERGED and f"step {engine.step + 1}" in frame.status.diverged
    assert "largest gradient" in frame.status.diverged
    engine.apply(commands.NextInit())  # change a setting ...
    engine.apply(commands.TogglePause())  # ... and go on
    assert engine.state == RUNNING and frame.events[-1].label == "diverged"


def test_validation_every_k_steps_and_frame_contents(tmp_path):
    engine = tiny_engine(tmp_path)
    _train(engine, 10)
    engine.refresh_probe()
    frame = engine.frame()
    assert frame.val_history[:, 0].tolist() == [5.0, 10.0]
    assert math.isfinite(frame.status.val_loss) and frame.status.step == 10
    assert frame.probe.layers[0].hidden.shape == (16, 16)
    assert frame.loss_history.shape == (10, 2) and frame.grad_norm_history.shape == (10, 3)


def test_export_failure_is_a_notice(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    engine = tiny_engine(tmp_path)
    engine.run_dir = blocker / "run"
    assert engine.export() is None
    assert engine.notice.level == "error" and "export failed" in engine.notice.text


def test_sample_is_reproducible_and_from_vocab(tmp_path):
    a, b = tiny_engine(tmp_path), tiny_engine(tmp_path)
    assert a.new_sample(0.8).text == b.new_sample(0.8).text
    assert set(a.sample.text) <= set(a.corpus.vocab) and a.sample.temperature == 0.8


def test_corpus_written_helper_is_deterministic(tmp_path):
    assert write_corpus(tmp_path).read_text() == write_corpus(tmp_path, name="b.txt").read_text()


def test_an_exploding_model_still_samples_and_probes(tmp_path):
    engine = tiny_engine(tmp_path, model="rnn-relu", init="identity", init_gain=3.0, seq_len=40)
    sample = engine.new_sample(1.0)  # logits overflow to inf: no crash, still characters of the corpus
    assert len(sample.text) > 0 and set(sample.text) <= set(engine.corpus.vocab)
    assert engine.refresh_probe().layers[0].metrics.verdict == "exploding"


def test_a_waiting_command_defers_the_validation_to_the_next_step(tmp_path):
    """The dashboard's loop answers a key before a validation pass; the validation is owed, not lost."""
    engine = tiny_engine(tmp_path, val_every=3)
    calls = []
    engine.interrupted = lambda: calls.append(engine.step) or engine.step == 3  # a key waits at step 3
    for _ in range(4):
        engine.train_step()
    assert [int(step) for step, _ in engine.frame().val_history] == [4]
    assert 3 in calls and not engine.val_owed


def test_an_interrupted_memory_pass_keeps_the_last_measurement(tmp_path):
    engine = tiny_engine(tmp_path)
    first = engine.refresh_memory()
    engine.train_step()
    assert engine.refresh_memory(lambda: True) is None
    assert engine.memory is first
    assert engine.refresh_memory().step == 1


def test_an_interrupted_sample_keeps_the_last_and_leaves_the_sampling_reproducible(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    interrupted, plain = tiny_engine(tmp_path / "a"), tiny_engine(tmp_path / "b")
    first = interrupted.new_sample()
    plain.new_sample()
    calls = []
    assert interrupted.new_sample(interrupted=lambda: calls.append(1) or len(calls) > 5) is None  # mid-sample
    assert interrupted.sample is first
    assert interrupted.new_sample().text == plain.new_sample().text  # as if the interrupted one never started


def test_an_interrupted_probe_keeps_the_last_one(tmp_path):
    engine = tiny_engine(tmp_path)
    first = engine.refresh_probe()
    engine.train_step()
    calls = []
    assert engine.refresh_probe(lambda: calls.append(1) or len(calls) > 1) is None  # after the first backward pass
    assert engine.probe is first and len(calls) == 2
    assert engine.refresh_probe().step == 1


def test_the_export_shows_one_probe_of_its_step_and_says_so(tmp_path):
    from rnnscope.exporting.figure import _headline
    from rnnscope.storage.snapshot_load import load_snapshot_frame

    engine = tiny_engine(tmp_path)
    engine.refresh_probe()  # the probe the screen last showed: step 0
    _train(engine, 7)
    folder = engine.export()
    assert engine.probe.step == 7  # the export probed its own step, and that probe is the one published next
    loaded = load_snapshot_frame(folder)
    np.testing.assert_array_equal(loaded.probe.layers[0].hidden, engine.probe.layers[0].hidden)
    assert loaded.probe.layers[0].metrics.decay_per_step == pytest.approx(engine.probe.layers[0].metrics.decay_per_step)
    assert "probe @ step 7 " in _headline(engine.frame())  # the figure's title names the probe's step


def test_new_weights_clear_the_panels_of_the_old_ones(tmp_path):
    from rnnscope.contracts import commands

    engine = tiny_engine(tmp_path, val_every=1)
    engine.budget.budget = 1e9  # room: a memory pass at each validation
    _train(engine, 3)
    engine.new_sample()
    old_sample, old_memory = engine.sample, engine.memory
    assert old_memory is not None
    for command in (commands.NextModel(), commands.NextInit(), commands.Reset()):
        engine.apply(command)
        parts = engine.parts()
        assert parts["memory"] is None and parts["sample"] is not old_sample, command
        assert parts["probe"].step == engine.step
        old_sample = parts["sample"]


def test_the_best_validation_step_is_kept_in_meta_and_a_rising_validation_is_told(tmp_path, monkeypatch):
    import json

    from rnnscope.engine import engine as engine_module

    engine = tiny_engine(tmp_path, val_every=1)
    losses = iter([3.0, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.1])  # best at step 2, then rising
    monkeypatch.setattr(engine_module, "validation_loss", lambda *args: next(losses))
    monkeypatch.setattr(engine_module, "RISING_VALIDATIONS", 5)
    _train(engine, 6)
    assert engine.status().best_val == (2, 2.5) and (engine.notice is None or "rising" not in engine.notice.text)
    _train(engine, 1)  # step 7: five validations above the best
    assert "val rising since step 2 (best 2.500, now 3.000)" in engine.notice.text
    seq = engine.notice.seq
    _train(engine, 1)
    assert engine.notice.seq == seq  # told once per best
    meta = json.loads((engine.export() / "meta.json").read_text())
    assert meta["best_val"] == {"step": 2, "loss": 2.5}


def test_pausing_refreshes_the_probe(tmp_path):
    from rnnscope.contracts import commands

    engine = tiny_engine(tmp_path)
    engine.refresh_probe()
    _train(engine, 3)  # the probe stays at step 0 while training (the cadence decides)
    assert engine.probe.step == 0
    engine.apply(commands.TogglePause())
    assert engine.state == "PAUSED" and engine.probe.step == 3  # the probe's panels show the status line's step
