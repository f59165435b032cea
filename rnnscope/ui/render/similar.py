"""Find similar (LSTMVis's match): the spans of the analysis text where the selected units are jointly above a
threshold, ranked by their overlap with the query span."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnscope.contracts.frames import ProbeReading
from rnnscope.contracts.units import UnitsReading


def joint_runs(values: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The maximal runs [start, end) of positions where every column of values [N, S] (the selected units) is above
    `threshold`, in order."""
    on = np.all(values > threshold, axis=1).astype(np.int8)  # [N]
    edges = np.diff(np.concatenate(([0], on, [0])))  # [N + 1]
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def jaccard(length_a: int, length_b: int) -> float:
    """The Jaccard overlap of two spans laid over each other from their starts: |A ∩ B| / |A ∪ B|."""
    return min(length_a, length_b) / max(length_a, length_b)


def find_similar(values: np.ndarray, threshold: float, query_length: int, limit: int = 10) -> list[tuple[int, int, float]]:
    """The runs of values [N, S] where the S selected units are jointly above `threshold`, each with its Jaccard
    overlap with a query span of `query_length` characters (laid from their starts), best first (the earlier on
    ties); at most `limit`. [(start, end, jaccard)]."""
    matches = [(start, end, jaccard(end - start, query_length)) for start, end in joint_runs(values, threshold)]
    matches.sort(key=lambda match: (-match[2], match[0]))
    return matches[:limit]


@dataclass(frozen=True)
class Similar:
    """A find-similar's answer: the query span (in the probe or the analysis text; None when the units are not
    jointly above the threshold at its anchor) and the matching spans of the analysis text [(start, end, jaccard)]."""

    source: str  # "probe" (around the time cursor) / "analysis" (the first unit's strongest context)
    query: tuple[int, int] | None
    text: str  # the text the query span is in
    matches: list[tuple[int, int, float]]
    searched: int  # characters of the analysis text searched (its strip)


def scaled(frame: UnitsReading, units: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The units' values over the strip [N, S], each divided by its largest |value| there, and those scales [S]."""
    values = frame.strip[: len(frame.text), units].astype(np.float32)  # [N, S]
    scale = np.abs(values).max(axis=0, initial=0.0)  # [S]
    scale = np.where(scale > 0, scale, 1.0)
    return values / scale, scale


def probe_values(frame: UnitsReading, units: list[int], probe: ProbeReading | None) -> np.ndarray | None:
    """The units' values over the probe [T, S] (their layer's h or c), or None where the probe lacks one."""
    columns = []
    for unit in units:
        layer, index = int(frame.layer[unit]), int(frame.index[unit])
        if probe is None or layer >= len(probe.layers):
            return None
        states = probe.layers[layer].hidden if frame.kind[unit] == "h" else probe.layers[layer].cell  # [T, H]
        if states is None or index >= states.shape[1]:
            return None
        columns.append(states[:, index])
    return np.stack(columns, axis=1)  # [T, S]


def run_at(values: np.ndarray, threshold: float, position: int) -> tuple[int, int] | None:
    """The joint run of values [N, S] above `threshold` that holds `position`, or None."""
    return next(((start, end) for start, end in joint_runs(values, threshold) if start <= position < end), None)


def similar_spans(frame: UnitsReading, units: list[int], threshold: float, probe: ProbeReading | None, cursor: int,
                  limit: int = 10) -> Similar:
    """LSTMVis's match for `units` (indices into the frame's units). Each unit is scaled by its largest |value| over
    the strip and signed so that it is positive at the anchor: the probe's time cursor when the units are jointly
    above `threshold` there, else the first unit's strongest context in the strip. The spans of the strip where they
    are jointly above it again, the query itself left out, ranked by Jaccard overlap with the query span."""
    analysis, scale = scaled(frame, units)  # [N, S], [S]
    if not len(analysis):  # a recorded analysis (review) keeps no strip
        return Similar("analysis", None, frame.text, [], 0)
    in_probe = probe_values(frame, units, probe)
    if in_probe is not None and 0 <= cursor < len(in_probe):
        signs = np.where(in_probe[cursor] < 0, -1.0, 1.0)  # [S]
        query = run_at(in_probe * signs / scale, threshold, cursor)
        if query is not None:
            return Similar("probe", query, probe.text, _matches(analysis * signs, threshold, query, None, limit),
                           len(analysis))
    anchor = frame.strip_peak(units[0])
    signs = np.where(analysis[anchor] < 0, -1.0, 1.0)  # [S]
    query = run_at(analysis * signs, threshold, anchor)
    matches = [] if query is None else _matches(analysis * signs, threshold, query, query, limit)
    return Similar("analysis", query, frame.text, matches, len(analysis))


def _matches(values: np.ndarray, threshold: float, query: tuple[int, int], itself: tuple[int, int] | None,
             limit: int) -> list[tuple[int, int, float]]:
    found = find_similar(values, threshold, query[1] - query[0], limit + 1)
    return [match for match in found if match[:2] != itself][:limit]
