"""The GPU path of sigma_max (Lanczos on W^T W), run here on CPU tensors, against torch.linalg.svdvals."""

import math

import numpy as np
import torch

from rnnscope.measuring.probe_sigma import LANCZOS_STEPS, largest_singular_values

torch.set_num_threads(1)


def test_lanczos_equals_svdvals_below_and_above_its_krylov_dimension():
    generator = torch.Generator().manual_seed(3)
    for size in (5, LANCZOS_STEPS + 8):
        blocks = torch.randn(3, size, size, generator=generator) / size**0.5  # [3, H, H]
        expected = torch.linalg.svdvals(blocks.double())[:, 0].numpy()  # [3]
        np.testing.assert_allclose(largest_singular_values(blocks), expected, rtol=1e-10)


def test_a_krylov_space_that_closes_early_and_non_finite_blocks():
    size = 12
    blocks = torch.stack([2.5 * torch.eye(size), torch.zeros(size, size), torch.full((size, size), math.nan),
                          torch.diag(torch.linspace(0.1, 3.0, size))])  # [4, H, H]
    blocks[2, 0, 0] = math.inf
    largest = largest_singular_values(blocks)
    np.testing.assert_allclose(largest[[0, 1, 3]], [2.5, 0.0, 3.0], rtol=1e-12, atol=1e-12)
    assert math.isnan(largest[2])
