"""A layer-normalised LSTM (Ba et al. 2016) written as research code writes one, watched by Scope through its step;
or (--cell mingru) the minGRU of the minGRU-pytorch package (pip install minGRU-pytorch), through its own step.

Scope's step protocol: `cell_step(x_t, state) -> (new_state, h_t, gates)` over the module's own parameters (state
None at the first step, h_t the tensor the next step reads, gates {name: [1, H]}). Scope unrolls it with autograd
and refuses, at construction, a step whose outputs differ from the module's own forward.

    python examples/watch_custom_cell.py --run-dir runs/ln-lstm      # trains; in another terminal:
    rnnscope --attach runs/ln-lstm
    python examples/watch_custom_cell.py --cell mingru --run-dir runs/mingru
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

from rnnscope import Scope


class LayerNormLSTMCell(nn.Module):
    """LSTM cell with layer norm on the input and recurrent pre-activations and on the cell state."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.ih = nn.Linear(input_size, 4 * hidden_size, bias=False)
        self.hh = nn.Linear(hidden_size, 4 * hidden_size)
        self.ln_ih, self.ln_hh = nn.LayerNorm(4 * hidden_size), nn.LayerNorm(4 * hidden_size)
        self.ln_c = nn.LayerNorm(hidden_size)

    def gates(self, x: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """i, f, g, o [B, H] from x [B, I] and h [B, H]."""
        i, f, g, o = (self.ln_ih(self.ih(x)) + self.ln_hh(self.hh(h))).chunk(4, dim=-1)  # 4 x [B, H]
        return torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]):
        h, c = state  # [B, H] each
        i, f, g, o = self.gates(x, h)
        c = f * c + i * g  # [B, H]
        h = o * torch.tanh(self.ln_c(c))  # [B, H]
        return h, c


class LayerNormLSTM(nn.Module):
    """The cell looped over time, batch_first: x [B, T, I] -> (outputs [B, T, H], (h, c))."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size = input_size
        self.cell = LayerNormLSTMCell(input_size, hidden_size)

    def forward(self, x: torch.Tensor, state=None):
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.cell.hidden_size)  # [B, H]
            state = (zeros, zeros)
        outputs = []
        for t in range(x.shape[1]):
            state = self.cell(x[:, t], state)
            outputs.append(state[0])
        return torch.stack(outputs, dim=1), state  # [B, T, H]


def ln_lstm_step(rnn: LayerNormLSTM):
    """The step protocol for `rnn`: its cell's own step, with the gates the cell computed on the way."""
    def step(x_t: torch.Tensor, state):
        if state is None:
            zeros = x_t.new_zeros(1, rnn.cell.hidden_size)  # [1, H]
            state = (zeros, zeros)
        gates = dict(zip(("input", "forget", "cell", "output"), rnn.cell.gates(x_t, state[0])))
        h, c = rnn.cell(x_t, state)  # [1, H] each
        return (h, c), h, gates
    return step


def mingru_step(rnn: nn.Module):
    """The step protocol for minGRU_pytorch.minGRU (expansion_factor 1): its sequential branch, h_t = lerp(h_{t-1},
    g(k_h), z), with rnnscope's minGRU gate names (update z, candidate g(k_h), jacobian 1 - z = dh_t/dh_{t-1})."""
    from minGRU_pytorch.minGRU import g

    def step(x_t: torch.Tensor, state):
        hidden, gate = rnn.to_hidden_and_gate(x_t).chunk(2, dim=-1)  # [1, H] each
        update, candidate = gate.sigmoid(), g(hidden)  # [1, H] each
        h = candidate * update if state is None else torch.lerp(state, candidate, update)  # [1, H]
        return h, h, {"update": update, "candidate": candidate, "jacobian": 1 - update}
    return step


def recurrent(cell: str, emb: int, hidden: int) -> tuple[nn.Module, object]:
    """The recurrent module and its step: the layer-normalised LSTM, or minGRU-pytorch's minGRU (width emb)."""
    if cell == "mingru":
        from minGRU_pytorch.minGRU import minGRU

        rnn = minGRU(emb)
        return rnn, mingru_step(rnn)
    rnn = LayerNormLSTM(emb, hidden)
    return rnn, ln_lstm_step(rnn)


class CharModel(nn.Module):
    """Embedding -> recurrent module -> linear: next-character prediction."""

    def __init__(self, vocab: int, emb: int, hidden: int, rnn: nn.Module):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = rnn
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        output = self.rnn(self.emb(ids))  # [B, T, H], or (that, state)
        return self.head(output[0] if isinstance(output, tuple) else output)  # [B, T, V]


TEXT = "the quick brown fox jumps over the lazy dog. " * 40


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default="runs/ln-lstm")
    p.add_argument("--cell", choices=("ln-lstm", "mingru"), default="ln-lstm")
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--emb", type=int, default=16)
    p.add_argument("--hidden", type=int, default=48, help="the LSTM's width (minGRU's is --emb)")
    p.add_argument("--length", type=int, default=32)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--budget", type=float, default=0.05)
    p.add_argument("--every", type=int, default=None)
    p.add_argument("--no-scope", action="store_true", help="train unwatched (the same losses, bit for bit)")
    args = p.parse_args(argv)
    torch.manual_seed(0)
    chars = sorted(set(TEXT))
    ids = torch.tensor([chars.index(ch) for ch in TEXT])  # [N]
    rnn, step = recurrent(args.cell, args.emb, args.hidden)
    model = CharModel(len(chars), args.emb, args.emb if args.cell == "mingru" else args.hidden, rnn)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scope = None
    if not args.no_scope:
        probe = ids[: args.length + 1]
        scope = Scope(model.rnn, args.run_dir, probe=probe[:-1], embedding=model.emb, targets=probe[1:],
                      readout=model.head, vocab=chars, cell_step=step, input_size=args.emb, budget=args.budget,
                      every=args.every)
    data, losses = torch.Generator().manual_seed(1), []
    for step in range(args.steps):
        starts = torch.randint(len(ids) - args.length - 1, (args.batch,), generator=data)  # [B]
        window = torch.stack([ids[s : s + args.length + 1] for s in starts.tolist()])  # [B, T+1]
        logits = model(window[:, :-1])  # [B, T, V]
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(chars)), window[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        if scope:
            scope.grads(step)
        optimizer.step()
        if scope:
            scope.step(step, loss=loss.detach())
        losses.append(loss.item())
    if scope:
        scope.close()
    return {"losses": losses, "side_share": scope.side_share if scope else 0.0}


if __name__ == "__main__":
    result = main()
    print(f"final loss {result['losses'][-1]:.3f}, Scope's share of the loop {result['side_share']:.1%}")
