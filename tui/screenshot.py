"""Saving what the screen shows as an SVG picture (the ``s`` key), for a slide or a paper.

Each picture gets a name of its own: the run, its seed, its day and the tab, and ``-2``, ``-3`` … when
that name is taken. The file is created exclusively, so an earlier picture is never replaced, even by a
second dashboard saving into the same folder at the same moment.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

from sim.files import safe_stem


def picture_name(scenario: str, seed: int, day: int, tab: str) -> str:
    """``baseline-seed1-day30-network``: what the picture shows, safe as a file name."""
    return f"{safe_stem(scenario)}-seed{seed}-day{day}-{safe_stem(tab)}"


def save_svg(svg: str, folder: Path, stem: str) -> Path:
    """Write ``svg`` to ``folder/stem.svg``, or ``stem-2.svg`` … if taken; returns the path written."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in count(1):
        path = folder / f"{stem}{'' if n == 1 else f'-{n}'}.svg"
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(svg)
        except FileExistsError:
            continue
        return path
    raise AssertionError("unreachable")
