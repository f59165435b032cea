"""Cell: one kind's torch part, the interface every place that runs a kind goes through (rnnscope.cells.cell(kind))."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope.cells.facts.cell_facts import CellFacts
from rnnscope.cells.states import LayerStates, LayerTrace


class Cell:
    """A cell kind's PyTorch module, its unrolled (oracle) step, its fast probe, its sampler step and init rules.

    Weights are read by layer as (W_ih, W_hh, b_ih, b_hh) (rnnscope.cells.states.layer_weights), the names
    PyTorch's fused modules use; a kind without some of them holds None there.
    """

    def __init__(self, facts: CellFacts):
        self.facts = facts

    def module(self, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
        """The recurrent module (batch_first, no dropout): module(x [B, T, In], state) -> (h [B, T, H], state)."""
        raise NotImplementedError

    # --- init rules

    def recurrent_weights(self, rnn: nn.Module) -> list[torch.Tensor]:
        """Every layer's W_hh [G*H, H], whose gate blocks the init schemes redraw and sigma_max reads."""
        return [getattr(rnn, f"weight_hh_l{layer}") for layer in range(rnn.num_layers)]

    def recurrent_biases(self, rnn: nn.Module) -> list[torch.Tensor]:
        """Every layer's bias_ih and bias_hh [G*H] (the identity init zeroes them)."""
        return [getattr(rnn, f"{name}_l{layer}") for layer in range(rnn.num_layers) for name in ("bias_ih", "bias_hh")]

    def flow_bounds(self, states: list[LayerStates]) -> list[dict[str, float]] | None:
        """Per layer, what stands in for sigma_max(W_hh) as the bound on ||dh_t / dh_{t-1}|| (gate -> value) for a
        kind without W_hh; None: sigma_max of each layer's W_hh gate blocks (rnnscope.measuring.probe_sigma)."""
        return None

    def set_forget_bias(self, rnn: nn.Module, value: float) -> None:
        """The forget gate's bias := value in every layer; ValueError for a kind without a forget gate."""
        raise ValueError("the forget-gate bias exists for an LSTM only")

    # --- the oracle: step by step with autograd

    def unroll_layer(self, rnn: nn.Module, layer: int, inputs: torch.Tensor) -> LayerTrace:
        """Run layer `layer` of `rnn` step by step over inputs [B, T, In] from a zero state."""
        raise NotImplementedError

    def unroll(self, rnn: nn.Module, inputs: torch.Tensor) -> list[LayerTrace]:
        """Run every layer of `rnn` step by step over inputs [B, T, E] from a zero state."""
        traces = []
        for layer in range(rnn.num_layers):
            trace = self.unroll_layer(rnn, layer, inputs)
            traces.append(trace)
            inputs = torch.stack(trace.hidden, dim=1)  # [B, T, H]
        return traces

    # --- the fast probe: a forward of all steps, then the adjoint recurrence

    def probe_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> LayerStates:
        """One layer's states and gates over inputs [T, In] from a zero state, detached, weights as layer_weights."""
        raise NotImplementedError

    def hidden_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> torch.Tensor:
        """One layer's h_t [T, H] over inputs [T, In] from a zero state, no grad needed (the units' analysis text);
        a kind with a fused kernel answers without its gates."""
        return self.probe_states(inputs, weights).hidden

    def adjoint(self, state: LayerStates, weight_hh: torch.Tensor | None, incoming: torch.Tensor, first: list[int] | None):
        """dl/dh_t [T, B, H], dl/dc_t [T, B, H] (None without a cell) and dl/d(input-side pre-activation)
        [T, B, G*H] of one layer from `incoming` [T, B, H], the gradient reaching h_t from outside the recurrence
        (the layer above or the loss); `first[t]`: the first cotangent still non-zero at step t (those before
        it enter later: skipped); None: all."""
        raise NotImplementedError

    # --- the sampler: one character at a time

    def split_state(self, state, layers: int) -> list:
        """The module's final state as one entry per layer (what sample_step takes)."""
        return [state[layer] for layer in range(layers)]  # [1, H] each

    def sample_step(self, inputs: torch.Tensor, state, weights: list[torch.Tensor]) -> tuple[object, torch.Tensor]:
        """One step of one layer for inputs [1, In]: (its new state, h [1, H]), weights as layer_weights."""
        raise NotImplementedError
