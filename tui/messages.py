"""Messages that cross the dashboard: a pane or widget tells the app something, or the simulation thread
answers a command (an export, an inspection).

The answers are posted from the simulation thread with ``post_message``, which Textual makes safe to call
from any thread, so nothing on the screen polls a Future.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from textual.message import Message


@dataclass
class AgentPicked(Message):
    """The user picked an agent to inspect: on the map, by an archetype row, or by its number."""

    agent: int


@dataclass
class Status(Message):
    """Something for the status line (a pane's outcome the user should read)."""

    text: str


@dataclass
class ExportDone(Message):
    """The run's tables were written to ``folder``."""

    folder: Path
    written: dict[str, Any]


@dataclass
class ExportPacked(Message):
    """The run's tables, packed as ``name`` (a zip) in ``archive``, for the browser to download (serve)."""

    name: str
    archive: IO[bytes]


@dataclass
class ExportFailed(Message):
    error: BaseException


@dataclass
class AgentInspected(Message):
    """What the inspector shows about ``agent``, read on the simulation thread between two days."""

    agent: int
    info: dict[str, Any]
    history: tuple[np.ndarray, np.ndarray]       # (days, reputation); empty if the agent is not tracked


@dataclass
class InspectionFailed(Message):
    agent: int
    error: BaseException
