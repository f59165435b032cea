"""The module a Scope watches: unwrapped from DDP / torch.compile, refused when the probe cannot reproduce it."""

from __future__ import annotations

from torch import nn

from rnnscope import cells

_WRAPPERS = ("_orig_mod", "module")  # torch.compile's OptimizedModule, DDP / DataParallel / FSDP-style wrappers


def unwrap(module: object) -> nn.RNNBase:
    """The nn.LSTM / nn.GRU / nn.RNN inside `module` (itself, under `_orig_mod` / `.module`, or the one recurrent
    layer of a model); TypeError when there is none, or several."""
    seen = module
    for _ in range(8):  # DDP(torch.compile(...)) and the like: a few levels at most
        if isinstance(seen, nn.RNNBase):
            break
        inner = next((getattr(seen, name) for name in _WRAPPERS if isinstance(getattr(seen, name, None), nn.Module)),
                     None)
        if inner is None:
            break
        seen = inner
    if isinstance(seen, nn.Module) and not isinstance(seen, nn.RNNBase):  # a whole model holding exactly one
        inside = [m for m in seen.modules() if isinstance(m, nn.RNNBase)]
        seen = inside[0] if len(inside) == 1 else seen
    if not isinstance(seen, nn.RNNBase) or cells.by_mode(seen.mode) is None:
        raise TypeError(f"Scope watches an nn.LSTM, nn.GRU or nn.RNN, not {type(module).__name__}: pass the "
                        "recurrent module itself (e.g. model.rnn), or a DDP / torch.compile wrapper holding one")
    return seen


def refuse_unsupported(rnn: nn.RNNBase) -> None:
    """ValueError naming what the probe cannot reproduce, and what to do instead."""
    if getattr(rnn, "proj_size", 0) > 0:
        raise ValueError(f"Scope cannot watch an LSTM with proj_size={rnn.proj_size} (projected hidden states are "
                         "not unrolled): watch a module without proj_size")
    if rnn.bidirectional:
        raise ValueError("Scope cannot watch a bidirectional module (the backward direction is not unrolled): "
                         "watch a unidirectional one")


def kind(rnn: nn.RNNBase) -> str:
    """rnnscope's name for the cell: lstm, gru, rnn-tanh or rnn-relu."""
    return cells.by_mode(rnn.mode).name


def describe(rnn: nn.RNNBase) -> str:
    """One line naming the module: 'LSTM 2x200 in 128, batch_first, no bias'."""
    name = cells.facts_of(kind(rnn)).title
    extras = [f"in {rnn.input_size}"] + (["batch_first"] if rnn.batch_first else []) + ([] if rnn.bias else ["no bias"])
    return f"{name} {rnn.num_layers}x{rnn.hidden_size} " + ", ".join(extras)
