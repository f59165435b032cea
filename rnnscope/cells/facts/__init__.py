"""Every cell kind's plain facts, in the order `m` cycles through them (standard library only: the first paint reads it)."""

from rnnscope.cells.facts import gru, lstm, mingru, rnn
from rnnscope.cells.facts.cell_facts import CellFacts

ALL: tuple[CellFacts, ...] = (*lstm.FACTS, *rnn.FACTS, *gru.FACTS, *mingru.FACTS)  # a new kind: its module here, in cycle order
