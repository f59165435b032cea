"""Deterministic synthetic Frames (seeded numpy, no torch) for UI, export and replay tests."""

from __future__ import annotations

import math

import numpy as np

from rnnscope import cells
from rnnscope.cells import GATE_NAMES
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import (
    EXPLODING,
    HEALTHY,
    RUNNING,
    VANISHING,
    Event,
    Frame,
    LayerMetrics,
    LayerProbe,
    MemoryReading,
    ProbeReading,
    RunStatus,
    Sample,
    Saturation,
    StepStats,
)

EMBED = 8  # embedding size of the fake model
# Characters the fake vocab is drawn from, most useful first; '\n' and ' ' always come first.
VOCAB_POOL = "\n etaoinshrdlucmfwypvbgkjqxz.,;:!?'-ETAOINSHRDLUCMFWYPVBGKJQXZ0123456789"
# How fast the backward flow shrinks (< 1) or grows (> 1) per step back, per model.
FLOW_RATIO = {"lstm": 0.96, "gru": 0.93, "rnn-tanh": 0.78, "rnn-relu": 1.16, "mingru": 0.9, "minlstm": 0.92}
CLIP = 1.0  # the fake run's clipping threshold


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _layer_states(model: str, rng: np.random.Generator, T: int, H: int):
    """Gates [G, T, H], pre-activation [T, H] | None, cell [T, H] | None, hidden [T, H] from a real recurrence."""
    if model == "lstm":
        bias = np.array([0.0, 1.5, 0.0, 0.0])[:, None, None]  # forget gate leans open
        raw = rng.normal(bias, 2.0, size=(4, T, H))  # [4, T, H]
        gates = np.stack([_sigmoid(raw[0]), _sigmoid(raw[1]), np.tanh(raw[2]), _sigmoid(raw[3])])  # [4, T, H]
        cell = np.zeros((T, H))  # [T, H]
        c_prev = np.zeros(H)  # [H]
        for t in range(T):
            c_prev = gates[1, t] * c_prev + gates[0, t] * gates[2, t]
            cell[t] = c_prev
        hidden = gates[3] * np.tanh(cell)  # [T, H]
        return gates, None, cell, hidden
    if model == "gru":
        raw = rng.normal(0.0, 2.0, size=(3, T, H))  # [3, T, H]
        gates = np.stack([_sigmoid(raw[0]), _sigmoid(raw[1]), np.tanh(raw[2])])  # [3, T, H]
        hidden = np.zeros((T, H))  # [T, H]
        h_prev = np.zeros(H)  # [H]
        for t in range(T):
            h_prev = (1.0 - gates[1, t]) * gates[2, t] + gates[1, t] * h_prev
            hidden[t] = h_prev
        return gates, None, None, hidden
    if cells.JACOBIAN in GATE_NAMES[model]:  # a min cell: h_t = keep * h_(t-1) + (1 - keep) * candidate
        raw = rng.normal(0.0, 2.0, size=(len(GATE_NAMES[model]), T, H))  # [G, T, H]
        gates = _sigmoid(raw)  # [G, T, H]
        gates[-2] = np.where(raw[-2] >= 0, raw[-2] + 0.5, gates[-2])  # the positive candidate g(x)
        gates[-1] = 1.0 - gates[0] if model == "mingru" else gates[0] / (gates[0] + gates[1])  # the Jacobian
        hidden = np.zeros((T, H))  # [T, H]
        h_prev = np.zeros(H)  # [H]
        for t in range(T):
            h_prev = gates[-1, t] * h_prev + (1.0 - gates[-1, t]) * gates[-2, t]
            hidden[t] = h_prev
        return gates, None, None, hidden
    pre_activation = rng.normal(0.0, 1.5, size=(T, H))  # [T, H]
    hidden = np.tanh(pre_activation) if model == "rnn-tanh" else np.maximum(pre_activation, 0.0)  # [T, H]
    return np.zeros((0, T, H)), pre_activation, None, hidden


def _flow(rng: np.random.Generator, T: int, ratio: float, last: float) -> np.ndarray:
    """A gradient-norm curve over time [T] that changes by `ratio` per step back from `last` at t = T-1."""
    steps_back = np.arange(T - 1, -1, -1)  # [T]
    wobble = np.exp(rng.normal(0.0, 0.05, size=T))  # [T]
    return last * ratio**steps_back * wobble  # [T]


def _path_metrics(flow: np.ndarray) -> tuple[float, float, str]:
    """Decay per step, memory horizon and verdict of one backward flow [T]."""
    T = flow.shape[0]
    decay = float((flow[0] / flow[T - 1]) ** (1.0 / (T - 1)))
    horizon = math.inf if decay >= 1.0 else math.log(0.01) / math.log(decay)
    return decay, horizon, VANISHING if decay < 0.9 else EXPLODING if decay > 1.1 else HEALTHY


