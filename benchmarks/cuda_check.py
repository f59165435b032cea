"""End-to-end check of `--device cuda`, for a machine with a GPU (exits 2 at once without one).

    python benchmarks/cuda_check.py [--steps 200]

1. Each model's probe on CUDA against the same weights on the CPU (states, gradient norms, metrics).
2. A headless CUDA run with exports; the snapshot reads back and its checkpoint resumes on the CPU.
3. Throughput: the engine on CUDA against the bare fused loop on CUDA, interleaved.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_throughput import bare_loop, headless_engine  # noqa: E402

from rnnscope.config import MODELS, RunConfig  # noqa: E402
from rnnscope.core.data import load_corpus  # noqa: E402
from rnnscope.corpus_file import bundled_sample_path  # noqa: E402
from rnnscope.core.model import build_model  # noqa: E402
from rnnscope.core.probe import run_probe  # noqa: E402
from rnnscope.snapshot_io import load_snapshot_frame  # noqa: E402


def probe_parity(corpus) -> None:
    text = corpus.decode(corpus.val[:65])
    ids = corpus.encode(text)
    for model_name in MODELS:
        cpu_model = build_model(RunConfig(model=model_name, layers=2), len(corpus.vocab))
        gpu_model = copy.deepcopy(cpu_model).to("cuda")
        cpu = run_probe(cpu_model, ids[:-1], ids[1:], text, 0)
        gpu = run_probe(gpu_model, ids[:-1], ids[1:], text, 0)
        worst = max(float(np.max(np.abs(a.hidden - b.hidden))) for a, b in zip(cpu.layers, gpu.layers))
        flow = max(float(np.max(np.abs(np.log(a.grad_h + 1e-30) - np.log(b.grad_h + 1e-30))))
                   for a, b in zip(cpu.layers, gpu.layers))
        verdicts = [(a.metrics.verdict, b.metrics.verdict) for a, b in zip(cpu.layers, gpu.layers)]
        ok = worst < 1e-4 and flow < 1e-2 and all(x == y for x, y in verdicts)
        print(f"probe {model_name:8s} max |h_cpu - h_cuda| {worst:.2e}  max |log grad_h diff| {flow:.2e}  "
              f"verdicts {verdicts}  {'OK' if ok else 'MISMATCH'}")


def headless_round_trip(steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        base = [sys.executable, "-m", "rnnscope", "--headless", "--run-dir", str(run)]
        done = subprocess.run(base + ["--device", "cuda", "--steps", str(steps), "--export-every", str(steps // 2)],
                              capture_output=True, text=True)
        print(f"headless cuda: exit {done.returncode}, {done.stdout.strip().splitlines()[-1]}")
        snapshot = json.loads(done.stdout.strip().splitlines()[-1])["snapshot"]
        frame = load_snapshot_frame(Path(snapshot))
        print(f"snapshot {snapshot}: device {frame.status.device}, verdict {frame.probe.layers[0].metrics.verdict}")
        resumed = subprocess.run(base + ["--device", "cpu", "--steps", str(steps + 20), "--resume",
                                         f"{snapshot}/checkpoint.pt"], capture_output=True, text=True)
        print(f"resume on cpu: exit {resumed.returncode}, {resumed.stdout.strip().splitlines()[-1]}")


def throughput(corpus) -> None:
    config = RunConfig(device="cuda").validate()
    bare = [bare_loop(config, corpus, 100) for _ in range(3)]
    engine = [headless_engine(config, corpus, 100) for _ in range(3)]
    print(f"cuda: bare {np.median(bare):,.0f} chars/s, engine {np.median(engine):,.0f} chars/s, "
          f"ratio {np.median(engine) / np.median(bare):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("cuda_check: no CUDA device here", file=sys.stderr)
        sys.exit(2)
    print(torch.cuda.get_device_name(0), "torch", torch.__version__)
    corpus = load_corpus(bundled_sample_path())
    probe_parity(corpus)
    headless_round_trip(args.steps)
    throughput(corpus)


if __name__ == "__main__":
    main()
