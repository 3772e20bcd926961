"""Reports: turn exported results into slide-ready figures and one self-contained HTML page.

``trustsim report PATH [PATH] [--out DIR]`` and, from Python (the dashboard's export key among others)::

    from sim import report
    html = report.write(["out/run1"])                  # -> out/run1/report/report.html
    report.write(["out/a", "out/b"], "talk/a-vs-b")      # two runs: overlaid, and B - A
    report.write(["out/sweep"]); report.write(["claims.json"])

A report is drawn from exported files only (a run folder, a sweep folder, `trustsim check --json`
output), never from a live engine, so anyone with the files can redraw it. Modules:

- :mod:`.inputs`: recognise and read the inputs (one-line errors for anything else);
- :mod:`.style`: slide size, type, the project palette as matplotlib colours, reproducible files;
- :mod:`.chart`: a chart (name, caption, the exact data it draws) and the time-axis helpers;
- :mod:`.run_charts`, :mod:`.network`, :mod:`.compare`, :mod:`.sweep_charts`, :mod:`.check_charts`: the charts;
- :mod:`.moments`: the key moments, in the dashboard feed's words;
- :mod:`.build`: what each kind of report holds; :mod:`.sections`: the parts every page shares;
  :mod:`.page`: the HTML; :mod:`.writer`: the files.

``from sim import report`` is light; matplotlib loads with the first report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["write"]


def write(paths: Sequence[str | Path], out_dir: str | Path | None = None) -> Path:
    """Write the report of ``paths`` to ``out_dir`` (default: next to the input); returns ``report.html``.

    See :func:`sim.report.writer.write`.
    """
    from .writer import write as write_report

    return write_report(paths, out_dir)
