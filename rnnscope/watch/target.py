"""The module a Scope watches: unwrapped from DDP / torch.compile, as a plain module or rows of steps."""

from __future__ import annotations

from torch import nn

from rnnscope import cells
from rnnscope.watch.steps import Direction, StepModule, module_directions

_WRAPPERS = ("_orig_mod", "module")  # torch.compile's OptimizedModule, DDP / DataParallel / FSDP-style wrappers


def _peeled(module: object, stop: type | tuple = ()) -> object:
    """`module` out of its wrappers (`_orig_mod` / `.module`), stopping at a `stop` instance."""
    seen = module
    for _ in range(8):  # DDP(torch.compile(...)) and the like: a few levels at most
        if isinstance(seen, stop):
            break
        inner = next((getattr(seen, name) for name in _WRAPPERS if isinstance(getattr(seen, name, None), nn.Module)),
                     None)
        if inner is None:
            break
        seen = inner
    return seen


def unwrap(module: object) -> nn.RNNBase:
    """The nn.LSTM / nn.GRU / nn.RNN inside `module` (itself, under `_orig_mod` / `.module`, or the one recurrent
    layer of a model); TypeError when there is none, or several."""
    seen = _peeled(module, nn.RNNBase)
    if isinstance(seen, nn.Module) and not isinstance(seen, nn.RNNBase):  # a whole model holding exactly one
        inside = [m for m in seen.modules() if isinstance(m, nn.RNNBase)]
        seen = inside[0] if len(inside) == 1 else seen
    if not isinstance(seen, nn.RNNBase) or cells.by_mode(seen.mode) is None:
        raise TypeError(f"Scope watches an nn.LSTM, nn.GRU or nn.RNN, not {type(module).__name__}: pass the "
                        "recurrent module itself (e.g. model.rnn), or a DDP / torch.compile wrapper holding one; a custom "
                        "cell with cell_step=")
    return seen


def target(module: object, step: object = None, input_size: int | None = None) -> nn.RNNBase | StepModule:
    """What the Scope probes: the nn.LSTM / GRU / RNN inside `module` (unwrap), or with `step` the module itself
    (DDP / torch.compile unwrapped) watched through the step protocol (rnnscope.watch.steps)."""
    if step is None:
        return unwrap(module)
    seen = _peeled(module)
    if not isinstance(seen, nn.Module):
        raise TypeError(f"Scope with step= watches an nn.Module, not {type(module).__name__}: pass the module whose "
                        "parameters the step reads")
    return StepModule(seen, step, input_size)


def directions(rnn: nn.RNNBase | StepModule) -> list[list[Direction]] | None:
    """The rows of the generic probe; None for a plain module the fast probe reads (unidirectional, no proj_size)."""
    if isinstance(rnn, StepModule):
        return rnn.directions()
    if rnn.bidirectional or getattr(rnn, "proj_size", 0) > 0:
        return module_directions(rnn)
    return None


def kind(rnn: nn.RNNBase | StepModule) -> str:
    """rnnscope's name for the cell: lstm, gru, rnn-tanh or rnn-relu; custom for a step-protocol module."""
    return "custom" if isinstance(rnn, StepModule) else cells.by_mode(rnn.mode).name


def describe(rnn: nn.RNNBase | StepModule) -> str:
    """One line naming the module: 'LSTM 2x200 in 128, batch_first, no bias', 'LayerNormLSTM (custom step) in 8'."""
    if isinstance(rnn, StepModule):
        return f"{type(rnn.module).__name__} (custom step) in {rnn.input_size}"
    name = cells.facts_of(kind(rnn)).title
    extras = [f"in {rnn.input_size}"] + (["batch_first"] if rnn.batch_first else []) + ([] if rnn.bias else ["no bias"])
    extras += (["bidirectional"] if rnn.bidirectional else []) + ([f"proj {rnn.proj_size}"] if rnn.proj_size else [])
    return f"{name} {rnn.num_layers}x{rnn.hidden_size} " + ", ".join(extras)
