"""A character-level LSTM trained with DistributedDataParallel (gloo on CPU), watched by Scope on rank 0 alone.

    torchrun --nproc_per_node 2 examples/ddp_char_lstm.py --run-dir runs/ddp     # in another terminal:
    rnnscope --attach runs/ddp
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from rnnscope import Scope

TEXT = Path(__file__).resolve().parent.parent / "sample_texts" / "tinyshakespeare.txt"


class CharLSTM(nn.Module):
    def __init__(self, vocab: int, embed: int, hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.rnn = nn.LSTM(embed, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        output, _ = self.rnn(self.embedding(ids))  # [B, T, H]
        return self.head(output)  # [B, T, V]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default="runs/ddp")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--every", type=int, default=None)
    p.add_argument("--no-scope", action="store_true")
    args = p.parse_args(argv)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    text = TEXT.read_text(encoding="utf-8")
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([index[c] for c in text[:200_000]])
    torch.manual_seed(0)  # the same initial weights on every rank
    model = CharLSTM(len(vocab), 32, args.hidden)
    ddp = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=3e-3)
    scope = None
    if not args.no_scope:  # every rank makes one; rank 0 alone probes and writes
        probe = ids[: args.seq_len + 1]
        scope = Scope(ddp, args.run_dir, probe=probe[:-1], embedding=model.embedding, targets=probe[1:],
                      readout=model.head, vocab=vocab, every=args.every)
    generator = torch.Generator().manual_seed(1 + rank)  # each rank its own batches
    losses = []
    for step in range(args.steps):
        starts = torch.randint(0, len(ids) - args.seq_len - 1, (args.batch,), generator=generator)
        window = torch.stack([ids[s : s + args.seq_len + 1] for s in starts.tolist()])  # [B, T+1]
        loss = nn.functional.cross_entropy(ddp(window[:, :-1]).reshape(-1, len(vocab)), window[:, 1:].reshape(-1))
        loss.backward()
        if scope:
            scope.grads(step)
        nn.utils.clip_grad_norm_(ddp.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        if scope:
            scope.step(step, loss=loss)
        losses.append(loss.item())
    if scope:
        scope.close()
    digest = hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest()
    line = json.dumps({"rank": rank, "world": world, "publisher": bool(scope and scope.active), "losses": losses,
                       "params_sha256": digest})
    os.write(sys.stdout.fileno(), (line + "\n").encode())  # one write: the ranks share stdout (print may split it)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
