"""The probe of a watched module: the fast module probe over the Scope's inputs, packaged as a ProbeReading."""

from __future__ import annotations

import contextlib
import time

import numpy as np
import torch
from torch import nn

from rnnscope import cells
from rnnscope.contracts.frames import CONNECTIVITY_MAX_T, LayerProbe, ProbeReading
from rnnscope.measuring.module_probe import ModuleProbe, module_kind, probe_module, readout_loss
from rnnscope.storage.timeline.check import MAX_GATE_NAME, custom_gate_names
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.units.analysis import UnitStates, layer_states
from rnnscope.watch.inputs import ProbeInputs, no_surrogates
from rnnscope.watch.steps import StepModule
from rnnscope.watch.steps_probe import RowsProbe, module_sigmas, probe_rows
from rnnscope.watch.target import describe, directions, kind

TOLERANCE = 1e-4  # the module's own output may differ from the probe's by this much (times its scale above 1)
TOP_NAMED = 5  # the guesses the screen shows per position: their names are recorded with the frame
MAX_SAMPLE = 2000  # characters kept of a sample (and of its prime)


class WatchedProbe:
    """Probes `rnn` over its probe inputs (fixed, or embedded anew) with its current parameters; changes nothing the
    training sees."""

    def __init__(self, rnn: nn.RNNBase | StepModule, inputs: ProbeInputs) -> None:
        self.rnn = rnn
        self.inputs = inputs
        self.directions = directions(rnn)  # None: the fast probe; else the rows the generic probe unrolls
        self.shapes = {name: tuple(p.shape) for name, p in rnn.named_parameters()}  # as at construction
        self.axis = axis_text(inputs.labels)  # the frames' `text`: the labels are fixed at construction

    def unready(self) -> tuple[str, bool] | None:
        """Why the probe cannot run now and whether that can pass (True: retried later) or not; None when it can.
        Passing: inside torch.inference_mode(), parameters not float32 (model.double() / .half(), undone by
        .float()). Not passing: parameters on the meta device, or of another shape or name than at construction."""
        if torch.is_inference_mode_enabled():
            return "the loop runs inside torch.inference_mode()", True
        params = dict(self.rnn.named_parameters())
        if any(p.is_meta for p in params.values()):
            return "the module's parameters are on the meta device (they hold no values)", False
        changed = [name for name in self.shapes.keys() | params.keys()
                   if name not in params or self.shapes.get(name) != tuple(params[name].shape)]
        if changed:
            return (f"the module's parameter {sorted(changed)[0]} changed shape since the Scope was made: make a new "
                    "Scope for the new module", False)
        dtypes = {p.dtype for p in params.values()}
        if dtypes != {torch.float32}:
            return (f"the module's parameters are {', '.join(sorted(map(str, dtypes)))}, Scope probes float32 ones "
                    "(model.double() / .half()?)", True)
        return None

    def _device(self) -> torch.device:
        return next(self.rnn.parameters()).device

    @contextlib.contextmanager
    def _untouched(self):
        """No global random numbers drawn (a readout's dropout draws from a forked state), autocast off."""
        device = self._device()
        cuda = [device.index if device.index is not None else torch.cuda.current_device()] \
            if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda), torch.autocast(device.type, enabled=False):
            yield device

    def _measure(self, connectivity: bool) -> tuple[ModuleProbe | RowsProbe, torch.Tensor | None, torch.Tensor]:
        """The module probe, the readout's logits [T, V] (None without a readout) and the inputs [1, T, I]."""
        with self._untouched() as device:
            inputs = self.inputs.current(device, self.rnn.input_size)  # [1, T, I]
            readout, targets = self.inputs.readout, self.inputs.targets
            loss = None if readout is None else readout_loss(readout, targets.to(device))
            if self.directions is None:
                measured = probe_module(self.rnn, inputs, loss, connectivity=connectivity)
            else:
                sigmas = None if isinstance(self.rnn, StepModule) else module_sigmas(self.rnn)
                measured = probe_rows(self.directions, inputs, loss, connectivity, sigmas)
            if readout is None:
                return measured, None, inputs
            with torch.no_grad():
                return measured, readout(_top(measured).to(device)).float(), inputs  # [T, V]

    def check_reproduced(self) -> None:
        """ValueError when the module's own forward on the probe differs from the probe's states (or cannot run)."""
        dtypes = {p.dtype for p in self.rnn.parameters()}
        if dtypes != {torch.float32}:
            raise ValueError(f"the module's parameters are {', '.join(sorted(map(str, dtypes)))}: Scope probes "
                             "float32 weights (train in float32; autocast is fine)")
        with _as_refusal():
            own_output, own_last = self._own_forward()
            logits = None if self.inputs.readout is None else self._own_logits(own_output)
        if logits is not None:
            self._check_logits(logits)
        with _as_refusal():
            measured, _, _ = self._measure(connectivity=False)
        if isinstance(self.rnn, StepModule):
            _check_gates(measured.layers[0])
        ours = torch.from_numpy(np.stack([layer.hidden[0 if reverse else -1]
                                          for layer, reverse in zip(measured.layers, self._reversed())]))  # [L*D, H]
        gap = max(_gap(own_output, _top(measured).cpu()), -1.0 if own_last is None else _gap(own_last, ours))
        if not gap <= TOLERANCE and isinstance(self.rnn, StepModule):
            raise ValueError(f"the step's outputs differ from the module's own forward on the probe by {gap:.2g} "
                             f"(more than {TOLERANCE:g}): make step(x_t, state) compute what the module's forward "
                             "does, h_t its output at position t")
        if not gap <= TOLERANCE:
            raise ValueError(f"the module's own output on the probe differs from the unrolled pass by {gap:.2g} "
                             f"(more than {TOLERANCE:g}): weight-dropped / parametrized weights are not the module's own; "
                             "watch a plain nn.LSTM / nn.GRU / nn.RNN, or give cell_step= for a custom cell")

    def _reversed(self) -> list[bool]:
        """Per row of the frame, whether it runs backward over the positions."""
        if self.directions is None:
            return [False] * self.rnn.num_layers
        return [direction.reverse for layer in self.directions for direction in layer]

    def _own_forward(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The module's own output [T, H] and last hidden state per row [L*D, H] (None for a custom module's),
        without dropout between layers."""
        if isinstance(self.rnn, StepModule):
            with self._untouched() as device, torch.no_grad():
                made = self.rnn.module(self.inputs.current(device, self.rnn.input_size))  # [1, T, H] or (that, ..)
            output = made[0] if isinstance(made, (tuple, list)) else made
            return output[0].float().cpu(), None  # [T, H]
        rnn, dropout = self.rnn, self.rnn.dropout
        with self._untouched() as device, torch.no_grad():
            x = self.inputs.current(device, rnn.input_size)  # [1, T, I]
            try:
                rnn.dropout = 0.0  # the probe has no dropout; restored at once (construction only, one thread)
                output, state = rnn(x if rnn.batch_first else x.transpose(0, 1))
            finally:
                rnn.dropout = dropout
        h_n = state[0] if isinstance(state, tuple) else state  # [L*D, 1, H]
        output = output[0] if rnn.batch_first else output[:, 0]  # [T, D*H]
        return output.float().cpu(), h_n[:, 0].float().cpu()

    def _own_logits(self, top: torch.Tensor) -> torch.Tensor:
        """The readout on hidden states [T, H] (no graph, no global random numbers)."""
        with self._untouched() as device, torch.no_grad():
            return self.inputs.readout(top.to(device))

    def _check_logits(self, logits: torch.Tensor) -> None:
        steps = self.inputs.steps
        if logits.dim() != 2 or logits.shape[0] != steps:
            raise ValueError(f"readout maps the probe's hidden states [{steps}, H] to shape {list(logits.shape)}: "
                             f"it must give logits [{steps}, classes]")
        if int(self.inputs.targets.max()) >= logits.shape[1]:
            raise ValueError(f"targets hold class id {int(self.inputs.targets.max())} but the readout gives "
                             f"{logits.shape[1]} classes: give ids in [0, {logits.shape[1]})")

    def run(self, step: int) -> ProbeReading:
        """One probe at `step` as a ProbeReading: positions, not characters (`ids` count 0..T-1; `text` is each label's
        first character, '·' for an empty one, for the panels' time axis; the labels whole in `labels`; `embedding`
        [T, I] the module's input at each position, as it is now). Connectivity only up to CONNECTIVITY_MAX_T."""
        started = time.perf_counter()
        steps = self.inputs.steps
        measured, logits, inputs = self._measure(connectivity=steps <= CONNECTIVITY_MAX_T)
        targets = self.inputs.targets
        probs = np.zeros((steps, 0), np.float32) if logits is None else \
            torch.softmax(logits, dim=-1).cpu().numpy()  # [T, V]
        return ProbeReading(
            step=step, text=self.axis, ids=np.arange(steps, dtype=np.int64),
            targets=np.zeros(steps, np.int64) if targets is None else targets.numpy(),
            probs=probs, loss=float("nan") if logits is None else float(np.mean(measured.losses)),  # u . h_t is no loss
            layers=measured.layers,
            embedding=inputs[0].detach().cpu().numpy(),  # [T, I]
            cost_ms=(time.perf_counter() - started) * 1000.0,
            connectivity=measured.connectivity, labels=self.inputs.labels,
        )

    def unit_states(self, inputs: ProbeInputs) -> list[UnitStates]:
        """Every layer's h (and c) over other inputs of the module (a Scope's analysis), one no-grad pass, nothing
        drawn from the global random generators."""
        with self._untouched() as device:
            x = inputs.current(device, self.rnn.input_size)[0]  # [N, I]
            return layer_states(self.rnn, module_kind(self.rnn), x)

    def class_names(self, probe: ProbeReading) -> dict[int, str]:
        """The names of the classes a frame shows (each position's top guesses and target), id -> name; {} without
        names. Bounded by (TOP_NAMED + 1) * T, whatever the number of classes."""
        classes = probe.probs.shape[1]
        if self.inputs.names is None or not classes:
            return {}
        shown = min(TOP_NAMED, classes)
        top = np.argpartition(-probe.probs, shown - 1, axis=1)[:, :shown]  # [T, shown]
        ids = set(top.ravel().tolist()) | set(probe.targets.tolist())
        return {i: name for i in sorted(ids) if (name := self.inputs.name(i))}

    def sample(self) -> tuple[str, str] | None:
        """The user's sampling function's text as (prime, continuation), cut to MAX_SAMPLE characters; run with the
        global random generators forked (its draws leave training's alone) and no graph."""
        if self.inputs.sample is None:
            return None
        with self._untouched(), torch.no_grad():
            made = self.inputs.sample()
        prime, text = made if isinstance(made, tuple) and len(made) == 2 else ("", made)
        if not isinstance(prime, str) or not isinstance(text, str):
            raise ValueError(f"sample gave {type(made).__name__}: it must return text, or (prime, text)")
        return no_surrogates(prime[-MAX_SAMPLE:]), no_surrogates(text[:MAX_SAMPLE])

    def meta(self) -> FrameMeta:
        """What the timeline records once about the watched module (with the rows' names for rows of steps)."""
        rows = None  # the rows' names ("L0 fwd", "L0 bwd", ...) of rows of steps: plain layers go by number
        if self.directions is not None:
            rows = tuple(direction.label for layer in self.directions for direction in layer)
        return FrameMeta(
            watched=True, model=describe(self.rnn), kind=kind(self.rnn), rows=rows,
            loss="cross-entropy of the readout" if self.inputs.readout else "u . h_t, u a unit vector from seed 0",
            inputs="fixed vectors" if self.inputs.embed is None else "token ids embedded at each probe")


def axis_text(labels: tuple[str, ...]) -> str:
    """T+1 characters for the time axis: each label's first character ('·' for an empty one), then a space."""
    return "".join(label[:1] or "·" for label in labels) + " "


@contextlib.contextmanager
def _as_refusal():
    """Whatever fails while the module runs on the probe becomes one ValueError saying what to check."""
    try:
        yield
    except Exception as error:
        raise ValueError(f"Scope could not run the module on the probe ({type(error).__name__}: {error}): "
                         "check the probe's shape and device, or watch a plain nn.LSTM / nn.GRU / nn.RNN") from None


def _check_gates(layer: LayerProbe) -> None:
    """ValueError for a custom step's gates the screen cannot show: none at all, or names it cannot draw."""
    if not layer.gate_names and layer.pre_activation is None:
        raise ValueError("the step gave no gates: return at least one, {name: [1, H] tensor} (or 'pre_activation' "
                         "for a vanilla cell)")
    if layer.gate_names not in cells.GATE_NAMES.values() and not custom_gate_names(layer.gate_names):
        raise ValueError(f"the step's gate names {list(layer.gate_names)[:8]!r:.80} cannot be shown: give distinct, "
                         f"printable names of 1 to {MAX_GATE_NAME} characters")


def _top(measured: ModuleProbe | RowsProbe) -> torch.Tensor:
    """The module's output over the probe [T, H_out]: the generic probe's, or the fast probe's top layer."""
    return measured.top if isinstance(measured, RowsProbe) else torch.from_numpy(measured.layers[-1].hidden)


def _gap(own: torch.Tensor, ours: torch.Tensor) -> float:
    """max |own - ours| relative to the values' scale where it is above 1 (nan when a shape or value is off)."""
    if own.shape != ours.shape:
        return float("nan")
    scale = max(1.0, float(ours.abs().max()))
    return float((own - ours).abs().max()) / scale
