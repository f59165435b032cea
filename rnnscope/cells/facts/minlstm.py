"""minLSTM's plain facts (Feng et al. 2024): forget and input gates from x_t alone, normalised to sum to 1, no W_hh."""

from rnnscope.cells.facts.cell_facts import JACOBIAN, POSITIVE, SIGMOID, CellFacts, Gate

FACTS = (CellFacts(
    name="minlstm", title="minLSTM", torch_module="rnnscope.cells.minlstm", module_mode="MINLSTM", forget_bias=True,
    gates=(Gate("forget", SIGMOID, "forget"), Gate("input", SIGMOID, "input (store)"),
           Gate("candidate", POSITIVE, "candidate g(x)"), Gate(JACOBIAN, SIGMOID, "keep dh/dh_(t-1)")),
    help="minLSTM: h_t = f' * h_(t-1) + i' * g(W x_t), f' = f / (f + i), gates from x_t alone (a parallel scan "
         "trains it); its Jacobian is diag(f')",
),)
