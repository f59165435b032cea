"""End-to-end check of `--device cuda` and its scale sweep, for a machine with a GPU (exits 2 at once without one).

    python benchmarks/cuda_check.py [--steps 200] [--rounds 3] [--skip-dashboard] [--smoke]

--smoke runs every section on the CPU at the default size only, one round (tests/test_cuda_check_smoke.py does, so the
script is known to run before a GPU's scarce minutes are spent on it).

Needs rnnscope importable (installed wheel or source tree) and train_throughput.py / probe_cost.py beside this
file (copy the benchmarks folder); run it from any folder. Every line is printed as soon as it is measured.
1. The fast probe on CUDA against the unrolled oracle on CUDA (and against the CPU), all four models, 1 and 3
   layers: states, gates, flows, connectivity.
2. A headless CUDA run with exports; the snapshot reads back and its checkpoint resumes on the CPU.
3. Throughput by size (default; 3 x 512 and 3 x 1024 at T=128, B=128): the headless engine and the dashboard's
   engine loop against the bare fused loop, interleaved.
4. The probe's cost by size: fast (with and without connectivity) against the unrolled pass.
5. Scope on CUDA: a watched 2-layer batch_first LSTM language model trained in float32 and under autocast bf16; on
   its trained weights the scope's probe against the module's own forward (float32), the unrolled oracle on CUDA
   and the same probe on a CPU copy (max abs state error, max relative flow error), and the probe's time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from probe_cost import print_costs, probe_costs
from train_throughput import bare_loop, dashboard_loop, headless_engine

from rnnscope import Scope
from rnnscope.contracts.config import RunConfig
from rnnscope.measuring.module_probe import probe_module, readout_loss
from rnnscope.measuring.oracle_unrolled import probe_module_unrolled
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.storage.snapshot_load import load_snapshot_frame
from rnnscope.storage.timeline import TimelineReader
from rnnscope.training.data import load_corpus
from rnnscope.watch.inputs import check_inputs
from rnnscope.watch.watched_probe import WatchedProbe

TOLERANCE = 1e-4  # states and gates absolute; flows and connectivity relative (TF32 may be on)
SCALES = {"default": {}, "3x512": dict(layers=3, hidden=512, seq_len=128, batch=128),
          "3x1024": dict(layers=3, hidden=1024, seq_len=128, batch=128)}
PROBE_SIZES = ("default", "1x512", "3x512 T64", "3x512 T128", "1x1024", "3x1024 T128")
PARITY_STEPS = 24  # T of the parity check: the oracle's connectivity is one backward pass per target


def _module(kind: str, layers: int) -> nn.RNNBase:
    torch.manual_seed(layers)
    sizes = dict(input_size=32, hidden_size=128, num_layers=layers)
    return {"lstm": nn.LSTM, "gru": nn.GRU}[kind](**sizes) if kind in ("lstm", "gru") else nn.RNN(
        nonlinearity=kind[4:], **sizes)


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.abs(b)
    keep = scale > 1e-30 * max(float(scale.max()), 1e-300)
    return float(np.max(np.abs(a - b)[keep] / scale[keep])) if keep.any() else 0.0


def _differences(fast, oracle) -> tuple[float, float]:
    """(max |state or gate difference|, max relative flow or connectivity difference)."""
    states, flows = 0.0, _relative(fast.connectivity, oracle.connectivity)
    for mine, theirs in zip(fast.layers, oracle.layers):
        for name in ("gates", "hidden", "cell", "pre_activation"):
            a, b = getattr(mine, name), getattr(theirs, name)
            if a is not None and a.size:
                states = max(states, float(np.max(np.abs(a - b))))
        for name in ("grad_h", "grad_c", "grad_h_total"):
            if getattr(theirs, name) is not None:
                flows = max(flows, _relative(getattr(mine, name), getattr(theirs, name)))
    return states, flows


def probe_parity(device: str = "cuda") -> None:
    """The fast probe on `device` against the unrolled oracle on `device` and the fast probe on the CPU."""
    for kind in ("lstm", "gru", "rnn-tanh", "rnn-relu"):
        for layers in (1, 3):
            cpu_module = _module(kind, layers)
            head = nn.Linear(128, 40)
            targets = torch.randint(0, 40, (PARITY_STEPS,), generator=torch.Generator().manual_seed(1))  # [T]
            inputs = torch.randn(1, PARITY_STEPS, 32, generator=torch.Generator().manual_seed(2))  # [1, T, I]
            cpu = probe_module(cpu_module, inputs, readout_loss(head, targets))
            gpu_module, gpu_head = cpu_module.to(device), head.to(device)
            loss = readout_loss(gpu_head, targets.to(device))
            fast = probe_module(gpu_module, inputs.to(device), loss)
            oracle = probe_module_unrolled(gpu_module, inputs.to(device), loss)
            states, flows = _differences(fast, oracle)
            cpu_states, cpu_flows = _differences(fast, cpu)
            verdicts = all(a.metrics.verdict == b.metrics.verdict for a, b in zip(fast.layers, oracle.layers))
            ok = max(states, flows, cpu_states, cpu_flows) < TOLERANCE and verdicts
            print(f"probe {kind:8s} x{layers}  fast vs oracle on {device}: states {states:.1e} flows {flows:.1e}  "
                  f"fast {device} vs cpu: states {cpu_states:.1e} flows {cpu_flows:.1e}  {'OK' if ok else 'MISMATCH'}",
                  flush=True)


def headless_round_trip(steps: int, device: str = "cuda") -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        base = [sys.executable, "-m", "rnnscope", "--headless", "--run-dir", str(run)]
        done = subprocess.run(base + ["--device", device, "--steps", str(steps), "--export-every", str(steps // 2)],
                              capture_output=True, text=True)
        last = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
        print(f"headless {device}: exit {done.returncode}, {last}", flush=True)
        if done.returncode != 0:
            return
        snapshot = json.loads(last)["snapshot"]
        frame = load_snapshot_frame(Path(snapshot))
        print(f"snapshot {snapshot}: device {frame.status.device}, verdict {frame.probe.layers[0].metrics.verdict}, "
              f"connectivity {None if frame.probe.connectivity is None else frame.probe.connectivity.shape}",
              flush=True)
        resumed = subprocess.run(base + ["--device", "cpu", "--steps", str(steps + 20), "--resume",
                                         f"{snapshot}/checkpoint.pt"], capture_output=True, text=True)
        print(f"resume on cpu: exit {resumed.returncode}, {(resumed.stdout.strip().splitlines() or [''])[-1]}",
              flush=True)


def throughput(corpus, rounds: int, dashboard: bool, device: str = "cuda", scales: tuple[str, ...] = tuple(SCALES)) -> None:
    """Engine and dashboard engine loop against the bare fused loop, per size, interleaved over rounds."""
    runs = {"bare": bare_loop, "engine": headless_engine}
    if dashboard:
        runs["dashboard loop"] = dashboard_loop
    for scale in scales:
        config = RunConfig(device=device, **SCALES[scale]).validate()
        steps = 100 if scale == "default" else 40
        rates: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(rounds):
            for name, run in runs.items():
                rates[name].append(run(config, corpus, steps))
        bare = statistics.median(rates["bare"])
        ratios = "  ".join(f"{name} {statistics.median(values) / bare:.3f}x" for name, values in rates.items()
                           if name != "bare")
        print(f"throughput {scale:8s} ({config.layers} x {config.hidden}, T={config.seq_len}, B={config.batch}): "
              f"bare {bare:,.0f} chars/s  {ratios}", flush=True)


class WordLM(nn.Module):
    """Embedding -> 2-layer batch_first LSTM -> linear: the shape of examples/watch_word_lm.py."""

    def __init__(self, vocab: int = 1000, embed: int = 64, hidden: int = 256):
        super().__init__()
        self.encoder = nn.Embedding(vocab, embed)
        self.rnn = nn.LSTM(embed, hidden, 2, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        output, _ = self.rnn(self.encoder(ids))  # [B, T, H]
        return self.decoder(output)  # [B, T, V]


def _own_gap(rnn: nn.LSTM, inputs: torch.Tensor, frame) -> float:
    """max |the module's own float32 forward - the probe's hidden states| (top layer at every step, each layer's
    last)."""
    with torch.no_grad(), torch.autocast(inputs.device.type, enabled=False):
        output, (h_n, _) = rnn(inputs)  # [1, T, H], [L, 1, H]
    top = np.abs(output[0].float().cpu().numpy() - frame.layers[-1].hidden).max()
    last = max(np.abs(h_n[i, 0].float().cpu().numpy() - layer.hidden[-1]).max() for i, layer in enumerate(frame.layers))
    return float(max(top, last))


def scope_parity(device: str = "cuda", steps: int = 20, steps_t: int = 64) -> None:
    """A watched LSTM LM trained on `device` in float32 and under autocast bf16; its probe on the trained weights
    against the module's own forward, the unrolled oracle and a CPU copy; the probe's time."""
    tf32 = f"tf32 matmul {torch.backends.cuda.matmul.allow_tf32} cudnn {torch.backends.cudnn.allow_tf32}" \
        if device == "cuda" else "cpu"
    for precision in ("float32", "autocast bf16"):
        torch.manual_seed(0)
        model = WordLM().to(device)
        ids = torch.randint(0, 1000, (16, steps_t + 1), generator=torch.Generator().manual_seed(3)).to(device)
        probe_ids, targets = ids[:1, :-1], ids[0, 1:]  # [1, T], [T]
        probe = model.encoder(probe_ids).detach()  # [1, T, E]: the LSTM's input for one sequence
        cast = contextlib.nullcontext if precision == "float32" else lambda: torch.autocast(device, dtype=torch.bfloat16)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        with tempfile.TemporaryDirectory() as folder:
            try:
                scope = Scope(model.rnn, folder, probe=probe, targets=targets.cpu(), readout=model.decoder, every=5)
            except ValueError as refused:  # the module's own output differs from the probe by more than 1e-4
                print(f"scope lstm 2x256 {precision}: REFUSED {refused}", flush=True)
                continue
            for step in range(steps):
                with cast():
                    logits = model(ids[:, :-1])  # [B, T, V]
                    loss = nn.functional.cross_entropy(logits.float().reshape(-1, 1000), ids[:, 1:].reshape(-1))
                loss.backward()
                scope.grads(step)
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
                scope.step(step, loss=loss)
            scope.close()
            frames = len(TimelineReader(Path(folder)).index())
            share = scope.side_share
        watched = WatchedProbe(model.rnn, check_inputs(model.rnn, probe, targets.cpu(), model.decoder, None))
        times = []
        for _ in range(5):
            with cast():  # the loop's autocast around the probe: the probe turns it off
                frame = watched.run(steps)
            times.append(frame.cost_ms)
        own = _own_gap(model.rnn, probe, frame)
        oracle = probe_module_unrolled(model.rnn, probe, readout_loss(model.decoder, targets))
        states, flows = _differences(frame, oracle)
        on_cpu = WordLM()
        on_cpu.load_state_dict({name: value.cpu() for name, value in model.state_dict().items()})
        cpu = WatchedProbe(on_cpu.rnn, check_inputs(on_cpu.rnn, probe.cpu(), targets.cpu(), on_cpu.decoder, None)).run(steps)
        cpu_states, cpu_flows = _differences(frame, cpu)
        ok = max(own, states, flows, cpu_states, cpu_flows) < TOLERANCE
        print(f"scope lstm 2x256 T={steps_t} {precision} on {device} ({tf32}): vs own forward {own:.1e}  "
              f"vs unrolled: states {states:.1e} flows {flows:.1e}  vs cpu: states {cpu_states:.1e} flows "
              f"{cpu_flows:.1e}  probe {statistics.median(times):.1f} ms (median of 5)  {frames} frames in "
              f"{steps} steps, scope share {share:.1%}  {'OK' if ok else 'MISMATCH'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-dashboard", action="store_true", help="no dashboard engine loop in the sweep")
    parser.add_argument("--smoke", action="store_true", help="every section on the CPU, default size, one round")
    args = parser.parse_args()
    device, scales, sizes, rounds, steps = "cuda", tuple(SCALES), PROBE_SIZES, args.rounds, args.steps
    if args.smoke:
        device, scales, sizes, rounds, steps = "cpu", ("default",), ("default",), 1, 20
    elif not torch.cuda.is_available():
        print("cuda_check: no CUDA device here", file=sys.stderr)
        sys.exit(2)
    started = time.perf_counter()
    print(torch.cuda.get_device_name(0) if device == "cuda" else "cpu (--smoke)", "torch", torch.__version__, flush=True)
    corpus = load_corpus(bundled_sample_path())
    probe_parity(device)
    scope_parity(device)
    headless_round_trip(steps, device)
    throughput(corpus, rounds, not args.skip_dashboard, device, scales)
    print(f"probe cost on {device}, lstm, E=32, median of {rounds} interleaved rounds", flush=True)
    for size in sizes:
        print_costs(size, probe_costs("lstm", size, rounds, torch.device(device), corpus))
    print(f"cuda_check done in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
