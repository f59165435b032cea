"""A tiny word-LM-shaped model and loop for the Scope tests, and the frames a scope wrote, read back."""

import torch
from torch import nn

from rnnscope.storage.timeline import TimelineFrame, TimelineReader


def frames_in(run_dir) -> list[TimelineFrame]:
    """Every frame of RUN_DIR's timeline, read back and validated by the reader."""
    reader = TimelineReader(run_dir)
    return [reader.load(entry.id) for entry in reader.index()] if reader.exists() else []


class WordLM(nn.Module):
    """Embedding -> dropout -> 2-layer LSTM (dropout between layers) -> dropout -> linear, batch_first."""

    def __init__(self, vocab=11, emb=6, hidden=8):
        super().__init__()
        self.encoder, self.drop = nn.Embedding(vocab, emb), nn.Dropout(0.2)
        self.rnn = nn.LSTM(emb, hidden, num_layers=2, dropout=0.2, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, ids):
        out, _ = self.rnn(self.drop(self.encoder(ids)))  # [B, T, H]
        return self.decoder(self.drop(out))  # [B, T, V]


def train(steps=12, make_scope=None, clip=0.5):
    """Losses (floats) of a seeded run; make_scope(model) -> Scope or None. Dropout draws from the global RNG."""
    torch.manual_seed(0)
    model = WordLM()
    data = torch.randint(0, 11, (steps, 4, 9))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scope = make_scope(model) if make_scope else None
    losses = []
    for step in range(steps):
        logits = model(data[step, :, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, 11), data[step, :, 1:].reshape(-1))
        loss.backward()
        if scope:
            scope.grads(step)
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        optimizer.zero_grad()
        if scope:
            scope.step(step, loss=loss)
        losses.append(loss.item())
    return losses, model, scope
