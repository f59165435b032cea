"""A small word-level LSTM language model (the shape of PyTorch's word_language_model example), watched by Scope.

    python examples/watch_word_lm.py --run-dir runs/word-lm          # trains; in another terminal:
    rnnscope --attach runs/word-lm
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch import nn

from rnnscope import Scope

TEXT = Path(__file__).resolve().parent.parent / "sample_texts" / "tinyshakespeare.txt"


class RNNModel(nn.Module):
    """Encoder -> dropout -> LSTM (batch_first, dropout between layers) -> dropout -> decoder."""

    def __init__(self, ntoken: int, ninp: int, nhid: int, nlayers: int, dropout: float = 0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        output, _ = self.rnn(self.drop(self.encoder(ids)))  # [B, T, H]
        return self.decoder(self.drop(output))  # [B, T, V]


def corpus(max_words: int) -> tuple[list[str], torch.Tensor]:
    """The vocabulary and the word ids of the first `max_words` words of the bundled text."""
    words = TEXT.read_text(encoding="utf-8").split()[:max_words]
    vocab = sorted(set(words))
    index = {word: i for i, word in enumerate(vocab)}
    return vocab, torch.tensor([index[word] for word in words])


def batches(ids: torch.Tensor, batch: int, bptt: int):
    """(input, target) [batch, bptt] windows, forever, in order."""
    columns = ids[: len(ids) // batch * batch].view(batch, -1)  # [B, N]
    while True:
        for start in range(0, columns.shape[1] - bptt - 1, bptt):
            yield columns[:, start : start + bptt], columns[:, start + 1 : start + bptt + 1]


def sampler(model: RNNModel, vocab: list[str], prime: torch.Tensor, words: int = 20):
    """The sampling function Scope calls at each probe: `words` words after `prime`, drawn from the model as it is
    now (no graph; Scope forks the random generators around it, so training draws the same numbers)."""
    def sample() -> tuple[str, str]:
        output, state = model.rnn(model.encoder(prime[None]))  # [1, P, H]
        drawn = []
        for _ in range(words):
            probs = torch.softmax(model.decoder(output[0, -1]), dim=-1)  # [V]
            drawn.append(int(torch.multinomial(probs, 1)))
            output, state = model.rnn(model.encoder(torch.tensor([[drawn[-1]]])), state)  # [1, 1, H]
        return " ".join(vocab[i] for i in prime) + " ", " ".join(vocab[i] for i in drawn)
    return sample


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default="runs/word-lm")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--emsize", type=int, default=64)
    p.add_argument("--nhid", type=int, default=128)
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--batch", type=int, default=20)
    p.add_argument("--words", type=int, default=20000)
    p.add_argument("--budget", type=float, default=0.02)
    p.add_argument("--every", type=int, default=None)
    p.add_argument("--no-scope", action="store_true", help="train unwatched (the same losses, bit for bit)")
    args = p.parse_args(argv)
    torch.manual_seed(0)
    vocab, ids = corpus(args.words)
    model = RNNModel(len(vocab), args.emsize, args.nhid, nlayers=2)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    criterion = nn.CrossEntropyLoss()
    scope = None
    if not args.no_scope:  # the probe: one sentence's word ids, embedded anew at each probe, and its next words
        probe_ids = ids[: args.bptt + 1]
        scope = Scope(model.rnn, args.run_dir, probe=probe_ids[:-1], embedding=model.encoder, targets=probe_ids[1:],
                      readout=model.decoder, vocab=vocab, sample=sampler(model, vocab, probe_ids[:5]),
                      budget=args.budget, every=args.every)
    losses, started = [], time.perf_counter()
    for step, (x, y) in zip(range(args.steps), batches(ids, args.batch, args.bptt)):
        loss = criterion(model(x).reshape(-1, len(vocab)), y.reshape(-1))
        loss.backward()
        if scope:
            scope.grads(step)  # per-parameter gradient norms, before clipping
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optimizer.step()
        optimizer.zero_grad()
        if scope:
            scope.step(step, loss=loss)  # may probe, within its time budget
        losses.append(loss.item())
    seconds = time.perf_counter() - started
    if scope:
        scope.close()
    return {"losses": losses, "seconds": seconds, "side_share": scope.side_share if scope else 0.0}


if __name__ == "__main__":
    result = main()
    print(json.dumps({"steps": len(result["losses"]), "last_loss": result["losses"][-1], "seconds": result["seconds"]}))
