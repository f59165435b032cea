"""sigma_max of every layer's W_hh blocks for the probe: exact on the CPU, by a Lanczos iteration on a GPU."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnnscope import cells
from rnnscope.measuring.flow_metrics import named_sigmas, sigma_max

LANCZOS_STEPS = 64  # Krylov dimension: exact for H <= 64, ~1e-10 relative for random 1024 x 1024 blocks
BREAKDOWN = 1e-12  # a new direction shorter than this (relative to the largest Ritz value) ends the Krylov space


def largest_singular_values(blocks: torch.Tensor) -> np.ndarray:
    """sigma_max of each of blocks [N, H, H], in float64 on their device; nan for a block holding nan or inf.

    Lanczos on W^T W with full reorthogonalisation from a fixed start, a fixed number of steps (no waiting on
    the device in between): sigma_max^2 is the largest eigenvalue of the small tridiagonal matrix it builds.
    """
    blocks = blocks.detach().double()  # [N, H, H]
    finite = torch.isfinite(blocks).flatten(1).all(dim=1)  # [N]
    blocks = torch.where(finite[:, None, None], blocks, torch.zeros_like(blocks))
    count, size = blocks.shape[:2]
    steps = min(size, LANCZOS_STEPS)
    start = torch.randn(size, generator=torch.Generator().manual_seed(0), dtype=torch.float64)  # [H]
    vector = (start / start.norm()).to(blocks.device).expand(count, -1).unsqueeze(-1).contiguous()  # [N, H, 1]
    basis = blocks.new_zeros(count, size, steps)  # [N, H, k] the orthonormal Krylov basis
    alphas, betas = blocks.new_zeros(count, steps), blocks.new_zeros(count, steps)  # [N, k] each
    for step in range(steps):
        basis[:, :, step : step + 1] = vector
        product = blocks.mT @ (blocks @ vector)  # [N, H, 1] W^T W v
        alphas[:, step] = (product * vector).sum(dim=(1, 2))
        known = basis[:, :, : step + 1]  # [N, H, j]
        for _ in range(2):  # twice is enough (Giraud et al. 2005)
            product = product - known @ (known.mT @ product)  # [N, H, 1]
        beta = product.norm(dim=1, keepdim=True)  # [N, 1, 1]
        alive = beta > BREAKDOWN * alphas[:, : step + 1].abs().amax(dim=1)[:, None, None]  # [N, 1, 1]
        vector = torch.where(alive, product / beta.clamp_min(1e-300), torch.zeros_like(product))  # [N, H, 1]
        betas[:, step] = torch.where(alive, beta, torch.zeros_like(beta))[:, 0, 0]
    tridiagonal = torch.diag_embed(alphas) + torch.diag_embed(betas[:, :-1], 1) + torch.diag_embed(betas[:, :-1], -1)
    top = np.linalg.eigvalsh(tridiagonal.cpu().numpy())[:, -1]  # [N] sigma_max^2
    largest = np.sqrt(np.maximum(top, 0.0))
    largest[~finite.cpu().numpy()] = np.nan
    return largest


def layer_sigmas(rnn: nn.RNNBase, kind: str) -> list[float | dict[str, float]]:
    """Every layer's sigma_max (a float, or gate -> value), as flow_metrics.sigma_max gives it."""
    weights = [weight.detach() for weight in cells.cell(kind).recurrent_weights(rnn)]  # L x [G*H, H]
    if weights[0].device.type == "cpu":
        return [sigma_max(weight.float().numpy(), kind) for weight in weights]
    hidden = rnn.hidden_size
    blocks = torch.cat(weights).reshape(-1, hidden, hidden)  # [L*G, H, H]: every layer's blocks at once
    largest = largest_singular_values(blocks).reshape(len(weights), -1)  # [L, G]
    return [named_sigmas(values, kind) for values in largest]
