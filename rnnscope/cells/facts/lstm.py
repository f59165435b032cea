"""LSTM's plain facts (Hochreiter & Schmidhuber 1997; PyTorch's gate order i, f, g, o)."""

from rnnscope.cells.facts.cell_facts import SIGMOID, TANH, CellFacts, Gate

FACTS = (CellFacts(
    name="lstm", title="LSTM", torch_module="rnnscope.cells.lstm", module_mode="LSTM", has_cell=True,
    forget_bias=True,
    gates=(Gate("input", SIGMOID, "input (store)"), Gate("forget", SIGMOID, "forget"),
           Gate("cell", TANH, "cell g (update)"), Gate("output", SIGMOID, "output")),
    help="LSTM: a cell state c_t kept by the forget gate, written by the input gate, read by the output gate",
),)
