"""What the code knows about one cell kind that needs no torch: its name, gates, activations, labels and help."""

from __future__ import annotations

from dataclasses import dataclass

SIGMOID, TANH, POSITIVE = "sigmoid", "tanh", "positive"  # a gate's activation: its output in [0, 1], [-1, 1], (0, inf)
JACOBIAN = "jacobian"  # the gate a diagonal recurrence shows its Jacobian dh_t / dh_(t-1) in (the min cells)
RANGES = {SIGMOID: (0.0, 1.0), TANH: (-1.0, 1.0), POSITIVE: (0.0, float("inf"))}


@dataclass(frozen=True)
class Gate:
    """One gate: its name in the frames, its activation, and how the screen labels it (the lecture's words)."""

    name: str
    activation: str  # SIGMOID | TANH | POSITIVE
    label: str

    @property
    def range(self) -> tuple[float, float]:
        """The interval every value of the gate lies in."""
        return RANGES[self.activation]


@dataclass(frozen=True)
class CellFacts:
    """One cell kind's plain facts; the torch part (module, steps, probe, sampler) lives in `torch_module`."""

    name: str  # the --model value
    title: str  # how a one-line description names it: "LSTM", "RNN tanh"
    gates: tuple[Gate, ...]  # in the order the probe's gates [G, T, H] hold them
    help: str  # one line for the help screen and README
    torch_module: str  # the module holding CELLS (the torch part), imported on first use
    module_mode: str | None = None  # nn.RNNBase.mode of the PyTorch module Scope can watch; None: not a torch module
    has_cell: bool = False  # a cell state c_t besides h_t (its own flow row)
    forget_bias: bool = False  # --forget-bias applies (Gers et al. 2000)
    activation: str | None = None  # a gateless cell's nonlinearity ("tanh" | "relu")
    activation_twin: str | None = None  # the kind `a` switches to: the same weights, the other activation

    @property
    def gate_names(self) -> tuple[str, ...]:
        return tuple(gate.name for gate in self.gates)

    @property
    def sigmoid_gates(self) -> tuple[str, ...]:
        """The gates whose saturation is measured (entries < 0.1 shut, > 0.9 open)."""
        return tuple(gate.name for gate in self.gates if gate.activation == SIGMOID)
