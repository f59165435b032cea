"""Colour scales as precomputed Segment tables, one per scale kind and terminal colour system."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

SEQUENTIAL = "sequential"  # values in [lo, hi], e.g. sigmoid gates in [0, 1]
DIVERGING = "diverging"  # signed values centred at 0

TRUECOLOR, EIGHT_BIT, STANDARD = "truecolor", "256", "standard"
UPPER_HALF = "▀"
SHADES = " ░▒▓█"

# Anchor colours (RGB), interpolated into `levels` steps; luminance rises away from the low end / from 0.
ANCHORS = {
    SEQUENTIAL: ((48, 18, 59), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)),  # viridis-like
    DIVERGING: ((120, 200, 255), (40, 110, 210), (22, 22, 30), (200, 50, 40), (255, 190, 110)),  # blue-dark-orange
}
HALF_BLOCK_LEVELS = 33  # odd, so 0 falls in the middle level of a diverging scale
# 16-colour terminals: one data row per cell, shade characters in a few ANSI colours.
STANDARD_STEPS = {
    SEQUENTIAL: tuple((shade, "yellow") for shade in SHADES),
    DIVERGING: tuple((shade, "bright_blue") for shade in SHADES[:0:-1]) + ((" ", None),)
    + tuple((shade, "bright_red") for shade in SHADES[1:]),
}


def luminance(rgb) -> float:
    """Relative luminance (sRGB weights, no gamma) of an (r, g, b) triple."""
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ramp(kind: str, levels: int) -> np.ndarray:
    """[levels, 3] RGB colours interpolated along the kind's anchors."""
    anchors = np.array(ANCHORS[kind], dtype=float)  # [A, 3]
    where = np.linspace(0, len(anchors) - 1, levels)  # [levels]
    return np.stack([np.interp(where, np.arange(len(anchors)), anchors[:, c]) for c in range(3)], axis=1).round()


@lru_cache(maxsize=1)
def xterm_colours() -> np.ndarray:
    """[240, 3] RGB of xterm colours 16..255 (the 6x6x6 cube and the grey ramp)."""
    steps = (0, 95, 135, 175, 215, 255)
    cube = [(r, g, b) for r in steps for g in steps for b in steps]
    greys = [(8 + 10 * i,) * 3 for i in range(24)]
    return np.array(cube + greys, dtype=float)


def nearest_xterm(colours: np.ndarray, start: int) -> list[int]:
    """xterm-256 numbers nearest to each colour, walking out from `start` (the darkest level) so that
    luminance never drops on the way out: no reversed bands. Sequential start 0, diverging the centre."""
    table = xterm_colours()
    table_lum = np.array([luminance(c) for c in table])
    picks = [0] * len(colours)
    for walk in (range(start, len(colours)), range(start, -1, -1)):
        floor = -1.0
        for i in walk:
            distance = np.sum((table - colours[i]) ** 2 * (0.3, 0.59, 0.11), axis=1)
            best = int(np.argmin(np.where(table_lum >= floor, distance, np.inf)))
            floor = table_lum[best]
            picks[i] = 16 + best
    return picks


def table(items) -> np.ndarray:
    """A 1-D object array of Segments or Styles: indexing it with an array of levels is one numpy call."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):  # item by item: numpy would unpack a Segment (a tuple) into a row
        out[i] = item
    return out


@dataclass(frozen=True, eq=False)
class Palette:
    """A quantised colour scale: Segment tables so drawing a heatmap is array indexing."""

    kind: str  # SEQUENTIAL / DIVERGING
    color_system: str  # TRUECOLOR / EIGHT_BIT / STANDARD
    levels: int  # number of quantisation levels
    rows_per_line: int  # 2: half blocks, two data rows per terminal row; 1: shade characters
    cells: np.ndarray  # Segments; rows_per_line 2: index upper*(levels+1)+lower (levels = empty); 1: index level
    swatches: np.ndarray  # Segments, one cell showing each level (legends, strips)
    text_styles: np.ndarray  # Styles per level: background colour for text, with a readable foreground

    def quantize(self, values: np.ndarray, lo: float, hi: float) -> np.ndarray:
        """Integer levels 0 .. levels-1 for values scaled from [lo, hi]; NaN goes to the lowest level."""
        span = hi - lo if hi > lo else 1.0
        scaled = (np.asarray(values, dtype=float) - lo) / span * self.levels
        return np.fmin(np.fmax(scaled, 0.0), self.levels - 1).astype(np.int64)  # fmax: NaN -> 0


def _colour_objects(kind: str, color_system: str) -> list[Color]:
    rgb = ramp(kind, HALF_BLOCK_LEVELS)
    if color_system == EIGHT_BIT:
        darkest = 0 if kind == SEQUENTIAL else HALF_BLOCK_LEVELS // 2
        return [Color.from_ansi(n) for n in nearest_xterm(rgb, darkest)]
    return [Color.from_rgb(*map(int, c)) for c in rgb]


def _half_block_palette(kind: str, color_system: str) -> Palette:
    colours = _colour_objects(kind, color_system)
    levels = len(colours)
    with_empty = colours + [None]
    cells = [
        Segment(UPPER_HALF, Style(color=upper or Color.default(), bgcolor=lower))
        for upper in with_empty
        for lower in with_empty
    ]
    lum = [luminance(c.get_truecolor()) for c in colours]
    text_styles = [Style(bgcolor=c, color="black" if value > 140 else "white") for c, value in zip(colours, lum)]
    swatches = [Segment(" ", Style(bgcolor=c)) for c in colours]
    return Palette(kind, color_system, levels, 2, table(cells), table(swatches), table(text_styles))


def _shade_palette(kind: str) -> Palette:
    steps = STANDARD_STEPS[kind]
    cells = table([Segment(shade, Style(color=colour)) for shade, colour in steps])
    text_styles = [
        Style(bgcolor=colour if shade in "▓█" else None, color=colour if shade in "░▒" else None)
        for shade, colour in steps
    ]
    return Palette(kind, STANDARD, len(steps), 1, cells, cells, table(text_styles))


@lru_cache(maxsize=16)
def palette_for(kind: str, color_system: str | None) -> Palette:
    """The palette of a scale kind for Rich's color_system name ('truecolor', '256', 'standard', ...)."""
    if color_system == TRUECOLOR:
        return _half_block_palette(kind, TRUECOLOR)
    if color_system == EIGHT_BIT:
        return _half_block_palette(kind, EIGHT_BIT)
    return _shade_palette(kind)
