"""h_t of one layer by PyTorch's own fused kernel (the fast probe's forward for the torch.nn kinds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch


@contextmanager
def _without_cudnn(device: torch.device) -> Iterator[None]:
    """On CUDA, cuDNN off for the block (then as it was): its RNN kernels may compute in TF32 (10-bit mantissa)
    where PyTorch's own CUDA kernels keep float32, as the unrolled pass does. Only the enabled flag is touched,
    never the TF32 ones (mixing their legacy and new APIs is an error in PyTorch)."""
    enabled = torch.backends.cudnn.enabled
    if device.type == "cuda" and enabled:
        torch.backends.cudnn.enabled = False
    try:
        yield
    finally:
        if device.type == "cuda" and enabled:
            torch.backends.cudnn.enabled = True


def fused_hidden(kernel: Callable, inputs: torch.Tensor, weights: list[torch.Tensor | None],
                 has_cell: bool = False) -> torch.Tensor:
    """h_t [T, H] of one layer over inputs [T, In] from a zero state, by `kernel` (torch._VF.lstm, .gru, ...)."""
    params = [w for w in weights if w is not None]
    hidden_size = weights[1].shape[1]
    zeros = inputs.new_zeros(1, 1, hidden_size)  # [layers=1, B=1, H]
    state = (zeros, zeros) if has_cell else zeros
    with _without_cudnn(inputs.device):
        output = kernel(inputs.unsqueeze(0), state, params, len(params) == 4, 1, 0.0, False, False, True)[0]
    return output[0]  # [T, H]