def flow_metrics(grad_h: np.ndarray, gates: np.ndarray, model: str, sigma_max,
                 grad_c: np.ndarray | None = None) -> LayerMetrics:
    """The section-3 metrics (and section 8's cell path) computed from the arrays themselves: self-consistent."""
    decay, horizon, verdict = _path_metrics(grad_h)
    cell = dict(zip(("cell_decay_per_step", "cell_memory_horizon", "cell_verdict"), _path_metrics(grad_c))) \
        if grad_c is not None else {}
    names = GATE_NAMES[model]
    saturation = {
        name: Saturation(low=float(np.mean(gates[names.index(name)] < 0.1)), high=float(np.mean(gates[names.index(name)] > 0.9)))
        for name in cells.facts_of(model).sigmoid_gates
    }
    return LayerMetrics(decay_per_step=decay, memory_horizon=horizon, verdict=verdict, sigma_max=sigma_max,
                        saturation=saturation, **cell)


def _make_layer(model: str, layer: int, rng: np.random.Generator, T: int, H: int) -> LayerProbe:
    gates, pre_activation, cell, hidden = _layer_states(model, rng, T, H)
    ratio = FLOW_RATIO[model] ** (1.0 + 0.1 * layer)
    grad_h = _flow(rng, T, ratio, last=0.5)  # [T]
    grad_c = _flow(rng, T, min(ratio + 0.02, 0.999), last=0.4) if model == "lstm" else None  # [T]
    grad_h_total = grad_h + np.abs(rng.normal(0.05, 0.02, size=T))  # [T]
    names = GATE_NAMES[model]
    if names:
        sigma_max = {name: float(rng.uniform(0.6, 1.6)) for name in names}
    else:
        sigma_max = float(FLOW_RATIO[model] * 1.2)
    return LayerProbe(
        gate_names=names,
        gates=gates.astype(np.float32),
        pre_activation=None if pre_activation is None else pre_activation.astype(np.float32),
        cell=None if cell is None else cell.astype(np.float32),
        hidden=hidden.astype(np.float32),
        grad_h=grad_h.astype(np.float32),
        grad_c=None if grad_c is None else grad_c.astype(np.float32),
        grad_h_total=grad_h_total.astype(np.float32),
        metrics=flow_metrics(grad_h.astype(np.float32), gates, model, sigma_max,
                             None if grad_c is None else grad_c.astype(np.float32)),
    )


