"""Long memory by model: recall / brackets accuracy by distance, the probe's flow verdicts, the context curve.

    nice -n 10 python benchmarks/memory_tasks.py [--only lstm,gru,relu,tanh,shakespeare]
        [--task recall,brackets] [--seeds 0,1] [--steps 4000] [--text-steps 2000] [--out rows.jsonl]

Each row trains the engine (default sizes, 1 thread, memory measured at its 2% budget) on a generated
task with distances 5-50 and prints: accuracy at distances 10/30/50 (64 items each, from seed + 1),
the task probe's grad_h verdict and decay (and grad_c's for the LSTM), the engine's ms per memory
evaluation and its share of training time. The `shakespeare` row trains the LSTM on the bundled text
and prints the context curve's drop from k = 1 to k = 64 (target >= 0.5 nats). Targets (issue 8):
LSTM, GRU, rnn-relu + identity >= 0.9 at 10/30/50 on recall; rnn-tanh <= 0.2 at 30.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.engine.engine import Engine
from rnnscope.measuring.memory import MemoryMeter
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.training.task_corpus import plan_task_corpus, task_of, write_task_corpus

MODELS = {"lstm": dict(model="lstm"), "gru": dict(model="gru"),
          "relu": dict(model="rnn-relu", init="identity"), "tanh": dict(model="rnn-tanh")}
DISTANCES = [10, 30, 50]


def _train(config: RunConfig, corpus_path: Path, run_dir: Path, steps: int) -> tuple[Engine, float]:
    engine = Engine(config, load_corpus(corpus_path), run_dir, threads=1)
    started = time.perf_counter()
    while engine.step < steps:
        engine.train_step()
    return engine, time.perf_counter() - started


def task_row(name: str, task: str, seed: int, steps: int, scratch: Path) -> dict:
    config = RunConfig(task=task, seed=seed, threads=1, **MODELS[name])
    run_dir = scratch / f"{task}-{name}-{seed}"
    engine, wall = _train(config, write_task_corpus(plan_task_corpus(config, run_dir)), run_dir, steps)
    share = engine.budget.spent["memory"] / engine.budget.train_s  # the engine's own measurements while training
    meter = MemoryMeter(engine.corpus, config.seq_len, task_of(config), seed, engine.device, DISTANCES)
    accuracy = meter.measure(engine.model, engine.step).accuracy
    memory = engine.refresh_memory()
    metrics = engine.refresh_probe().layers[0].metrics
    return {"task": task, "model": name, "seed": seed, "steps": engine.step, "wall_s": round(wall, 1),
            **{f"acc@{d}": round(float(a), 3) for d, a in zip(DISTANCES, accuracy)},
            "by_distance": {int(d): round(float(a), 3) for d, a in zip(memory.distances, memory.accuracy)},
            "verdict": metrics.verdict, "decay": round(metrics.decay_per_step, 4),
            "cell_verdict": metrics.cell_verdict,
            "cell_decay": None if metrics.cell_decay_per_step is None else round(metrics.cell_decay_per_step, 4),
            "memory_ms": round(memory.cost_ms, 1),
            "memory_share": round(share, 4)}


def text_row(seed: int, steps: int, scratch: Path) -> dict:
    config = RunConfig(seed=seed, threads=1)
    engine, wall = _train(config, bundled_sample_path(), scratch / "text", steps)
    share = engine.budget.spent["memory"] / engine.budget.train_s  # the engine's own measurements while training
    memory = engine.refresh_memory()
    loss = dict(zip(memory.context_k.tolist(), memory.context_loss.tolist()))
    return {"task": "shakespeare", "model": "lstm", "seed": seed, "steps": engine.step, "wall_s": round(wall, 1),
            "k1": round(loss[1], 3), "k64": round(loss[64], 3), "drop": round(loss[1] - loss[64], 3),
            "curve": {k: round(v, 3) for k, v in loss.items()}, "memory_ms": round(memory.cost_ms, 1),
            "train_ms_per_step": round(1000 * engine.budget.train_s / engine.step, 1),
            "memory_share": round(share, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="lstm,gru,relu,tanh,shakespeare")
    parser.add_argument("--task", default="recall,brackets")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--text-steps", type=int, default=2000)
    parser.add_argument("--out", help="also append each row as a JSON line to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = args.only.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        for seed in (int(s) for s in args.seeds.split(",")):
            jobs = [(lambda n=n, t=t: task_row(n, t, seed, args.steps, Path(scratch)))  # noqa: B023 (called at once, inside the loop)
                    for t in args.task.split(",") for n in rows if n in MODELS]
            if "shakespeare" in rows:
                jobs.append(lambda: text_row(seed, args.text_steps, Path(scratch)))  # noqa: B023 (called at once, inside the loop)
            for job in jobs:
                row = job()
                print(json.dumps(row), flush=True)
                if args.out:
                    with open(args.out, "a") as handle:
                        handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
