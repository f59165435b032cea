"""Scope in a training loop: training unchanged bit for bit, what it records, how it ends, how it fails."""

import gc
import shutil
import subprocess
import sys
import time
import warnings

import pytest
import torch

from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.watch.grad_norms import GradNorms
from rnnscope.watch.scope import Scope
from tests.watch_fixtures import WordLM, frames_in, train


def scope_for(run_dir, **options):
    def make(model):
        probe = model.encoder(torch.arange(7)).detach()  # [T, E]: the module's input for one sequence
        return Scope(model.rnn, run_dir, probe=probe, targets=torch.arange(1, 8), readout=model.decoder,
                     labels=[f"w{i}" for i in range(7)], **options)
    return make


@pytest.mark.parametrize("options", [{"every": 1}, {}])
def test_a_watched_run_trains_exactly_as_the_unwatched_one(tmp_path, options):
    plain, plain_model, _ = train()
    watched, watched_model, scope = train(make_scope=scope_for(tmp_path, **options))
    assert watched == plain  # bit for bit: dropout's draws, the grads, the clipping, the optimizer
    for a, b in zip(plain_model.parameters(), watched_model.parameters()):
        assert torch.equal(a, b)
    frames = frames_in(tmp_path)
    assert len(frames) == (12 if options else len(frames)) and frames[0].entry.step == 0
    scope.close()


def test_frames_hold_the_pre_clip_gradient_norms_and_the_mean_loss(tmp_path):
    torch.manual_seed(0)
    model = WordLM()
    scope = scope_for(tmp_path, every=2)(model)
    losses = []
    for step in range(4):
        loss = model(torch.randint(0, 11, (2, 5))).square().mean()
        loss.backward()
        scope.grads(step)
        expected = {name: float(p.grad.norm()) for name, p in model.rnn.named_parameters()}
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1e-3)  # clipping fires: the norms are from before it
        losses.append(loss.item())
        scope.step(step, loss=loss)
        model.zero_grad()
        if step % 2 == 0:
            frame = frames_in(tmp_path)[-1]
            meta = frame.meta
            assert meta["grad_norms"] == pytest.approx(expected, rel=1e-5) and meta["grad_step"] == step
            assert frame.probe.labels == tuple(f"w{i}" for i in range(7))
            assert meta["model"] == "LSTM 2x8 in 6, batch_first" and frame.probe.connectivity.shape == (7, 7)
    frames = frames_in(tmp_path)
    assert [f.entry.step for f in frames] == [0, 2]
    assert frames[1].entry.train_loss == pytest.approx(sum(losses[1:3]) / 2)  # the losses since the last frame


@pytest.mark.slow
def test_between_probes_a_fast_loop_pays_next_to_nothing_for_the_gradient_norms(tmp_path, monkeypatch):
    # the word LM's tiny steps take well under a millisecond each: norms at every step (tens of microseconds) would
    # be several percent of the loop, the whole budget the probes need (a DDP example ran 600 steps on 2 frames)
    # (the share counts the start-up probe at step 0 too: the scope's calls after it are timed here)
    spent = {"first": 0.0, "after": 0.0}

    def timed_scope(model):
        scope = scope_for(tmp_path, every=1000)(model)
        scope.grads, scope.step = timing(scope.grads), timing(scope.step)
        return scope

    def timing(call):
        def timed(step, *args, **kwargs):
            started = time.perf_counter()
            call(step, *args, **kwargs)
            spent["first" if step == 0 else "after"] += time.perf_counter() - started
        return timed

    taken = []
    real_take = GradNorms.take
    monkeypatch.setattr(GradNorms, "take", lambda self, step: (taken.append(step), real_take(self, step)))
    started = time.perf_counter()
    _, _, scope = train(steps=200, make_scope=timed_scope)
    loop = time.perf_counter() - started - spent["first"]
    assert [f.entry.step for f in frames_in(tmp_path)] == [0]
    assert taken == [0]  # norms only for a frame (at every step: ~1.4% of this loop instead of ~0.3%)
    assert spent["after"] / loop < 0.02, spent
    scope.close()


@pytest.mark.slow
def test_close_garbage_collection_and_exit_mark_the_run_ended(tmp_path):
    _, _, scope = train(steps=3, make_scope=scope_for(tmp_path / "a", every=1))
    assert read_heartbeat(tmp_path / "a").state == "running"
    scope.close()
    beat = read_heartbeat(tmp_path / "a")
    assert beat.state == "ended" and beat.step == 2 and beat.rank == 0
    _, _, scope = train(steps=2, make_scope=scope_for(tmp_path / "b", every=1))
    del scope
    gc.collect()
    assert read_heartbeat(tmp_path / "b").state == "ended"
    code = ("import torch, rnnscope\n"
            f"s = rnnscope.Scope(torch.nn.GRU(2, 3), {str(tmp_path / 'c')!r}, probe=torch.ones(4, 2))\n"
            "s.step(0)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, capture_output=True)
    assert read_heartbeat(tmp_path / "c").state == "ended"


def test_a_folder_that_cannot_be_written_costs_one_warning_and_training_goes_on(tmp_path):
    run_dir = tmp_path / "run"

    def make(model):
        scope = scope_for(run_dir, every=1)(model)
        shutil.rmtree(run_dir)  # the folder goes (a cleanup script), and a file takes its name: nothing can be made
        run_dir.write_text("not a folder")
        return scope

    plain, _, _ = train(steps=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        watched, _, scope = train(steps=4, make_scope=make)
        scope.close()
    assert watched == plain
    assert len(caught) == 1 and "stopped writing" in str(caught[0].message)


def test_ranks_other_than_zero_publish_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("RANK", "1")
    watched, _, scope = train(steps=3, make_scope=scope_for(tmp_path / "r1", every=1))
    assert scope.active is False and not (tmp_path / "r1").exists()


@pytest.mark.slow
def test_import_rnnscope_is_light_and_scope_loads_no_textual_or_rich():
    def loaded(code):
        done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                              capture_output=True, text=True, timeout=120, check=True)
        return {name.split(".")[0] for name in done.stdout.split()}

    assert not loaded("import rnnscope") & {"torch", "numpy", "textual", "rich"}
    with_scope = loaded("from rnnscope import Scope")
    assert "torch" in with_scope and not with_scope & {"textual", "rich"}
