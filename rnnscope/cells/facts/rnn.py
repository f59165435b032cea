"""The vanilla RNN's plain facts, tanh and ReLU (Elman 1990): no gates, the pre-activation is shown instead."""

from rnnscope.cells.facts.cell_facts import CellFacts

FACTS = tuple(CellFacts(
    name=f"rnn-{activation}", title=f"RNN {activation}", torch_module="rnnscope.cells.rnn",
    module_mode=f"RNN_{activation.upper()}", gates=(), activation=activation,
    activation_twin="rnn-relu" if activation == "tanh" else "rnn-tanh",
    help=f"vanilla RNN: h_t = {activation}(W_ih x_t + W_hh h_(t-1) + b), no gates (a switches tanh ↔ ReLU)",
) for activation in ("tanh", "relu"))
