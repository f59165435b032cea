"""Render a run's timeline as a film: one matplotlib frame per chosen timeline frame (gates, states, gradient flow,
memory, the loss curve with a moving marker), titled with the step and loss; a compare's runs side by side."""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnscope.exporting.figure import quiet_matplotlib
from rnnscope.exporting.figure_memory import memory_plot
from rnnscope.storage.snapshot_io import META, snapshot_name
from rnnscope.storage.snapshot_load import memory_from_json
from rnnscope.storage.snapshot_read import SnapshotError, read_json
from rnnscope.storage.timeline import TimelineEntry, TimelineError, TimelineFrame, TimelineReader

MAX_FRAMES = 300  # spread evenly over the run
UNITS = 16  # units shown per heatmap (the film is for slides: a readable few)
SIZE_IN, DPI = (10.0, 6.0), 80  # 800 x 480 pixels per side
FPS = 8
TITLE_CHARS = 56  # a subplot title's line: what half of a side's 800 pixels holds at 9 points


@dataclass(frozen=True)
class Side:
    """One run of the film: its name on the frame ("" for a single run) and its timeline."""

    name: str
    reader: TimelineReader
    entries: list[TimelineEntry]

    def at(self, step: int) -> TimelineEntry:
        """Its newest frame at or before `step` (its first when none is)."""
        return ([e for e in self.entries if e.step <= step] or self.entries[:1])[-1]


def chosen(entries: list[TimelineEntry], limit: int = MAX_FRAMES) -> list[TimelineEntry]:
    """At most `limit` entries spread evenly over the run, the first and the last among them."""
    if len(entries) <= limit:
        return list(entries)
    picks = np.unique(np.round(np.linspace(0, len(entries) - 1, limit)).astype(int))  # [<= limit]
    return [entries[i] for i in picks]


def frames_rgb(sides: list[Side], limit: int = MAX_FRAMES,
               progress: Callable[[int, int], None] = lambda done, total: None,
               skipped: list[str] | None = None) -> Iterator[np.ndarray]:
    """[H, W, 3] uint8 images, one per chosen frame of the first side (the others at its step); a frame that cannot
    be loaded (a corrupt or vanished file) is left out, its reason appended to `skipped`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lead = chosen(sides[0].entries, limit)
    losses = [_loss_curve(side.entries) for side in sides]
    fig = Figure(figsize=(SIZE_IN[0] * len(sides), SIZE_IN[1]), dpi=DPI)
    FigureCanvasAgg(fig)  # draws into memory
    with quiet_matplotlib():
        for done, entry in enumerate(lead, 1):
            fig.clear()
            try:
                shown = [side.at(entry.step) for side in sides]
                loaded = [with_snapshot_memory(side.reader.load(at.id), side.reader.run_dir, at.step)
                          for side, at in zip(sides, shown)]
            except TimelineError as err:
                (skipped if skipped is not None else []).append(str(err))
                progress(done, len(lead))
                continue
            columns = fig.add_gridspec(1, len(sides), wspace=0.18, left=0.04, right=0.98, top=0.9, bottom=0.07)
            for column, (side, frame, loss) in enumerate(zip(sides, loaded, losses)):
                _draw_side(fig, columns[0, column], side.name, frame, loss)
            fig.canvas.draw()
            yield np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
            progress(done, len(lead))


def with_snapshot_memory(frame: TimelineFrame, run_dir: Path, step: int) -> TimelineFrame:
    """The frame with the memory of the run's snapshot at `step` where one was exported (measured at that very
    step, as the snapshot's verdict is), else as the timeline recorded it (the last measured before the probe)."""
    meta = run_dir / snapshot_name(step) / META
    try:
        memory = memory_from_json(read_json(meta, within=run_dir).get("memory"), step)
    except (SnapshotError, ValueError, KeyError, TypeError):  # no snapshot there, or one this reader cannot use
        return frame
    return frame if memory is None else dataclasses.replace(frame, memory=memory)


def _loss_curve(entries: list[TimelineEntry]) -> np.ndarray:
    """[N, 2] (step, train loss) of the frames that have one."""
    rows = [(e.step, e.train_loss) for e in entries if e.train_loss is not None and math.isfinite(e.train_loss)]
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def _draw_side(fig, slot, name: str, frame: TimelineFrame, loss: np.ndarray) -> None:
    """One run's panels in `slot`: gates and states of layer 0 on top, flow and memory, the loss across the bottom."""
    grid = slot.subgridspec(3, 2, hspace=0.55, wspace=0.25, height_ratios=[1.3, 1.0, 0.8])
    entry, layer = frame.entry, frame.probe.layers[0]
    fig.text(_centre(slot, fig), 0.95, frame_title(name, entry), ha="center", fontsize=13, weight="bold")
    if len(layer.gate_names):
        gates = np.concatenate([gate[:, :UNITS] for gate in layer.gates], axis=1)  # [T, G*U]
        title = f"gates {' / '.join(layer.gate_names)} (units 0-{UNITS - 1} each)"
        _heat(fig.add_subplot(grid[0, 0]), gates, title, (0.0, 1.0) if layer.pre_activation is None else None)
    else:  # a vanilla RNN: no gates, its pre-activation W_ih x_t + W_hh h_{t-1} + b
        _heat(fig.add_subplot(grid[0, 0]), layer.pre_activation[:, :UNITS], "pre-activation", None)
    states = layer.hidden[:, :UNITS] if layer.cell is None else np.concatenate(
        [layer.cell[:, :UNITS], layer.hidden[:, :UNITS]], axis=1)  # [T, U or 2U]
    _heat(fig.add_subplot(grid[0, 1]), states, "hidden h_t" if layer.cell is None else "cell c_t / hidden h_t", None)
    _flow(fig.add_subplot(grid[1, 0]), frame)
    memory_ax = fig.add_subplot(grid[1, 1])
    memory_plot(memory_ax, frame.memory)
    if frame.memory is not None:  # the measurement last before the probe: it may be older
        memory_ax.set_title(f"{memory_ax.get_title()} @ step {frame.memory.step:,}", fontsize=9)
    _loss(fig.add_subplot(grid[2, :]), loss, entry.step, own=not frame.probe.labels)


