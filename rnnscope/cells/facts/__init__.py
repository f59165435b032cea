"""Every cell kind's plain facts, in the order `m` cycles through them (standard library only: the first paint reads it)."""

from rnnscope.cells.facts import gru, lstm, mingru, minlstm, rnn
from rnnscope.cells.facts.cell_facts import CellFacts

# A new kind: its facts module here, where `m` should reach it.
ALL: tuple[CellFacts, ...] = (*lstm.FACTS, *rnn.FACTS, *gru.FACTS, *mingru.FACTS, *minlstm.FACTS)
