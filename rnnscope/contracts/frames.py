"""The plain-numpy Frame (the picture of a run at one moment) and its parts, readings among them: no torch, no Textual."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.states import DIVERGED, EXPLODING, HEALTHY, PAUSED, RUNNING, VANISHING  # noqa: F401 (the frames' words)
from rnnscope.contracts.tunes import TunesReading
from rnnscope.contracts.units import UnitsReading

CONNECTIVITY_MAX_T = 512  # longer probes skip the connectivity map: [T, T] grows with T² (8,000 chars: 256 MB)


@dataclass(frozen=True)
class Saturation:
    """Fraction of a sigmoid gate's entries that sit near 0 (< 0.1) and near 1 (> 0.9)."""

    low: float
    high: float


@dataclass(frozen=True)
class LayerMetrics:
    """The derived per-layer numbers of PRODUCT.md section 3."""

    decay_per_step: float  # (grad_h[0] / grad_h[T-1]) ** (1 / (T - 1))
    memory_horizon: float  # steps back until the flow falls to 1%; math.inf when decay >= 1
    verdict: str  # VANISHING / HEALTHY / EXPLODING
    sigma_max: float | dict[str, float]  # largest singular value of W_hh (per gate block if gated)
    saturation: dict[str, Saturation]  # per sigmoid gate; empty for vanilla RNN
    cell_decay_per_step: float | None = None  # the same three from grad_c; None without a cell (LSTM only)
    cell_memory_horizon: float | None = None
    cell_verdict: str | None = None

    @property
    def horizon_is_infinite(self) -> bool:
        return math.isinf(self.memory_horizon)


@dataclass(frozen=True, eq=False)
class LayerProbe:
    """Everything the instrumented probe pass measured for one recurrent layer."""

    gate_names: tuple[str, ...]  # ("input", "forget", "cell", "output") / ("reset", "update", "new") / ()
    gates: np.ndarray  # [G, T, H] post-nonlinearity gate activations
    pre_activation: np.ndarray | None  # [T, H] W_ih x + W_hh h + b, vanilla RNN only
    cell: np.ndarray | None  # [T, H] c_t, LSTM only
    hidden: np.ndarray  # [T, H] h_t
    grad_h: np.ndarray  # [T] ||dl_T / dh_t||
    grad_c: np.ndarray | None  # [T] ||dl_T / dc_t||, LSTM only
    grad_h_total: np.ndarray  # [T] ||dL / dh_t||, L = mean loss over all positions
    metrics: LayerMetrics


@dataclass(frozen=True, eq=False)
class ProbeReading:
    """One instrumented forward+backward pass over the probe text at a given step."""

    step: int
    text: str  # the T+1 probe characters
    ids: np.ndarray  # [T] int64, the characters read
    targets: np.ndarray  # [T] int64, the characters to predict
    probs: np.ndarray  # [T, V] predicted next-character distribution at each position
    loss: float  # mean cross-entropy over the probe (nats)
    layers: tuple[LayerProbe, ...]
    embedding: np.ndarray  # [V, E] the embedding table (the encoding panel reads it)
    cost_ms: float  # wall time the probe pass took
    connectivity: np.ndarray | None = None  # [T, T]; None for T > CONNECTIVITY_MAX_T (and in older snapshots)
    labels: tuple[str, ...] = ()  # a watched model's position labels (tokens), T of them; () for a character probe
    layer_names: tuple[str, ...] = ()  # a watched module's rows ("L0 fwd", "L0 bwd", ...); () = layers by number


