"""Writing a report: where it goes, what may be replaced, and how it lands all at once.

A report folder holds ``report.html``, ``report.json`` (what it was made from, and each figure's files)
and ``figures/<name>.svg|png|pdf|csv``. It is built in a hidden staging folder beside its destination and
renamed into place only when complete, so a failure leaves the earlier report (or nothing) behind. A
destination that holds anything but an earlier report is refused, never overwritten.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from ..errors import ExportError
from ..exports import versions
from ..files import check_writable, discard_created
from . import style
from .build import page_for
from .inputs import Check, Input, InputError, load
from .page import render
from .size import check_memory

HTML, MANIFEST, FIGURES = "report.html", "report.json", "figures"
REPORT_ENTRIES = {HTML, MANIFEST, FIGURES}


def default_out(inputs: Sequence[Input]) -> Path:
    """Next to the input: ``<folder>/report/``; for A against B, ``<A>/report-vs-<B's folder name>/``;
    for a check file, ``<its folder>/<its name>-report/``."""
    first = inputs[0]
    if isinstance(first, Check):
        return first.path.parent / f"{first.path.stem}-report"
    if len(inputs) == 2:
        return first.path / f"report-vs-{inputs[1].path.resolve().name}"
    return first.path / "report"


def claim(out: Path) -> None:
    """Refuse a destination that is a file, or a folder holding anything but an earlier report."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: is a file, not a folder; give another --out")
    if not out.is_dir():
        return
    held = {entry.name for entry in out.iterdir()}
    if not held:
        return
    foreign = sorted(held - REPORT_ENTRIES)
    if foreign or MANIFEST not in held or not _is_report(out / MANIFEST):
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "") if foreign else "no report.json"
        raise ExportError(f"{out}: holds files that are not an earlier report ({shown}); "
                          "give another --out or empty it")


def _is_report(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "report"
    except (OSError, ValueError, AttributeError):
        return False


def write_into(folder: Path, inputs: Sequence[Input]) -> dict:
    """Draw every chart and write the page into ``folder`` (a fresh staging folder); returns the manifest."""
    page = page_for(inputs)
    figures = folder / FIGURES
    figures.mkdir()
    svgs: dict[str, str] = {}
    files: dict[str, list[str]] = {}
    for chart in page.charts:
        fig = chart.figure()
        names = []
        for fmt in style.FORMATS:
            data = style.render(fig, fmt)
            (figures / f"{chart.name}.{fmt}").write_bytes(data)
            names.append(f"{chart.name}.{fmt}")
            if fmt == "svg":
                svgs[chart.name] = data.decode("utf-8")
                fig.set_layout_engine("none")    # laid out once: the other formats reuse it (a third faster)
        for name, frame in chart.data_files().items():
            frame.write_csv(figures / name)
            names.append(name)
        files[chart.name] = names
    (folder / HTML).write_text(render(page, svgs, files), encoding="utf-8")
    manifest = {
        "kind": "report", "title": page.title, "made_from": [str(i.path) for i in inputs],
        "figures": {c.name: {"title": c.title, "drawn_from": list(c.sources), "files": files[c.name]}
                    for c in page.charts},
        "versions": versions() | {"matplotlib": _version("matplotlib"), "networkx": _version("networkx")},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def swap_in(staging: Path, out: Path) -> None:
    """Put the finished report at ``out``, moving an earlier one aside first and deleting it after."""
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex}") if out.exists() else None
    if old is not None:
        os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write(paths: Sequence[str | Path], out_dir: str | Path | None = None) -> Path:
    """Write the report of ``paths`` (one run folder, two run folders A and B, a sweep folder, or a
    ``trustsim check --json`` file) to ``out_dir`` (default: next to the input); returns the HTML file.

    Bad input, or a destination that cannot be written or holds something else, raises a one-line
    :class:`~sim.errors.TrustsimError` and writes nothing.
    """
    if not 1 <= len(paths) <= 2:
        raise InputError(f"give one or two paths, not {len(paths)}")
    if out_dir is not None and not str(out_dir).strip():
        raise InputError("--out: the path is empty; give the folder to write the report to")
    inputs = [load(path) for path in paths]
    check_memory(inputs)
    out = Path(out_dir) if out_dir is not None else default_out(inputs)
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        # a report lands by renaming its staging folder into place, which cannot be done to the folder
        # the command runs in (or one holding it)
        raise InputError(f"--out {out_dir}: is the current folder or holds it; give a folder for the report, "
                         "e.g. --out report")
    claim(out)
    created = check_writable(out.parent)
    staging = out.parent / f".{out.name}.staging-{uuid.uuid4().hex}"
    try:
        staging.mkdir()         # not mkdtemp: the report keeps the usual permissions, not 0700
    except OSError as exc:
        discard_created(created, out.parent)
        raise ExportError(f"{out.parent}: cannot write: {exc.strerror or exc}") from None
    try:
        write_into(staging, inputs)
        swap_in(staging, out)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        discard_created(created, out.parent)       # nothing half-written, not even an empty folder
        if isinstance(exc, OSError) and not isinstance(exc, ExportError):
            raise ExportError(f"{out}: writing the report failed: {exc.strerror or exc}") from None
        raise
    return out / HTML


__all__ = ["default_out", "write"]
