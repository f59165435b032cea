"""A character LSTM trained with Adam, watched twice: the old fixed-vector probe (copied at construction) against
the probe of token ids re-embedded at every probe. Prints, per frame: step, train loss, fixed probe's loss, re-embedded
probe's loss; and the step at which the fixed form's drift warning came.

    PYTHONPATH=. python benchmarks/watch_stale_probe.py
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import torch
from torch import nn

from rnnscope import Scope
from rnnscope.storage.timeline import TimelineReader

TEXT = Path(__file__).resolve().parent.parent / "sample_texts" / "tinyshakespeare.txt"


class CharLSTM(nn.Module):
    def __init__(self, vocab: int):
        super().__init__()
        self.emb, self.rnn, self.head = nn.Embedding(vocab, 16), nn.LSTM(16, 64, batch_first=True), nn.Linear(64, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(self.emb(ids))[0])  # [B, T, V]


def losses(run_dir: str) -> list[tuple[int, float | None, float]]:
    reader = TimelineReader(run_dir)
    return [(e.step, e.train_loss, reader.load(e.id).probe.loss) for e in reader.index()]


def main(steps: int = 801) -> dict:
    torch.set_num_threads(1)
    text = TEXT.read_text(encoding="utf-8")[:100_000]
    vocab = sorted(set(text))
    ids = torch.tensor([vocab.index(c) for c in text])
    torch.manual_seed(0)
    model = CharLSTM(len(vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    probe = ids[:65]
    fixed_dir, embedded_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
    warned_at = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fixed = Scope(model.rnn, fixed_dir, probe=model.emb(probe[:-1]).detach(), targets=probe[1:],
                      readout=model.head, labels=[vocab[i] for i in probe[:-1]], every=100)
        embedded = Scope(model.rnn, embedded_dir, probe=probe[:-1], embedding=model.emb, targets=probe[1:],
                         readout=model.head, vocab=vocab, every=100)
        generator = torch.Generator().manual_seed(1)
        for step in range(steps):
            starts = torch.randint(0, len(ids) - 65, (32,), generator=generator)
            window = torch.stack([ids[s : s + 65] for s in starts.tolist()])  # [B, 65]
            loss = nn.functional.cross_entropy(model(window[:, :-1]).reshape(-1, len(vocab)), window[:, 1:].reshape(-1))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            told = len(caught)
            fixed.step(step, loss=loss)
            embedded.step(step, loss=loss)
            warned_at = step if warned_at is None and len(caught) > told else warned_at
        fixed.close()
        embedded.close()
    rows = [(step, train, old, new[2]) for (step, train, old), new in zip(losses(fixed_dir), losses(embedded_dir))]
    return {"warned_at": warned_at, "step_train_fixed_embedded": rows}


if __name__ == "__main__":
    print(json.dumps(main()))
