"""Regenerate docs/DATA.md, the data dictionary, from the code (``make docs``)."""

from __future__ import annotations

from pathlib import Path

from sim.dictionary import markdown

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "docs" / "DATA.md"


def main() -> int:
    DATA.write_text(markdown())
    print(f"wrote {DATA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
