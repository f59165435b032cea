"""Line plots in braille dots (2 x 4 per cell): pure numpy from (x, y) series to lines of Segments."""

from __future__ import annotations

import numpy as np
from rich.style import Style

from rnnscope.ui.render.lines import Line, runs

BRAILLE = 0x2800
# Bit of each dot in a braille cell, indexed [row 0..3][column 0..1].
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])
CHARS = np.array([" "] + [chr(BRAILLE + bits) for bits in range(1, 256)], dtype=object)  # ' ' for no dots


def dot_mask(x: np.ndarray, y: np.ndarray, x_range, y_range, width: int, height: int) -> np.ndarray:
    """[4*height, 2*width] booleans: the polyline through (x, y), row 0 at the top, spikes kept."""
    mask = np.zeros((4 * height, 2 * width), dtype=bool)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size == 0:
        return mask
    (x0, x1), (y0, y1) = x_range, y_range
    px = np.clip(np.round((x - x0) / ((x1 - x0) or 1.0) * (2 * width - 1)), 0, 2 * width - 1).astype(int)
    py = np.clip(np.round((y - y0) / ((y1 - y0) or 1.0) * (4 * height - 1)), 0, 4 * height - 1)
    low = np.full(2 * width, np.inf)
    high = np.full(2 * width, -np.inf)
    np.minimum.at(low, px, py)
    np.maximum.at(high, px, py)
    columns = np.arange(px.min(), px.max() + 1)
    hit = np.isfinite(low[columns])
    centre = np.interp(columns, columns[hit], (low[columns][hit] + high[columns][hit]) / 2)
    low[columns] = np.where(hit, low[columns], centre)
    high[columns] = np.where(hit, high[columns], centre)
    previous = np.concatenate([centre[:1], centre[:-1]])  # each column joins the previous one's centre
    bottom = np.minimum(low[columns], previous).astype(int)  # [columns] dot rows counted from the bottom
    top = np.maximum(high[columns], previous).astype(int)
    rows = np.arange(4 * height)[:, None]  # [4h, 1] row 0 at the top
    mask[:, columns] = (rows >= 4 * height - 1 - top) & (rows < 4 * height - bottom)
    return mask


def cell_bits(mask: np.ndarray) -> np.ndarray:
    """[4h, 2w] dot mask -> [h, w] braille bit patterns."""
    h, w = mask.shape[0] // 4, mask.shape[1] // 2
    cells = mask.reshape(h, 4, w, 2)
    return np.einsum("hrwc,rc->hw", cells.astype(np.int64), DOT_BITS)


def braille_cells(masks: list[np.ndarray], styles: list[Style | None]) -> tuple[list[list[str]], list[list]]:
    """Overlay dot masks into rows of braille characters (' ' when empty) and their styles; later masks win."""
    bits = [cell_bits(m) for m in masks]
    combined = np.bitwise_or.reduce(bits, axis=0)  # [h, w]
    owner = np.full(combined.shape, len(styles))
    for i, b in enumerate(bits):
        owner[b > 0] = i
    palette = np.empty(len(styles) + 1, dtype=object)
    palette[:-1] = styles
    return CHARS[combined].tolist(), palette[owner].tolist()


def braille_lines(masks: list[np.ndarray], styles: list[Style | None]) -> list[Line]:
    """Overlay dot masks (later ones win a shared cell's colour) into lines of braille characters."""
    chars, cell_styles = braille_cells(masks, styles)
    return [runs(row, row_styles) for row, row_styles in zip(chars, cell_styles)]
