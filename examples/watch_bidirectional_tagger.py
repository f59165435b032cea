"""A bidirectional LSTM tagger (embedding -> 2-layer BiLSTM -> linear per token), watched by Scope.

Each token of a random sequence is tagged 1 when its left and right neighbours are equal, else 0: the tag needs
both directions. Scope shows each direction of each layer as its own row (L0 fwd, L0 bwd, L1 fwd, L1 bwd).

    python examples/watch_bidirectional_tagger.py --run-dir runs/tagger      # trains; in another terminal:
    rnnscope --attach runs/tagger
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

from rnnscope import Scope


class Tagger(nn.Module):
    """Embedding -> BiLSTM (batch_first) -> linear over both directions' states."""

    def __init__(self, vocab: int, emb: int, hidden: int, tags: int = 2):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, tags)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        output, _ = self.rnn(self.emb(ids))  # [B, T, 2H]
        return self.head(output)  # [B, T, tags]


def batch(generator: torch.Generator, size: int, length: int, vocab: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids [B, T] and tags [B, T]: 1 where the two neighbours are equal (the ends are tagged 0)."""
    ids = torch.randint(vocab, (size, length), generator=generator)  # [B, T]
    tags = torch.zeros_like(ids)  # [B, T]
    tags[:, 1:-1] = (ids[:, :-2] == ids[:, 2:]).long()
    return ids, tags


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default="runs/tagger")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--vocab", type=int, default=4)
    p.add_argument("--emb", type=int, default=16)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--length", type=int, default=24)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--budget", type=float, default=0.02)
    p.add_argument("--every", type=int, default=None)
    p.add_argument("--no-scope", action="store_true", help="train unwatched (the same losses, bit for bit)")
    args = p.parse_args(argv)
    torch.manual_seed(0)
    data = torch.Generator().manual_seed(1)
    model = Tagger(args.vocab, args.emb, args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.CrossEntropyLoss()
    scope = None
    if not args.no_scope:  # the probe: one sequence's ids, embedded anew at each probe, and its tags
        probe_ids, probe_tags = batch(torch.Generator().manual_seed(2), 1, args.length, args.vocab)
        scope = Scope(model.rnn, args.run_dir, probe=probe_ids[0], embedding=model.emb, targets=probe_tags[0],
                      readout=model.head, vocab=[str(v) for v in range(args.vocab)], budget=args.budget,
                      every=args.every)
    losses = []
    for step in range(args.steps):
        ids, tags = batch(data, args.batch, args.length, args.vocab)
        loss = criterion(model(ids).reshape(-1, 2), tags.reshape(-1))
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