@dataclass(frozen=True, eq=False)
class MemoryReading:
    """What the model remembers (PRODUCT.md section 8), measured at one step."""

    step: int
    context_k: np.ndarray  # [K] int64, characters of context: 1, 2, 4, ..., seq_len
    context_loss: np.ndarray  # [K] float64, mean cross-entropy (nats) with only k characters of context
    full: float  # context_loss at k = seq_len
    task: str | None  # "recall" / "brackets"; None on a corpus file
    distance_range: tuple[int, int] | None  # the task's (MIN, MAX)
    chance: float | None  # accuracy of guessing among the candidates
    distances: np.ndarray  # [D] int64, the evaluated distances (empty without a task)
    accuracy: np.ndarray  # [D] float64, fraction of items whose most probable candidate is the answer
    items: np.ndarray  # [D] int64, items per distance
    cost_ms: float  # wall time of the measurement


@dataclass(frozen=True, eq=False)
class StepStats:
    """What one training step reports."""

    step: int
    loss: float  # train loss of the batch (nats/char)
    grad_norms: dict[str, float]  # per-parameter gradient norm before clipping
    grad_norms_post: dict[str, float]  # per-parameter gradient norm after clipping
    total_pre: float  # total gradient norm before clipping
    total_post: float  # total gradient norm after clipping
    clipped: bool  # whether clipping fired
    clip_known: bool = True  # False: a watched loop's norms, taken before its own clipping, which rnnscope never sees


@dataclass(frozen=True)
class Event:
    """A marker on the loss curve: a toggle, a re-initialisation, a divergence."""

    step: int
    label: str


@dataclass(frozen=True)
class Sample:
    """Text generated by the model."""

    step: int
    prime: str
    text: str  # the continuation (without the prime)
    temperature: float


@dataclass(frozen=True)
class Notice:
    """A one-off message for the user (export done, export failed, ...); seq increases per notice."""

    seq: int
    level: str  # "information" / "warning" / "error"
    text: str


@dataclass(frozen=True)
class RunStatus:
    """The status line's facts: the run's settings as they are now, and the live numbers."""

    config: RunConfig  # model, sizes, clip (None = off), init, optimizer, ... as the engine runs them now
    corpus: str  # the corpus file's name
    n_params: int
    step: int
    state: str  # RUNNING / PAUSED / DIVERGED
    clip_fire_rate: float  # fraction of recent steps where clipping fired
    device: str
    threads: int
    train_loss: float  # smoothed recent train loss; nan before the first step
    val_loss: float  # latest validation loss; nan before the first evaluation
    chars_per_s: float
    diverged: str | None = None  # "step N, largest gradient G (param)" when DIVERGED
    run_dir: str = ""
    temperature: float = 1.0  # the engine's sampling temperature (g samples at it, t / T change it)
    review: str | None = None  # "REVIEW step N (frame i of n)" while the screen shows a recorded frame (the UI sets it)
    writer: str = ""  # an attached run's writer: "host rank 0 pid 123: LSTM 2x200 in 128" ("" for a run of ours)
    frame_time: float = math.nan  # an attached run: the wall time (epoch seconds) of its newest frame
    watched: bool = False  # a Scope's run (a user's own model): no bpc, no clip, no init to tell
    best_val: tuple[int, float] | None = None  # (step, loss) of the lowest validation loss of these weights


@dataclass(frozen=True, eq=False)
class Frame:
    """The whole picture at one moment: what the engine publishes and the screen draws."""

    seq: int
    status: RunStatus
    vocab: tuple[str, ...] = ()
    last_step: StepStats | None = None
    loss_history: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # [N, 2] (step, train loss)
    val_history: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # [M, 2] (step, val loss)
    grad_norm_history: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # [N, 3] snapshots only
    events: tuple[Event, ...] = ()
    probe: ProbeReading | None = None
    sample: Sample | None = None
    notice: Notice | None = None
    memory: MemoryReading | None = None
    lesson_evidence: dict | None = None  # plain evidence for the lesson's live check (rnnscope.lessons.evidence)
    tunes: TunesReading | None = None  # a text of tunes: those cut from samples and what abc2midi said (rnnscope.music)
    units: UnitsReading | None = None  # what each unit means (PRODUCT.md section 13)
    versions: Mapping[str, int] = field(default_factory=dict)  # part name -> version (rnnscope.contracts.parts); {} = unknown

