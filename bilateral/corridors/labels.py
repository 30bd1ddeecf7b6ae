"""Place point labels on a map so that no two overlap: greedy candidate positions, nearest first.

The method is the cartographers' point-feature placement in its simplest form (Imhof's preferred
positions, tried in order): each label, in priority order, takes the first of a fixed list of positions
around its point (east, north-east, north-west, west, south-east, south-west, north, south, at growing
distances) whose box stays inside the drawing area and clear of every label already placed, every point
marker and any box to avoid (a legend). A label placed farther than ``LEADER_FROM`` from its point gets a
leader line. Deterministic, and a label that finds no free position says so (``fits=False``) instead of
overlapping silently. Coordinates are pixels with y growing upwards (flip them for SVG).

adjustText (iterative repulsion) was considered: it moves labels until overlaps are small but does not
guarantee none, and a test here asserts that label boxes never overlap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["DIRECTIONS", "LEADER_FROM", "RADII", "Box", "LabelSpot", "place_labels"]

#: unit directions tried at each distance, in order of preference (right and up first)
DIRECTIONS: tuple[tuple[int, int], ...] = ((1, 0), (1, 1), (-1, 1), (-1, 0), (1, -1), (-1, -1), (0, 1), (0, -1))
#: distances (pixels) from the point to the nearest corner or edge of its label
RADII: tuple[float, ...] = (4.0, 9.0, 16.0, 26.0, 40.0, 58.0, 80.0)
#: labels at least this far from their point get a leader line
LEADER_FROM = 9.0
#: half the side of the square a point marker occupies (pixels)
MARKER = 3.0


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels (x0 < x1, y0 < y1, y upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        return not (self.x1 + pad <= other.x0 or other.x1 + pad <= self.x0
                    or self.y1 + pad <= other.y0 or other.y1 + pad <= self.y0)

    def inside(self, area: Box) -> bool:
        return area.x0 <= self.x0 and self.x1 <= area.x1 and area.y0 <= self.y0 and self.y1 <= area.y1


@dataclass(frozen=True)
class LabelSpot:
    """Where a label went: its box, its alignment relative to the anchor point, and whether it fits."""

    text: str
    x: float  # the point labelled
    y: float
    box: Box
    ha: str  # 'left' | 'right' | 'center': which side of the box touches the anchor (x + dx)
    va: str  # 'bottom' | 'top' | 'center'
    dx: float  # anchor offset from the point (pixels)
    dy: float
    leader: bool
    fits: bool


def _candidate(x: float, y: float, w: float, h: float, ux: int, uy: int, r: float) -> tuple[Box, float, float]:
    diag = r / math.sqrt(2) if ux and uy else r
    dx, dy = ux * diag, uy * diag
    ax, ay = x + dx, y + dy
    x0 = ax if ux > 0 else ax - w if ux < 0 else ax - w / 2
    y0 = ay if uy > 0 else ay - h if uy < 0 else ay - h / 2
    return Box(x0, y0, x0 + w, y0 + h), dx, dy


def place_labels(points: Sequence[tuple[str, float, float]], size: Callable[[str], tuple[float, float]],
                 area: Box, avoid: Sequence[Box] = (), gap: float = 2.0) -> list[LabelSpot]:
    """Label each (text, x, y) in the order given (put the most important first).

    ``size(text)`` gives a label's width and height in pixels; ``gap`` is the clearance kept between
    labels. A label with no free position is put at the nearest position that stays inside ``area``
    (or at the first one), with ``fits=False``.
    """
    markers = [Box(x - MARKER, y - MARKER, x + MARKER, y + MARKER) for _, x, y in points]
    placed: list[Box] = []
    out: list[LabelSpot] = []
    for text, x, y in points:
        w, h = size(text)
        fallback: tuple[Box, float, float, int, int, float] | None = None
        chosen = None
        for r in RADII:
            for ux, uy in DIRECTIONS:
                box, dx, dy = _candidate(x, y, w, h, ux, uy, r)
                if fallback is None or (not fallback[0].inside(area) and box.inside(area)):
                    fallback = (box, dx, dy, ux, uy, r)
                if not box.inside(area):
                    continue
                if any(box.overlaps(b, gap) for b in placed) or any(box.overlaps(m) for m in markers) \
                        or any(box.overlaps(a) for a in avoid):
                    continue
                chosen = (box, dx, dy, ux, uy, r)
                break
            if chosen:
                break
        fits = chosen is not None
        box, dx, dy, ux, uy, r = chosen or fallback  # type: ignore[misc]
        placed.append(box)
        out.append(LabelSpot(text, x, y, box, "left" if ux > 0 else "right" if ux < 0 else "center",
                             "bottom" if uy > 0 else "top" if uy < 0 else "center", dx, dy, r >= LEADER_FROM, fits))
    return out
