"""Training throughput of the engine against a bare fused PyTorch loop, interleaved in one run.

    python benchmarks/train_throughput.py [--rounds 5] [--steps 400] [--threads N] [--model lstm] [--side-seconds 60]

Prints chars/s in steady state (after the first validation and the memory pass it forces, once a run) of: the bare
loop (nn.Embedding + fused module + nn.Linear, Adam, clip_grad_norm_), the headless engine (per-parameter norms,
clip stats, validation every 100 steps), and the dashboard's engine loop (EngineSource: + probes at their cadence,
samples, frames), each as a median over rounds, the ratios against the bare loop, and the probe's cost in ms. Then
the side budget's split: the dashboard's engine loop run for --side-seconds, what each kind of side work took as a
share of the training time, and `timings` as meta.json would say them (0 skips it).
"""

from __future__ import annotations

import argparse
import pickle
import queue
import statistics
import time

import torch
import torch.nn.functional as F

from rnnscope.contracts.commands import Quit
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.parts import PartsOut
from rnnscope.engine.engine import Engine
from rnnscope.runner.engine_source import EngineSource
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import BatchSampler, load_corpus
from rnnscope.training.device import configure_threads, resolve_device
from rnnscope.training.model import build_model


def bare_loop(config: RunConfig, corpus, steps: int) -> float:
    """chars/s of the plainest fused training loop on the same model, batches and device."""
    device = resolve_device(config.device)
    model = build_model(config, len(corpus.vocab)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    sampler = BatchSampler(corpus.train, config.seq_len, config.batch, config.seed)
    _bare_step(model, opt, sampler, config, device)  # warm-up
    started = time.perf_counter()
    for _ in range(steps):
        loss = _bare_step(model, opt, sampler, config, device)
    float(loss)  # wait for the device
    return steps * config.batch * config.seq_len / (time.perf_counter() - started)


def _bare_step(model, opt, sampler, config, device) -> torch.Tensor:
    inputs, targets = sampler.next()  # [B, T] each
    logits, _ = model(torch.from_numpy(inputs).to(device))  # [B, T, V]
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(targets).to(device).reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
    opt.step()
    return loss.detach()


def headless_engine(config: RunConfig, corpus, steps: int) -> float:
    """Steady state: timed after the first validation (and the first memory pass it forces, ~0.1 s once a run)."""
    engine = Engine(config, corpus, run_dir=_nowhere(), threads=torch.get_num_threads())
    for _ in range(config.val_every):  # warm-up
        engine.train_step()
    started = time.perf_counter()
    for _ in range(steps):
        engine.train_step()
    return steps * config.batch * config.seq_len / (time.perf_counter() - started)


def dashboard_loop(config: RunConfig, corpus, steps: int) -> float:
    """The EngineSource loop the dashboard runs (parts compared and pickled as for the pipe), timed from its first
    frame after the first validation (steady state, as headless_engine) to `steps` steps later."""
    source = EngineSource(config, corpus.path, _nowhere(), threads=torch.get_num_threads())
    inbox: queue.Queue = queue.Queue()
    sent = PartsOut()
    marks: dict[str, float] = {}

    def publish(parts) -> None:
        pickle.dumps(sent.update(parts))
        step = parts["status"].step
        if step <= config.val_every:
            return
        if "start" not in marks:
            marks["start"], marks["step0"] = time.perf_counter(), step
        elif step - marks["step0"] >= steps and "end" not in marks:
            marks["end"], marks["steps"] = time.perf_counter(), step - marks["step0"]
            inbox.put(Quit())

    source.run(publish, inbox)
    return marks["steps"] * config.batch * config.seq_len / (marks["end"] - marks["start"])


def side_split(config: RunConfig, corpus, seconds: float) -> None:
    """The dashboard's engine loop for `seconds` (from its start, start-up passes included, as `timings` counts
    them): each kind of side work as a share of the training time, and the engine's own `timings`."""
    source = EngineSource(config, corpus.path, _nowhere(), threads=torch.get_num_threads())
    built, inbox = {}, queue.Queue()
    build = source.build
    source.build = lambda: built.setdefault("engine", build())
    started = time.perf_counter()

    def publish(_parts) -> None:
        if time.perf_counter() - started > seconds:
            inbox.put(Quit())

    source.run(publish, inbox)
    engine = built["engine"]
    budget = engine.budget
    split = ", ".join(f"{kind} {spent / budget.train_s:.2%}" for kind, spent in budget.spent.items())
    print(f"side work of the dashboard's engine loop over {seconds:g} s ({engine.step} steps): share "
          f"{budget.share():.2%} = {split}")
    print(f"  timings: {budget.timings()}")


def probe_cost_ms(config: RunConfig, corpus, repeats: int = 10) -> float:
    engine = Engine(config, corpus, run_dir=_nowhere(), threads=torch.get_num_threads())
    costs = [engine.refresh_probe().cost_ms for _ in range(repeats + 1)][1:]
    return statistics.median(costs)


def _nowhere():
    from pathlib import Path

    return Path("/nonexistent-benchmark-run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--threads", type=int, default=0, help="0 = the headless default (half the cores)")
    parser.add_argument("--model", default="lstm")
    parser.add_argument("--side-seconds", type=float, default=60.0)
    args = parser.parse_args()
    threads = configure_threads(args.threads)
    config = RunConfig(model=args.model).validate()
    corpus = load_corpus(bundled_sample_path())
    runs = {"bare fused loop": bare_loop, "headless engine": headless_engine, "dashboard engine loop": dashboard_loop}
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            rates[name].append(run(config, corpus, args.steps))
    print(f"model {config.model} H={config.hidden} E={config.embed} T={config.seq_len} B={config.batch}, "
          f"threads {threads}, {args.rounds} rounds x {args.steps} steps, interleaved")
    bare = statistics.median(rates["bare fused loop"])
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:24s} {median:10,.0f} chars/s  ratio {median / bare:.3f}  "
              f"(rounds: {', '.join(f'{v:,.0f}' for v in values)})")
    print(f"probe pass (T={config.probe_len}, batch 1): {probe_cost_ms(config, corpus):.1f} ms median")
    if args.side_seconds > 0:
        side_split(config, corpus, args.side_seconds)


if __name__ == "__main__":
    main()
