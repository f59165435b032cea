"""The compare figure of two runs' frames: both loss curves overlaid, then A and B panels side by side; saved as
RUN_DIR/compare-step-N.png by every paired export (headless or on the screen)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rnnscope.compare.options import what_differs
from rnnscope.contracts.frames import Frame
from rnnscope.exporting.figure import (
    CLAIM_LINE_IN,
    DPI,
    WIDTH_IN,
    _gradient_flow,
    _headline,
    claim_lines,
    quiet_matplotlib,
)
from rnnscope.exporting.figure_memory import memory_plot
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.snapshot_io import snapshot_name

ROW_HEIGHT_IN = 3.6  # one row of panels
TITLE_IN = 1.0  # three title lines
COLOURS = {"A": "tab:blue", "B": "tab:orange"}


def side_panels(frame_a: Frame, frame_b: Frame) -> list[Callable]:
    """The panels drawn for A (left) and B (right), one row each, as draw(ax, frame): the gradient flow, and the
    memory plot (accuracy by distance, or the context curve) when either frame carries a memory measurement."""
    return [_gradient_flow] + ([_memory] if frame_a.memory is not None or frame_b.memory is not None else [])


def _memory(ax, frame: Frame) -> None:
    memory_plot(ax, frame.memory)


def _loss_overlay(ax, frames: dict[str, Frame]) -> None:
    """Both runs' training curves and validation points on one axis, with each run's events."""
    drawn = False
    for name, frame in frames.items():
        colour = COLOURS[name]
        if len(frame.loss_history):
            ax.plot(frame.loss_history[:, 0], frame.loss_history[:, 1], linewidth=1, color=colour,
                    marker="." if len(frame.loss_history) < 3 else None, label=f"{name} train")
            drawn = True
        if len(frame.val_history):
            ax.plot(frame.val_history[:, 0], frame.val_history[:, 1], marker="o", markersize=3, linestyle="--",
                    color=colour, label=f"{name} val")
            drawn = True
        for event in frame.events:
            ax.axvline(event.step, color=colour, linestyle=":", linewidth=1)
            ax.annotate(f"{name}: {event.label}", (event.step, 0.98), xycoords=("data", "axes fraction"),
                        rotation=90, fontsize=7, va="top", ha="right", color=colour)
    ax.set_title("loss (nats / char), A and B on the same batches; dotted lines: each run's events", fontsize=9)
    ax.set_xlabel("step", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
    if drawn:
        ax.legend(fontsize=7, loc="upper right")
    else:
        ax.text(0.5, 0.5, "no training step yet", transform=ax.transAxes, ha="center", color="dimgrey")


def _same_y_range(left, right) -> None:
    """Put two panels of the same y scale (the flows' log, the memory plots' linear) on one y range so their
    heights compare."""
    if left.get_yscale() == right.get_yscale():
        (a_low, a_high), (b_low, b_high) = left.get_ylim(), right.get_ylim()
        for ax in (left, right):
            ax.set_ylim(min(a_low, b_low), max(a_high, b_high))


def _side_line(frame: Frame) -> str:
    """A run's headline, with where it diverged if it did."""
    diverged = frame.status.diverged
    return _headline(frame) + (f" · DIVERGED at {diverged.split(':')[0]}" if diverged else "")


def save_compare_figure(run_dir: Path, step: int, frame_a: Frame, frame_b: Frame,
                        notify: Callable[[str, str], None]) -> Path | None:
    """RUN_DIR/compare-step-N.png from A's frame and B's (each with a probe), written to a temp name and renamed into
    place; what came of it goes to `notify` (A's engine's) as the path saved or what went wrong -- None then: a figure
    failure never stops training."""
    target = run_dir / f"compare-{snapshot_name(step)}.png"
    differs = what_differs(frame_a.status.config, frame_b.status.config)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        replace_atomically(target, lambda temp: render_compare_figure(frame_a, frame_b, differs, temp))
    except OSError as err:
        notify("error", f"export failed: cannot write {target} ({err.strerror or err})")
        return None
    except Exception as err:
        notify("error", f"compare figure failed: {type(err).__name__}: {err}")
        return None
    notify("information", f"compare figure saved: {target}")
    return target


def render_compare_figure(frame_a: Frame, frame_b: Frame, differs: str, path: Path) -> None:
    """Draw the compare figure of two frames (each with a probe) into a PNG at `path`."""
    with quiet_matplotlib():
        _draw_compare_figure(frame_a, frame_b, differs, path)


def _draw_compare_figure(frame_a: Frame, frame_b: Frame, differs: str, path: Path) -> None:
    from matplotlib.figure import Figure  # lazily: importing stays cheap

    panels = side_panels(frame_a, frame_b)
    claim = claim_lines(frame_a)
    title_in = TITLE_IN + CLAIM_LINE_IN * len(claim)
    height = ROW_HEIGHT_IN * (1 + len(panels)) + title_in
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    grid = fig.add_gridspec(1 + len(panels), 2, left=0.05, right=0.98, bottom=0.55 / height,
                            top=1 - title_in / height, hspace=0.5, wspace=0.15)
    _loss_overlay(fig.add_subplot(grid[0, :]), {"A": frame_a, "B": frame_b})
    for row, draw in enumerate(panels, start=1):
        axes = []
        for column, (name, frame) in enumerate((("A", frame_a), ("B", frame_b))):
            ax = fig.add_subplot(grid[row, column])
            draw(ax, frame)
            ax.set_title(f"{name} · {ax.get_title()}", fontsize=9, color=COLOURS[name])
            axes.append(ax)
        _same_y_range(*axes)
    step = max(frame_a.status.step, frame_b.status.step)
    fig.suptitle("\n".join([*claim, f"{differs} · step {step}", f"A: {_side_line(frame_a)}",
                             f"B: {_side_line(frame_b)}"]), fontsize=10)
    fig.savefig(path, format="png", pil_kwargs={"compress_level": 3})
