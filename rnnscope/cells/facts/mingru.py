"""minGRU's plain facts (Feng et al. 2024): an update gate z and a positive candidate from x_t alone, no W_hh."""

from rnnscope.cells.facts.cell_facts import JACOBIAN, POSITIVE, SIGMOID, CellFacts, Gate

FACTS = (CellFacts(
    name="mingru", title="minGRU", torch_module="rnnscope.cells.mingru", module_mode="MINGRU",
    gates=(Gate("update", SIGMOID, "update"), Gate("candidate", POSITIVE, "candidate g(x)"),
           Gate(JACOBIAN, SIGMOID, "keep dh/dh_(t-1)")),
    help="minGRU: h_t = (1 - z) * h_(t-1) + z * g(W x_t), gates from x_t alone (a parallel scan trains it); "
         "its Jacobian is diag(1 - z)",
),)
