"""Scope as a guest in the user's loop: whatever it meets at run time is one RuntimeWarning naming the cause, then it
skips (and resumes) or stops; training goes on with its losses unchanged. And the numbers it writes, sanitised."""

import contextlib
import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from rnnscope.contracts.frames import CONNECTIVITY_MAX_T
from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.watch.scope import Scope
from tests.watch_fixtures import WordLM, frames_in


def watch(model, run_dir, readout=None, **options):
    probe = model.encoder(torch.arange(7)).detach()  # [T, E]
    return Scope(model.rnn, run_dir, probe=probe, targets=torch.arange(1, 8),
                 readout=model.decoder if readout is None else readout, every=1, **options)


@contextlib.contextmanager
def told():
    """The RuntimeWarnings raised inside, as texts (any other warning, e.g. numpy's, fails the test)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        said: list[str] = []
        yield said
    others = [w for w in caught if not issubclass(w.category, RuntimeWarning) or "rnnscope Scope" not in str(w.message)]
    assert not others, [str(w.message) for w in others]
    said += [str(w.message) for w in caught]


def loop(run_dir, change=lambda model, step: None, steps=8, watched=True):
    """The fixture model trained `steps` steps; `change(model, step)` may convert the model or give a context to run
    the step in. Returns (losses, scope, the scope's warnings)."""
    torch.manual_seed(0)
    model = WordLM()
    data = torch.randint(0, 11, (steps, 4, 9))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scope = watch(model, run_dir) if watched else None
    losses = []
    with told() as said:
        for step in range(steps):
            with change(model, step) or contextlib.nullcontext():
                dtype = next(model.parameters()).dtype
                loss = nn.functional.cross_entropy(model(data[step, :, :-1]).reshape(-1, 11).to(dtype),
                                                   data[step, :, 1:].reshape(-1))
                if loss.requires_grad:
                    loss.backward()
                    if scope:
                        scope.grads(step)
                    optimizer.step()
                    optimizer.zero_grad()
                if scope:
                    scope.step(step, loss=loss)
            losses.append(loss.item())
        if scope:
            scope.close()
    return losses, scope, said


@pytest.mark.parametrize(("convert", "cause"), [
    (lambda m: m.double(), "parameters are torch.float64"),
    (lambda m: m.half(), "parameters are torch.float16"),
    (lambda m: m.to(torch.bfloat16), "parameters are torch.bfloat16"),
])
def test_a_dtype_that_can_pass_is_told_once_skipped_and_probed_again_after(tmp_path, convert, cause):
    def change(model, step):  # converted for steps 2-4, float32 again from step 5
        if step in (2, 5):
            (convert if step == 2 else nn.Module.float)(model)

    losses, _, said = loop(tmp_path / "run", change)
    plain, _, _ = loop(tmp_path / "plain", change, watched=False)
    assert losses == plain  # bit for bit, through the conversions and the skipped probes
    assert len(said) == 1 and cause in said[0] and "skipped until it passes, then resume" in said[0]
    assert [f.entry.step for f in frames_in(tmp_path / "run")] == [0, 1, 5, 6, 7]


def test_inside_inference_mode_probes_wait_and_resume_after(tmp_path):
    losses, _, said = loop(tmp_path, lambda m, step: torch.inference_mode() if step in (2, 3) else None)
    plain, _, _ = loop(tmp_path / "plain", lambda m, step: torch.inference_mode() if step in (2, 3) else None,
                       watched=False)
    assert losses == plain and len(said) == 1 and "inside torch.inference_mode()" in said[0]
    assert [f.entry.step for f in frames_in(tmp_path)] == [0, 1, 4, 5, 6, 7]


class Flaky(nn.Module):
    """A readout that starts raising once broken (a user's head that changes under the scope)."""

    def __init__(self, head):
        super().__init__()
        self.head, self.broken = head, False

    def forward(self, hidden):
        if self.broken:
            raise KeyError("a head that now wants a dict")
        return self.head(hidden)


def _resize_readout(model, _):
    model.decoder.weight = nn.Parameter(torch.zeros(3, 8))  # 3 classes now: the probe's targets go to 7
    model.decoder.bias = nn.Parameter(torch.zeros(3))


@pytest.mark.parametrize(("change", "cause"), [
    (lambda m, _: m.rnn.to("meta"), "parameters are on the meta device"),
    (lambda m, _: m.to("meta"), "parameters are on the meta device"),
    (lambda m, _: setattr(m.rnn, "weight_hh_l1", nn.Parameter(torch.zeros(40, 9))), "weight_hh_l1 changed shape"),
    (lambda m, _: setattr(m.rnn, "extra", nn.Parameter(torch.zeros(2))), "parameter extra changed shape"),
    (_resize_readout, r"the probe failed \((IndexError|RuntimeError)"),
    (lambda m, head: setattr(head, "broken", True), r"the probe failed \(KeyError: 'a head that now wants a dict'\)"),
])
def test_what_cannot_pass_stops_the_scope_with_one_warning_and_ends_the_run(tmp_path, change, cause):
    torch.manual_seed(0)
    model = WordLM()
    head = Flaky(model.decoder)
    scope = watch(model, tmp_path, readout=head)
    with told() as said:
        for step in range(2):
            scope.step(step, loss=1.0)
        change(model, head)
        for step in range(2, 6):
            scope.grads(step)
            scope.step(step, loss=torch.tensor(1.0))
        scope.close()
    assert len(said) == 1 and "stops watching (training goes on, unchanged)" in said[0]
    assert re.search(cause, said[0]), said
    assert [f.entry.step for f in frames_in(tmp_path)] == [0, 1]
    assert read_heartbeat(tmp_path).state == "ended"


@pytest.mark.parametrize(("loss", "shown", "kept"), [
    (np.array([1.0, 2.0]), "ndarray", None), (10 ** 400, "int", None),
    pytest.param(10 ** 5000, "int", None, id="10**5000"), (object(), "object", None),
    (type("Hostile", (), {"__repr__": lambda self: 1 / 0, "__float__": lambda self: 1 / 0})(), "Hostile", None),
    (torch.tensor([1 + 2j]), "Tensor", None), (torch.empty(0), "Tensor", None),
    (torch.ones(2, device="meta"), "Tensor", None),
    ("1.5", None, 1.5), (float("inf"), None, None), (np.float32(2.5), None, 2.5), (torch.tensor([2.0, 3.0]), None, 2.5),
])
def test_any_loss_the_loop_passes_is_kept_when_it_is_a_number_and_told_once_when_not(tmp_path, loss, shown, kept):
    torch.manual_seed(0)
    scope = watch(WordLM(), tmp_path)
    with told() as said:
        scope.step(0, loss=1.0)
        for step in (1, 2):
            scope.step(step, loss=loss)
        scope.close()
    frames = frames_in(tmp_path)
    assert frames[0].entry.train_loss == 1.0
    if shown is None:
        assert not said and frames[-1].entry.train_loss == kept  # inf: written as null (nan when read)
    else:
        assert len(said) == 1 and f"loss={shown}" in said[0] and "left out of the frames' train loss" in said[0]
        assert frames[-1].entry.train_loss is None  # no number since the last frame


def test_non_finite_gradient_norms_and_weights_are_recorded_as_such_and_recording_goes_on(tmp_path):
    torch.manual_seed(0)
    model = WordLM()
    scope = watch(model, tmp_path)
    with told() as said:
        for step in range(4):
            model(torch.randint(0, 11, (2, 5))).sum().backward()
            model.rnn.weight_hh_l0.grad[0, 0] = [float("inf"), float("nan"), 1.0, 2.0][step]  # AMP's skipped steps
            scope.grads(step)
            if step == 2:
                with torch.no_grad():
                    model.rnn.weight_ih_l0.fill_(float("nan"))  # diverged: every state nan from here
            scope.step(step, loss=float("nan") if step == 2 else 1.0)
            model.zero_grad()
        scope.close()
    # one notice for the diverged probes (never written: the reader refuses nan states), and no numpy 'All-NaN
    # slice' warning in the user's stderr (told() fails on any other warning)
    assert len(said) == 1 and "holds what the screen cannot draw" in said[0] and "diverged" in said[0]
    frames = frames_in(tmp_path)
    assert [f.entry.step for f in frames] == [0, 1]
    assert frames[0].meta["grad_total"] is None and frames[0].meta["grad_norms"]["weight_hh_l0"] is None
    assert frames[1].meta["grad_total"] is None and frames[1].meta["grad_norms"]["weight_ih_l0"] > 0


def test_a_long_probe_skips_connectivity_and_says_so_at_construction(tmp_path):
    rnn = nn.LSTM(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        long = Scope(rnn, tmp_path / "long", probe=torch.randn(CONNECTIVITY_MAX_T + 1, 2), every=1)
        short = Scope(rnn, tmp_path / "short", probe=torch.randn(CONNECTIVITY_MAX_T, 2), every=1)
    assert len(caught) == 1 and f"has {CONNECTIVITY_MAX_T + 1} steps, so its frames skip the connectivity" in \
        str(caught[0].message)
    for scope in (long, short):
        scope.step(0)
        scope.close()
    assert frames_in(tmp_path / "long")[0].probe.connectivity is None
    assert frames_in(tmp_path / "short")[0].probe.connectivity.shape == (CONNECTIVITY_MAX_T,) * 2


@contextlib.contextmanager
def default_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


@pytest.mark.parametrize("context", [torch.no_grad, lambda: torch.autocast("cpu", dtype=torch.bfloat16),
                                     default_float64, torch.enable_grad])
def test_the_loops_own_modes_change_nothing_the_probe_measures(tmp_path, context):
    torch.manual_seed(0)
    model = WordLM()
    scope = Scope(model.rnn, tmp_path, probe=torch.arange(7), embedding=model.encoder, targets=torch.arange(1, 8),
                  readout=model.decoder, every=1)
    with told() as said:
        scope.step(0)
        with context():
            scope.step(1)
        scope.close()
    assert not said
    first, second = frames_in(tmp_path)
    assert second.entry.step == 1 and second.probe.loss == first.probe.loss  # same weights: the same probe
