"""benchmarks/cuda_check.py runs end to end (on the CPU, --smoke) before a GPU's scarce minutes are spent on it."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "cuda_check.py"


@pytest.mark.slow
def test_every_section_of_the_cuda_check_runs_on_the_cpu(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--smoke"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    parity = [line for line in lines if line.startswith(("probe lstm", "probe gru", "probe rnn", "scope lstm"))]
    assert len(parity) == 10 and all(line.endswith("OK") for line in parity), parity
    assert any(line.startswith("headless cpu: exit 0") for line in lines)
    assert any(line.startswith("resume on cpu: exit 0") for line in lines)
    assert any(line.startswith("throughput default") and "dashboard loop" in line for line in lines)
    assert any(line.startswith("default      fast") for line in lines) and lines[-1].startswith("cuda_check done")
