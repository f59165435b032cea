"""Per-parameter gradient norms before/after clipping as log-scale bars, with the threshold marked (a watched loop's:
before its clipping only, which rnnscope does not see)."""

from __future__ import annotations

import math

import numpy as np

from rnnscope.contracts.frames import StepStats
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, fixed, runs, seg, si
from rnnscope.ui.render.log_scale import log_range

VALUE_WIDTH = 16  # cells for "1.23e-03→4.5e-04"
WAITING_STEP = "waiting for the first training step…"
MARK = "│"
BEFORE_CLIPPING = "before clipping"  # a watched loop's norms (Scope.grads is called before its clipping)
UNSEEN_CLIPPING = "the loop's own clipping is not seen"


def short_name(name: str) -> str:
    """'rnn.weight_hh_l0' -> 'W_hh l0', 'embedding.weight' -> 'embedding', 'head.bias' -> 'head b'."""
    base, _, rest = name.partition(".")
    if not rest:
        return name
    if base == "rnn":
        kind, _, layer = rest.rpartition("_")
        return {"weight_ih": "W_ih", "weight_hh": "W_hh", "bias_ih": "b_ih", "bias_hh": "b_hh"}.get(kind, kind) + f" {layer}"
    return base if rest == "weight" else f"{base} {rest[:1]}"


def bar(pre: float, post: float, lo: float, hi: float, columns: int, clip_column: int | None,
        accents: Accents) -> Line:
    """A bar to log10(pre): solid up to the post-clip norm, faint for the part clipping removed."""
    def cells(value: float) -> int:
        if not value > 0:
            return 0
        if not math.isfinite(value):  # an overflowed norm: the whole bar (the number beside it says inf)
            return columns
        return int(min(max(math.ceil((math.log10(value) - lo) / (hi - lo) * columns), 1), columns))

    kept, total = cells(post), cells(pre)
    chars = ["█"] * kept + ["█"] * (total - kept) + [" "] * (columns - total)
    styles = [accents.bar] * kept + [accents.clipped] * (total - kept) + [None] * (columns - total)
    if clip_column is not None:
        chars[clip_column], styles[clip_column] = MARK, accents.threshold
    return runs(chars, styles)


def render_grad_norms(step: StepStats | None, clip: float | None, width: int, height: int,
                      accents: Accents, waiting: str = WAITING_STEP) -> list[Line]:
    """Header with the log range and threshold, one bar per parameter, the total, whether clipping fired (without
    `step.clip_known`: the norms alone, said to be before the loop's clipping)."""
    if step is None:
        return [[seg(waiting, accents.waiting)]]
    if not step.clip_known:
        clip = None
    names = list(step.grad_norms)
    pre = np.array([step.grad_norms[n] for n in names] + [step.total_pre])
    post = np.array([step.grad_norms_post.get(n, step.grad_norms[n]) for n in names] + [step.total_post])
    lo, hi = log_range(pre, post, np.array([clip or 0.0]))
    lo -= 0.25
    name_width = max(len(short_name(n)) for n in names + ["total"]) + 1
    columns = max(width - name_width - VALUE_WIDTH, 4)
    clip_column = None
    if clip:
        clip_column = int(np.clip(np.ceil((np.log10(clip) - lo) / (hi - lo) * columns) - 1, 0, columns - 1))
    header = [seg(fixed("log", name_width), accents.dim), seg(f"{si(10**lo)} … {si(10**hi)}  ", accents.dim)]
    if not step.clip_known:
        header.append(seg(BEFORE_CLIPPING, accents.dim))
    else:
        header += [seg(MARK, accents.threshold), seg(f" clip {si(clip)}")] if clip else [seg("clip off", accents.dim)]

    def values(pre_value: float, post_value: float) -> str:
        return f" {si(pre_value)}→{si(post_value)}" if step.clip_known else f" {si(pre_value)}"

    rows = [header]
    room = max(height - 3, 0)  # lines between the header and the total and clipping lines, which always show
    shown = names if len(names) <= room else names[: max(room - 1, 0)]
    for i, name in enumerate(shown):
        rows.append([seg(fixed(short_name(name), name_width), accents.dim),
                     *bar(pre[i], post[i], lo, hi, columns, clip_column, accents),
                     seg(values(pre[i], post[i]))])
    if len(shown) < len(names) and room:
        rows.append([seg(f"… {len(names) - len(shown)} more", accents.dim)])
    rows.append([seg(fixed("total", name_width), accents.label),
                 *bar(step.total_pre, step.total_post, lo, hi, columns, clip_column, accents),
                 seg(values(step.total_pre, step.total_post))])
    if not step.clip_known:
        fired = [seg(UNSEEN_CLIPPING, accents.dim)]
    elif step.clipped:
        fired = [seg("CLIPPED", accents.threshold), seg(f" ×{step.total_post / step.total_pre:.2f}")]
    else:
        fired = [seg("not clipped", accents.healthy)]
    rows.append([seg(f"step {step.step} · ", accents.dim), *fired])
    if height < len(rows):  # too short for the header, total and clipping lines: the total (with the mark) last
        rows = [rows[0], rows[-2]][-height:] if height > 0 else []
    return rows
