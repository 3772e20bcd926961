"""``trustsim report`` on the command line: write the report and say where everything went."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..validation import counted


def size(path: Path) -> str:
    """A file's size for people: ``1.2 MB``."""
    value = float(path.stat().st_size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def main(paths: Sequence[str], out: str | None) -> int:
    """Write the report of ``paths`` (see :func:`sim.report.write`) and print where it is; exit code 0."""
    if len(paths) > 2:
        raise UsageError(f"trustsim report: give one or two paths, not {len(paths)}")
    from .writer import FIGURES, write

    html = write(paths, out)
    figures = html.parent / FIGURES
    names = sorted({p.stem for p in figures.glob("*.svg")})
    print(f"wrote {html} ({size(html)}, self-contained)")
    print(f"  and {counted(len(names), 'figure')} as SVG, PNG and PDF, each with its data as CSV, in {figures}/:")
    print(f"  {', '.join(names)}")
    return 0