def frame_title(name: str, entry: TimelineEntry) -> str:
    """'A · step 1,500 · loss 1.737': the run, the step and its train loss (the probe's loss before the first step)."""
    loss = entry.train_loss if entry.train_loss is not None else entry.loss
    return f"{name + ' · ' if name else ''}step {entry.step:,} · loss {loss:.3f}"


def _centre(slot, fig) -> float:
    box = slot.get_position(fig)
    return (box.x0 + box.x1) / 2


def _heat(ax, values: np.ndarray, title: str, fixed: tuple[float, float] | None) -> None:
    """values [T, K] as K rows over time; a fixed range (gates) or one centred on 0 (states)."""
    from matplotlib.ticker import MaxNLocator

    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    low, high = fixed if fixed is not None else (-limit, limit)
    ax.imshow(values.T.astype(np.float32), aspect="auto", interpolation="nearest",
              cmap="viridis" if fixed is not None else "RdBu_r", vmin=low, vmax=high)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("time step t", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _flow(ax, frame: TimelineFrame) -> None:
    """‖dl_T/dh_t‖ (and the cell path's) of every layer on a log scale, with the verdicts."""
    notes = []
    for i, layer in enumerate(frame.probe.layers):
        for flow, style, label in ((layer.grad_h, "-", f"l{i} h"), (layer.grad_c, "--", f"l{i} c")):
            if flow is not None:
                ax.plot(np.where(np.isfinite(flow) & (flow > 0), flow, np.nan), style, linewidth=1.2, label=label)
        metrics = layer.metrics
        notes.append(f"l{i} {metrics.verdict} {metrics.decay_per_step:.2f}/step"
                     + (f", cell {metrics.cell_verdict}" if metrics.cell_verdict else ""))
    if np.isfinite(np.concatenate([layer.grad_h for layer in frame.probe.layers])).any():
        from matplotlib.ticker import NullFormatter

        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(NullFormatter())  # 4×10⁻¹ labels crowd a small panel
    title = textwrap.wrap("gradient flow ‖∂l_T/∂h_t‖: " + "; ".join(notes), TITLE_CHARS)
    ax.set_title("\n".join(title), fontsize=9 if len(title) == 1 else 8)  # a subplot is half a side: not cut
    ax.set_xlabel("time step t", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")


def _loss(ax, loss: np.ndarray, step: int, own: bool = True) -> None:
    """The run's train loss (from its timeline), a marker at `step`; in nats per character for rnnscope's `own`
    runs, without units for a watched model (its loss is its own)."""
    if len(loss):
        ax.plot(loss[:, 0], loss[:, 1], linewidth=1, color="tab:blue")
        here = loss[loss[:, 0] <= step]
        if len(here):
            ax.plot([here[-1, 0]], [here[-1, 1]], "o", color="tab:red", markersize=7)
    ax.axvline(step, color="tab:red", linewidth=1, alpha=0.6)
    ax.set_title("train loss (nats / char)" if own else "train loss (the loop's own)", fontsize=9)
    ax.set_xlabel("step", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)


def write_gif(images: Iterator[np.ndarray], path: Path, fps: int = FPS) -> int:
    """The images as an animated GIF at `path` (one shared palette per frame, looping); the frame count the file
    holds."""
    from PIL import Image

    frames = [Image.fromarray(image).quantize(colors=128, method=Image.Quantize.MEDIANCUT) for image in images]
    if not frames:
        raise ValueError("no frame to write")
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=round(1000 / fps), loop=0,
                   optimize=False)
    with Image.open(path) as written:  # Pillow merges identical neighbours (two frames of one step): say what it holds
        return written.n_frames


def write_mp4(images: Iterator[np.ndarray], path: Path, ffmpeg: str, fps: int = FPS) -> int:
    """The images as an H.264 MP4 at `path`, piped to ffmpeg; the frame count (OSError when ffmpeg fails,
    ValueError when there is no image)."""
    import subprocess

    process, count = None, 0
    try:
        for image in images:
            if process is None:
                height, width = image.shape[:2]
                process = subprocess.Popen(
                    [ffmpeg, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                     f"{width}x{height}", "-r", str(fps), "-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                     "-pix_fmt", "yuv420p", "-f", "mp4", str(path)],
                    stdin=subprocess.PIPE, stderr=subprocess.PIPE)
            process.stdin.write(image.tobytes())
            count += 1
    finally:
        if process is not None:
            process.stdin.close()
            error = process.stderr.read().decode("utf-8", "replace").strip()
            if process.wait() != 0:
                raise OSError(f"ffmpeg failed: {error.splitlines()[-1] if error else process.returncode}")
    if not count:
        raise ValueError("no frame to write")
    return count
