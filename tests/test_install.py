"""A real install, as a new user makes it: build the wheel, install it into a fresh virtualenv, and use
the `trustsim` command from another folder (no source tree in sight).

The fresh venv borrows the test environment's third-party packages through a .pth file (so the test
needs no network), but trustsim itself comes only from the wheel.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the fresh venv's bin folder)."""
    base = tmp_path_factory.mktemp("install")
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(dist), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("trustsim-*.whl"))
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    fresh_site = subprocess.run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                capture_output=True, text=True, check=True).stdout.strip()
    Path(fresh_site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(bin_dir / "pip"), "install", "--no-deps", "--quiet", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    return wheel, bin_dir


def run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "trustsim"), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_wheel_holds_every_source_file_and_scenario(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for package in ("sim", "tui") for p in (ROOT / package).rglob("*.py")}
    assert sources <= names, sorted(sources - names)
    # only the layout's two packages at the top level of site-packages (names other projects do not use)
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == {"sim", "tui"}
    scenarios = {f"sim/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.toml")}
    assert len(scenarios) >= 6 and scenarios <= names
    assert {f"tui/{p.name}" for p in (ROOT / "tui").rglob("*.tcss")} <= names


def test_an_installed_trustsim_works_from_another_folder(installed, tmp_path):
    _, bin_dir = installed
    assert run(bin_dir, tmp_path, "--version").stdout.startswith("trustsim ")
    listing = run(bin_dir, tmp_path, "list")
    assert listing.returncode == 0 and "baseline" in listing.stdout and "repentance" in listing.stdout
    done = run(bin_dir, tmp_path, "run", "broken_promises", "--agents", "60", "--days", "5", "--out", "out",
               "--quiet")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "manifest.json").exists()
    assert run(bin_dir, tmp_path, "show", "integrity").stdout.startswith("[scenario]")
    for command in ("sweep", "check"):
        assert run(bin_dir, tmp_path, command, "--help").returncode == 0
    bare = run(bin_dir, tmp_path)      # no terminal here: one line, exit 2, no traceback
    assert bare.returncode == 2 and "needs a terminal" in bare.stderr and "Traceback" not in bare.stderr
