"""Run settings shared by the command line, the engine and snapshots (plain data, no torch)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from rnnscope.cells import KINDS
from rnnscope.contracts.errors import InputError

MODELS = KINDS  # the cell kinds (rnnscope.cells), in the order `m` cycles through them
INITS = ("default", "xavier", "orthogonal", "identity")
OPTIMIZERS = ("adam", "sgd")
DEVICES = ("auto", "cpu", "cuda")
MAX_SEED = 2**63  # seeds are kept as signed 64-bit integers (torch, checkpoints)
MAX_THREADS = 1024
TASKS = ("recall", "brackets")


class ConfigError(InputError):
    """A setting that cannot work; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run; the fields mirror the command-line options."""

    corpus: str = ""  # path of the text file ("" = bundled sample)
    model: str = "lstm"  # one of MODELS
    hidden: int = 128  # units per recurrent layer
    embed: int = 32  # embedding size
    layers: int = 1  # stacked recurrent layers (1-3)
    seq_len: int = 64  # BPTT window T
    batch: int = 32  # sequences per step
    lr: float = 0.003  # learning rate
    optimizer: str = "adam"  # one of OPTIMIZERS
    clip: float | None = 1.0  # total-norm clipping threshold; None = off
    init: str = "default"  # recurrent-weight init, one of INITS
    init_gain: float = 1.0  # multiplies W_hh after init
    seed: int = 0  # seeds weights, batches and sampling
    threads: int = 0  # torch threads; 0 = choose automatically
    device: str = "auto"  # one of DEVICES
    probe: str | None = None  # probe text; None = first T+1 chars of the validation split
    encoding: str = "utf-8"  # the corpus's text encoding
    val_every: int = 100  # validation loss every K steps
    val_batches: int = 4  # batches of the validation split per evaluation
    task: str | None = None  # generated memory task, one of TASKS; None = train on `corpus`
    distance_min: int = 5  # the task's shortest distance
    distance_max: int = 50  # the task's longest distance
    task_seed: int | None = None  # the seed the task's text is generated from; None = seed (a compare's B: A's)
    forget_bias: float | None = None  # LSTM forget-gate bias after init; None = PyTorch's init
    lesson: str | None = None  # the lesson this run demonstrates: the engine sends its evidence (rnnscope.lessons)
    features: str = ""  # the units finder's user features, one NAME=REGEX a line (--feature; rnnscope.units)
    export_best: bool = False  # keep RUN_DIR/best/, a snapshot at the best validation loss so far (--export-best)

    def validate(self) -> RunConfig:
        """Raise ConfigError for a setting that cannot work; return self otherwise."""
        self._check_types()
        if self.model not in MODELS:
            raise ConfigError(f"unknown model {self.model!r}: choose one of {', '.join(MODELS)}")
        if self.init not in INITS:
            raise ConfigError(f"unknown init {self.init!r}: choose one of {', '.join(INITS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}: choose adam or sgd")
        if self.device not in DEVICES:
            raise ConfigError(f"unknown device {self.device!r}: choose auto, cpu or cuda")
        checks = [
            (1 <= self.hidden <= 4096, "--hidden must be between 1 and 4096"),
            (1 <= self.embed <= 4096, "--embed must be between 1 and 4096"),
            (1 <= self.layers <= 3, "--layers must be 1, 2 or 3"),
            (2 <= self.seq_len <= 4096, "--seq-len must be between 2 and 4096"),
            (1 <= self.batch <= 4096, "--batch must be between 1 and 4096"),
            (0 < self.lr < 100, "--lr must be a positive number below 100"),
            (self.clip is None or 0 < self.clip < math.inf, "--clip must be a positive number (0 turns clipping off)"),
            (0 < self.init_gain <= 100, "--init-gain must be a positive number up to 100"),
            (0 <= self.seed < MAX_SEED, f"--seed must be between 0 and {MAX_SEED - 1}"),
            (self.task_seed is None or 0 <= self.task_seed < MAX_SEED, "the task's seed is out of range"),
            (0 <= self.threads <= MAX_THREADS, f"--threads must be between 1 and {MAX_THREADS}"),
            (self.val_every >= 1, "--val-every must be 1 or more"),
            (self.probe is None or len(self.probe) >= 3, "--probe needs at least 3 characters"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        self._validate_memory()
        return self

    def _check_types(self) -> None:
        """Each field holds its declared type (a checkpoint's config is data from a file)."""
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None and "None" in field.type:
                continue
            kind = field.type.split(" |")[0]
            ok = {"bool": isinstance(value, bool), "str": isinstance(value, str),
                  "int": isinstance(value, int) and not isinstance(value, bool),
                  "float": isinstance(value, (int, float)) and not isinstance(value, bool)}[kind]
            if not ok:
                raise ConfigError(f"setting {field.name} is {type(value).__name__} {value!r:.40}, not {kind}")

    def _validate_memory(self) -> None:
        """The task and forget-bias settings (section 8)."""
        if self.forget_bias is not None and not (math.isfinite(self.forget_bias) and abs(self.forget_bias) <= 100):
            raise ConfigError("--forget-bias must be a finite number between -100 and 100")
        if self.task is None:
            return
        if self.task not in TASKS:
            raise ConfigError(f"unknown task {self.task!r}: choose recall or brackets")
        if not 1 <= self.distance_min <= self.distance_max:
            raise ConfigError("--distance MIN-MAX needs 1 <= MIN <= MAX, e.g. --distance 5-50")
        if self.distance_max + 3 > self.seq_len:
            raise ConfigError(f"--distance MAX {self.distance_max} does not fit a training window of "
                              f"--seq-len {self.seq_len} (an item needs MAX + 3 characters): "
                              f"use --seq-len {self.distance_max + 3} or more, or a smaller MAX")

    @property
    def probe_len(self) -> int:
        """T of the probe: the number of characters it reads."""
        return len(self.probe) - 1 if self.probe is not None else self.seq_len

    def with_(self, **changes) -> RunConfig:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunConfig:
        """Build from a dict read back from a checkpoint, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names}).validate()
