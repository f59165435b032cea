"""GRU's plain facts (Cho et al. 2014; PyTorch's gate order r, z, n)."""

from rnnscope.cells.facts.cell_facts import SIGMOID, TANH, CellFacts, Gate

FACTS = (CellFacts(
    name="gru", title="GRU", torch_module="rnnscope.cells.gru", module_mode="GRU",
    gates=(Gate("reset", SIGMOID, "reset"), Gate("update", SIGMOID, "update"), Gate("new", TANH, "new (candidate)")),
    help="GRU: h_t = (1 - z) * n + z * h_(t-1), the update gate z keeps, the reset gate r reads the past into n",
),)
