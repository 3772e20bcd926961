"""Every error a user can cause, in one place.

Each is one line that names the problem and where it is; the command line prints it and exits with
code 2. Anything else that escapes is a real internal error (exit code 1).
"""

from __future__ import annotations


class TrustsimError(Exception):
    """A user-facing problem, told in one line (exit code 2 from the command line)."""


class ScenarioError(TrustsimError, ValueError):
    """A problem with a scenario: its file, a key, a value, an override."""


class UsageError(TrustsimError):
    """Bad command-line usage: an unknown option, a missing argument, options that do not go together."""


class ExportError(TrustsimError, OSError):
    """An output directory that cannot be written, or a write that failed."""


class FolderBusy(UsageError):
    """Another process is writing into the output folder (one writer per folder: :mod:`sim.folder`)."""


class ClusterError(TrustsimError):
    """The Dask path cannot be used: not installed, or the scheduler cannot be reached."""


__all__ = ["ClusterError", "ExportError", "FolderBusy", "ScenarioError", "TrustsimError", "UsageError"]
