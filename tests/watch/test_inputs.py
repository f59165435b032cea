"""Scope's construction checks: the module (unwrapped, described) and the probe inputs, each with one clear message."""

import pytest
import torch
from torch import nn

from rnnscope.watch.inputs import check_inputs, check_schedule
from rnnscope.watch.target import describe, unwrap


@pytest.mark.slow
def test_unwraps_compile_and_module_wrappers():
    lstm = nn.LSTM(3, 4)

    class Wrapper(nn.Module):  # the shape of DDP / DataParallel: the model under .module
        def __init__(self, module):
            super().__init__()
            self.module = module

    assert unwrap(lstm) is lstm
    assert unwrap(Wrapper(lstm)) is lstm
    assert unwrap(torch.compile(lstm)) is lstm
    assert unwrap(Wrapper(torch.compile(lstm))) is lstm
    assert unwrap(Wrapper(nn.Sequential(nn.Linear(3, 3), lstm))) is lstm  # a whole model with one recurrent layer


@pytest.mark.parametrize("module", [nn.Linear(3, 4), nn.Sequential(nn.LSTM(3, 4), nn.GRU(4, 4)), "lstm", None,
                                    nn.RNNCell(3, 4)])
def test_a_module_that_is_not_a_recurrent_layer_is_a_type_error(module):
    with pytest.raises(TypeError, match="Scope watches an nn.LSTM, nn.GRU or nn.RNN.*pass the recurrent module"):
        unwrap(module)


def test_describe_names_the_cell_sizes_and_layout():
    assert describe(nn.LSTM(3, 4, num_layers=2, batch_first=True, bias=False)) == \
        "LSTM 2x4 in 3, batch_first, no bias"
    assert describe(nn.RNN(3, 5, nonlinearity="relu")) == "RNN relu 1x5 in 3"
    assert describe(nn.GRU(3, 4, bidirectional=True)) == "GRU 1x4 in 3, bidirectional"
    assert describe(nn.LSTM(3, 4, proj_size=2)) == "LSTM 1x4 in 3, proj 2"


def test_the_probe_is_taken_in_either_layout_and_copied():
    probe = torch.randn(6, 3)
    rnn = nn.GRU(3, 4, batch_first=True)
    checked = check_inputs(rnn, probe.unsqueeze(0), None, None, None)
    assert checked.fixed.shape == (1, 6, 3) and torch.equal(checked.fixed[0], probe)
    probe.zero_()  # the user's tensor changing later does not change the probe
    assert checked.fixed.abs().sum() > 0
    seq_first = check_inputs(nn.GRU(3, 4), torch.ones(6, 1, 3), None, None, None)
    assert seq_first.fixed.shape == (1, 6, 3) and checked.labels == ("",) * 6


@pytest.mark.parametrize("probe, words", [
    ([[1.0, 2.0, 3.0]], "floating-point tensor"),
    (torch.ones(5, 3, dtype=torch.long), "floating-point tensor"),
    (torch.ones(5, 2), r"shape \[5, 2\], the module takes input_size 3"),
    (torch.ones(2, 5, 3), r"give one sequence"),
    (torch.ones(1, 3), "T >= 2"),
    (torch.tensor([[1.0, float("nan"), 0.0]] * 3), "nan or inf"),
])
def test_a_bad_probe_says_what_to_give(probe, words):
    with pytest.raises(ValueError, match=words):
        check_inputs(nn.LSTM(3, 4, batch_first=True), probe, None, None, None)


def test_targets_readout_and_labels_are_checked():
    rnn, probe, head = nn.LSTM(3, 4), torch.ones(5, 3), nn.Linear(4, 7)
    with pytest.raises(ValueError, match="targets and readout go together"):
        check_inputs(rnn, probe, torch.zeros(5, dtype=torch.long), None, None)
    with pytest.raises(ValueError, match="5 integer class ids"):
        check_inputs(rnn, probe, torch.zeros(4, dtype=torch.long), head, None)
    with pytest.raises(ValueError, match="5 integer class ids"):
        check_inputs(rnn, probe, torch.zeros(5), head, None)
    with pytest.raises(ValueError, match="negative class id"):
        check_inputs(rnn, probe, torch.tensor([0, 1, -1, 2, 3]), head, None)
    with pytest.raises(ValueError, match="readout must map"):
        check_inputs(rnn, probe, [0, 1, 2, 3, 4], "head", None)
    with pytest.raises(ValueError, match="sequence of 5 strings"):
        check_inputs(rnn, probe, None, None, "abcde")
    checked = check_inputs(rnn, probe, [0, 1, 2, 3, 4], head, ["the", "cat", "sat", "on", 7])
    assert checked.labels == ("the", "cat", "sat", "on", "7") and checked.targets.dtype == torch.int64


@pytest.mark.parametrize("budget, every", [(0, None), (1.5, None), (float("nan"), None), (True, None), (0.02, 0),
                                           (0.02, 2.5), (0.02, True)])
def test_budget_and_every_are_checked(budget, every):
    with pytest.raises(ValueError, match="budget|every"):
        check_schedule(budget, every)
    assert check_schedule(0.05, 10) == (0.05, 10)