def _make_probe(model: str, layers: int, rng: np.random.Generator, vocab: tuple[str, ...], T: int, H: int,
                step: int) -> ProbeReading:
    V = len(vocab)
    char_ids = rng.integers(0, V, size=T + 1)  # [T+1]
    char_ids[[T // 3, (2 * T) // 3]] = [vocab.index("\n"), vocab.index(" ")]  # the probe always holds both
    text = "".join(vocab[i] for i in char_ids)
    ids, targets = char_ids[:-1].astype(np.int64), char_ids[1:].astype(np.int64)  # [T], [T]
    logits = rng.normal(0.0, 1.0, size=(T, V))  # [T, V]
    logits[np.arange(T), targets] += 2.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # [T, V]
    loss = float(-np.mean(np.log(probs[np.arange(T), targets])))
    return ProbeReading(
        step=step,
        text=text,
        ids=ids,
        targets=targets,
        probs=probs.astype(np.float32),
        loss=loss,
        layers=tuple(_make_layer(model, layer, rng, T, H) for layer in range(layers)),
        embedding=rng.normal(0.0, 1.0, size=(V, EMBED)).astype(np.float32),  # [V, E]
        cost_ms=3.5,
        connectivity=fake_connectivity(T),
    )


def fake_connectivity(T: int) -> np.ndarray:
    """[T, T]: lower-triangular, falling 10x per 4 steps back from the diagonal, a bump at s = 0 (no RNG draws)."""
    back = np.arange(T)[:, None] - np.arange(T)[None, :]  # [T, T] t - s
    values = np.where(back >= 0, 10.0 ** (-back / 4.0), 0.0)  # [T, T]
    values[:, 0] = np.where(np.arange(T) > 0, 0.05, values[:, 0])  # the key column, as on the recall task
    return values.astype(np.float32)


def param_shapes(model: str, layers: int, H: int, V: int) -> dict[str, tuple[int, ...]]:
    """PyTorch state_dict names and shapes of the fake model (embedding, rnn, head)."""
    blocks = {"lstm": 4, "gru": 3}.get(model, 1)
    shapes: dict[str, tuple[int, ...]] = {"embedding.weight": (V, EMBED)}
    for layer in range(layers):
        inputs = EMBED if layer == 0 else H
        shapes[f"rnn.weight_ih_l{layer}"] = (blocks * H, inputs)
        shapes[f"rnn.weight_hh_l{layer}"] = (blocks * H, H)
        shapes[f"rnn.bias_ih_l{layer}"] = (blocks * H,)
        shapes[f"rnn.bias_hh_l{layer}"] = (blocks * H,)
    shapes["head.weight"] = (V, H)
    shapes["head.bias"] = (V,)
    return shapes


def make_weights(model: str = "lstm", layers: int = 1, H: int = 16, V: int = 12, seed: int = 0) -> dict[str, np.ndarray]:
    """Random float32 weights under PyTorch's state_dict names, as the engine hands them to export."""
    rng = np.random.default_rng(seed)
    shapes = param_shapes(model, layers, H, V)
    return {name: rng.normal(0.0, 0.1, size=shape).astype(np.float32) for name, shape in shapes.items()}


def _histories(rng: np.random.Generator, V: int, step: int):
    """Loss [N, 2], val [M, 2] and grad-norm [N, 3] histories up to `step` (at most 300 rows)."""
    steps = np.unique(np.round(np.linspace(1, step, min(step, 300))))  # [N]
    start, floor = math.log(V), 0.55 * math.log(V)
    train = floor + (start - floor) * np.exp(-steps / (0.3 * step + 1)) + rng.normal(0, 0.03, size=steps.shape)  # [N]
    val_steps = steps[:: max(1, len(steps) // 10)]  # [M]
    val = floor + 0.05 + (start - floor) * np.exp(-val_steps / (0.3 * step + 1))  # [M]
    pre = np.exp(rng.normal(0.0, 0.6, size=steps.shape))  # [N]
    post = np.minimum(pre, CLIP)  # [N]
    return (
        np.column_stack([steps, train]),  # [N, 2]
        np.column_stack([val_steps, val]),  # [M, 2]
        np.column_stack([steps, pre, post]),  # [N, 3]
    )


def _last_step(rng: np.random.Generator, model: str, layers: int, H: int, V: int, step: int, loss: float) -> StepStats:
    names = list(param_shapes(model, layers, H, V))
    grad_norms = {name: float(x) for name, x in zip(names, np.exp(rng.normal(-1.0, 0.8, size=len(names))))}
    total_pre = math.sqrt(sum(g * g for g in grad_norms.values()))
    scale = min(1.0, CLIP / total_pre)
    return StepStats(
        step=step,
        loss=loss,
        grad_norms=grad_norms,
        grad_norms_post={name: g * scale for name, g in grad_norms.items()},
        total_pre=total_pre,
        total_post=total_pre * scale,
        clipped=scale < 1.0,
    )


def make_memory(rng: np.random.Generator, T: int, step: int, full: float) -> MemoryReading:
    """A context curve falling from ~3.3 nats at k = 1 to `full` at k = T (no task)."""
    ks = np.array([k for k in (1 << i for i in range(T.bit_length())) if k < T] + [T], dtype=np.int64)  # [K]
    losses = full + (3.3 - full) * np.exp(-(ks - 1) / 6.0) + np.abs(rng.normal(0.0, 0.01, size=len(ks)))  # [K]
    losses[-1] = full
    return MemoryReading(step=step, context_k=ks, context_loss=losses, full=full, task=None, distance_range=None,
                       chance=None, distances=np.zeros(0, dtype=np.int64), accuracy=np.zeros(0),
                       items=np.zeros(0, dtype=np.int64), cost_ms=12.0)


def make_frame(model: str = "lstm", layers: int = 1, T: int = 24, H: int = 16, V: int = 12, step: int = 100,
               seed: int = 0) -> Frame:
    """A complete, self-consistent Frame as the engine would publish it after `step` training steps."""
    if not 3 <= V <= len(VOCAB_POOL):
        raise ValueError(f"V must be between 3 and {len(VOCAB_POOL)}")
    rng = np.random.default_rng(seed)
    vocab = tuple(sorted(VOCAB_POOL[:V]))
    loss_history, val_history, grad_norm_history = _histories(rng, V, step)
    probe = _make_probe(model, layers, rng, vocab, T, H, step)
    sample_ids = rng.integers(0, V, size=60)  # [60]
    n_params = sum(int(np.prod(shape)) for shape in param_shapes(model, layers, H, V).values())
    recent = grad_norm_history[-50:]  # [<=50, 3]
    config = RunConfig(corpus="shakespeare.txt", model=model, layers=layers, hidden=H, embed=EMBED, clip=CLIP,
                       init="default", init_gain=1.0, lr=0.003, optimizer="adam", seq_len=T, batch=32)
    status = RunStatus(
        config=config,
        corpus="shakespeare.txt",
        n_params=n_params,
        step=step,
        state=RUNNING,
        clip_fire_rate=float(np.mean(recent[:, 1] > CLIP)),
        device="cpu",
        threads=1,
        train_loss=float(loss_history[-1, 1]),
        val_loss=float(val_history[-1, 1]),
        chars_per_s=12345.0,
        run_dir="rnnscope-runs/fake",
    )
    return Frame(
        seq=step,
        status=status,
        vocab=vocab,
        last_step=_last_step(rng, model, layers, H, V, step, float(loss_history[-1, 1])),
        loss_history=loss_history,
        val_history=val_history,
        grad_norm_history=grad_norm_history,
        events=(Event(step // 4, "clip off"), Event(step // 2, "clip 1.0")),
        probe=probe,
        sample=Sample(step=step, prime=vocab[-1], text="".join(vocab[i] for i in sample_ids), temperature=1.0),
        memory=make_memory(rng, T, step, float(val_history[-1, 1])),
    )
