"""The MIT 6.S191 music lab's own training loop, written the lab's way, beside rnnscope's engine at the same settings.

    python benchmarks/mit_lab.py [--steps 600] [--hidden 256] [--embed 64] [--threads 1] [--png docs/mit-lab-loss.png]

The lab (lab 1 part 2, PyTorch edition): the whole of irish.abc vectorised, random windows of 100 characters drawn
with np.random.choice, nn.Embedding -> nn.LSTM(batch_first=True) -> nn.Linear, CrossEntropyLoss, Adam 5e-3, batch 8,
no clipping, no validation split. rnnscope: the engine as `rnnscope sample_texts/irish.abc --headless` runs it at the
same settings (its batches from the first 90%, its side work included: validations, probes' share of nothing here,
the tunes' samples and checks). The lab's exact size is --embed 256 --hidden 1024 --steps 3000 (for a GPU).

Prints the mean loss of each block of 100 steps for both, their difference, and the throughput ratio (rnnscope's
steps per second over the lab loop's, the two run in alternating blocks of 100 steps); writes the reference loss
curve as a PNG.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parent.parent
IRISH = ROOT / "sample_texts" / "irish.abc"


class LSTMModel(nn.Module):
    """The lab's model, as its notebook writes it."""

    def __init__(self, vocab_size, embedding_dim, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def init_hidden(self, batch_size, device):
        return (torch.zeros(1, batch_size, self.hidden_size).to(device),
                torch.zeros(1, batch_size, self.hidden_size).to(device))

    def forward(self, x, state=None, return_state=False):
        x = self.embedding(x)
        if state is None:
            state = self.init_hidden(x.size(0), x.device)
        out, state = self.lstm(x, state)
        out = self.fc(out)
        return out if not return_state else (out, state)


def get_batch(vectorized_songs, seq_length, batch_size):
    """The lab's batching."""
    n = vectorized_songs.shape[0] - 1
    idx = np.random.choice(n - seq_length, batch_size)
    input_batch = [vectorized_songs[i : i + seq_length] for i in idx]
    output_batch = [vectorized_songs[i + 1 : i + seq_length + 1] for i in idx]
    x_batch = torch.tensor(np.array(input_batch), dtype=torch.long)
    y_batch = torch.tensor(np.array(output_batch), dtype=torch.long)
    return x_batch, y_batch


class LabLoop:
    """The lab's training loop, as its notebook writes it, run `steps` at a time."""

    def __init__(self, embed: int, hidden: int, seed: int):
        torch.manual_seed(seed)
        np.random.seed(seed)
        songs_joined = IRISH.read_text(encoding="utf-8")
        vocab = sorted(set(songs_joined))
        char2idx = {u: i for i, u in enumerate(vocab)}
        self.vectorized_songs = np.array([char2idx[char] for char in songs_joined])
        self.model = LSTMModel(len(vocab), embed, hidden)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=5e-3)
        self.loss_fn = nn.CrossEntropyLoss()
        self.losses: list[float] = []

    def run(self, steps: int) -> None:
        for _ in range(steps):
            x_batch, y_batch = get_batch(self.vectorized_songs, seq_length=100, batch_size=8)
            self.model.train()
            self.optimizer.zero_grad()
            y_hat = self.model(x_batch)
            loss = self.loss_fn(y_hat.view(-1, y_hat.size(-1)), y_batch.view(-1))
            loss.backward()
            self.optimizer.step()
            self.losses.append(loss.item())


class RnnscopeLoop:
    """rnnscope's engine at the lab's settings, as `--headless` trains it on irish.abc (validations, norms, the tunes'
    samples and checks included)."""

    def __init__(self, embed: int, hidden: int, seed: int, run_dir: Path):
        from rnnscope.contracts.config import RunConfig
        from rnnscope.engine.engine import Engine
        from rnnscope.training.data import load_corpus

        config = RunConfig(corpus=str(IRISH), model="lstm", layers=1, embed=embed, hidden=hidden, seq_len=100,
                           batch=8, lr=5e-3, optimizer="adam", clip=None, seed=seed)
        self.engine = Engine(config, load_corpus(IRISH), run_dir)

    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.engine.train_step()

    @property
    def losses(self) -> list[float]:
        return [float(row[1]) for row in self.engine.frame().loss_history]


def interleaved(lab: LabLoop, ours: RnnscopeLoop, steps: int, block: int = 100) -> tuple[float, float]:
    """Both loops in alternating blocks (the machine's load changes hit both alike); their seconds."""
    lab_s = ours_s = 0.0
    for _ in range(0, steps, block):
        started = time.perf_counter()
        lab.run(block)
        lab_s += time.perf_counter() - started
        started = time.perf_counter()
        ours.run(block)
        ours_s += time.perf_counter() - started
    return lab_s, ours_s


def blocks(losses: list[float], size: int = 100) -> list[float]:
    return [float(np.mean(losses[i : i + size])) for i in range(0, len(losses) - size + 1, size)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--png", default=str(ROOT / "docs" / "mit-lab-loss.png"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        lab_loop, ours_loop = LabLoop(args.embed, args.hidden, args.seed), RnnscopeLoop(args.embed, args.hidden,
                                                                                        args.seed, Path(folder))
        lab_s, ours_s = interleaved(lab_loop, ours_loop, args.steps)
        lab, ours = lab_loop.losses, ours_loop.losses
        timings = ours_loop.engine.budget.timings()
        side = ours_loop.engine.budget
        spent = ", ".join(f"{kind} {seconds / side.train_s:.1%}" for kind, seconds in side.spent.items() if seconds)
    print(f"embed {args.embed} hidden {args.hidden}, {args.steps} steps, {args.threads} thread(s)")
    print(f"{'steps':>11} {'lab':>7} {'rnnscope':>9} {'diff':>7}")
    for k, (a, b) in enumerate(zip(blocks(lab), blocks(ours))):
        print(f"{k * 100 + 1:>5}-{(k + 1) * 100:<5} {a:7.3f} {b:9.3f} {b - a:+7.3f}")
    ratio = (args.steps / ours_s) / (args.steps / lab_s)
    print(f"lab {args.steps / lab_s:.2f} steps/s, rnnscope {args.steps / ours_s:.2f} steps/s: ratio {ratio:.3f} "
          f"(interleaved blocks of 100 steps); rnnscope's side work {timings['side_share']:.1%} of its time, "
          f"a step {timings['train_step_ms']} ms, a sample {timings['sample_ms']} ms")
    print(f"rnnscope's side work as a share of its training time: {spent}")
    _plot(lab, ours, args, Path(args.png))
    print(f"reference loss curve: {args.png}")
    return 0


def _plot(lab: list[float], ours: list[float], args, path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4), dpi=100)
    ax = fig.add_subplot()
    for losses, label, colour in ((lab, "the lab's loop", "tab:orange"), (ours, "rnnscope", "tab:blue")):
        steps = np.arange(1, len(losses) + 1)
        ax.plot(steps, losses, color=colour, alpha=0.25, linewidth=0.7)
        smooth = np.convolve(losses, np.ones(25) / 25, mode="valid")
        ax.plot(steps[24:], smooth, color=colour, label=f"{label} (mean of 25 steps)")
    ax.set_xlabel("training step (batch 8, windows of 100)")
    ax.set_ylabel("train loss (nats / char)")
    ax.set_title(f"irish.abc, LSTM embed {args.embed} hidden {args.hidden}, Adam 5e-3, no clipping (CPU)", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


if __name__ == "__main__":
    raise SystemExit(main())
