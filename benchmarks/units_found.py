"""What the units finder found in a run: per memory feature, its best unit and r beyond the character at every
snapshot, and the step where it emerged (|r beyond| >= 0.6).

    python benchmarks/units_found.py RUN_DIR [--features in_dquote,depth_all,...]

RUN_DIR holds the snapshots of a run exported with --export-every (each has a units.json).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rnnscope.storage.snapshot_io import list_snapshots
from rnnscope.storage.units_json import read_units
from rnnscope.units.feature_spec import MEMORY


def best_unit(frame, feature: str) -> tuple[str, float, float]:
    """The unit with the largest |r beyond| for `feature`: its name, r beyond and plain r."""
    column = frame.features.index(feature)
    unit = int(np.argmax(np.nan_to_num(np.abs(frame.beyond[:, column]))))
    return frame.name(unit), float(frame.beyond[unit, column]), float(frame.r[unit, column])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--features", default=",".join(MEMORY))
    args = parser.parse_args()
    features = args.features.split(",")
    frames = [read_units(folder) for folder in list_snapshots(Path(args.run_dir))]
    frames = [f for f in frames if f is not None]
    print("step    " + " ".join(f"{name[:11]:>11}" for name in features))
    for frame in frames:
        print(f"{frame.step:<7} " + " ".join(f"{abs(best_unit(frame, name)[1]):11.2f}" for name in features))
    last = frames[-1]
    emerged = {e.feature: e for e in last.emerged}
    print(f"\nat step {last.step}: feature, best unit, r beyond the character, r, step it emerged (|r beyond| >= 0.6)")
    for name in features:
        unit, beyond, r = best_unit(last, name)
        e = emerged.get(name)
        print(f"{name:<13} {unit:<9} {beyond:+.2f} {r:+.2f} "
              + (f"step {e.step} ({e.kind}{e.index}, {e.beyond:+.2f})" if e else "not yet"))


if __name__ == "__main__":
    main()
