"""The cells registry: every kind's facts agree with its torch part (module sizes, gates in range, sampler step)."""

import pytest
import torch

from rnnscope import cells
from rnnscope.cells.states import layer_weights

torch.set_num_threads(1)
IN, H, T = 3, 5, 7


@pytest.mark.parametrize("kind", cells.KINDS)
def test_the_module_and_the_probe_hold_the_gates_the_facts_name(kind):
    torch.manual_seed(0)
    facts, cell = cells.facts_of(kind), cells.cell(kind)
    module = cell.module(IN, H, 2)
    assert module.batch_first and module.num_layers == 2 and module.hidden_size == H
    inputs = torch.randn(T, IN)  # [T, In]
    with torch.no_grad():
        states = cell.probe_states(inputs, list(layer_weights(module, 0)))
    assert states.gates.shape == (len(facts.gates), T, H)
    for gate, values in zip(facts.gates, states.gates):
        low, high = gate.range
        assert low <= float(values.min()) and float(values.max()) <= high, gate.name
        assert cells.gate(gate.name) == gate  # a gate name means the same in every kind
    assert (states.cell is not None) == facts.has_cell
    if facts.module_mode is not None:
        assert module.mode == facts.module_mode and cells.by_mode(module.mode) is facts


@pytest.mark.parametrize("kind", cells.KINDS)
def test_the_sampler_step_continues_the_modules_own_forward(kind):
    torch.manual_seed(1)
    cell = cells.cell(kind)
    module = cell.module(IN, H, 2)
    inputs = torch.randn(1, T, IN)  # [1, T, In]
    with torch.no_grad():
        whole, _ = module(inputs)  # [1, T, H]
        _, state = module(inputs[:, :-1])
        layer_input, states = inputs[0, -1:], cell.split_state(state, 2)  # [1, In]
        for layer in range(2):
            _, layer_input = cell.sample_step(layer_input, states[layer], list(layer_weights(module, layer)))
    torch.testing.assert_close(layer_input, whole[0, -1:], rtol=1e-5, atol=1e-6)


def test_the_registry_names_each_kind_once_and_refuses_others():
    assert cells.KINDS[:4] == ("lstm", "rnn-tanh", "rnn-relu", "gru")
    assert len(set(cells.KINDS)) == len(cells.KINDS)
    assert cells.cycle_text().startswith("lstm → rnn-tanh → rnn-relu → gru")
    assert cells.by_mode("LSTM").name == "lstm" and cells.by_mode("nope") is None
    with pytest.raises(KeyError, match="choose one of lstm"):
        cells.facts_of("transformer")
