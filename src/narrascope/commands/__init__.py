"""Command groups beyond the core ones, each a module with ``add_commands(sub, common)``.

A module here registers its sub-commands on the CLI's sub-parser ``sub``
(``common`` carries the shared ``--config`` flag) and keeps its command
bodies short: parse flags, call the library, print.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from narrascope.commands import entities, network, quotes, reuse, techniques, timeline, web

__all__ = ["ADDERS"]

#: ``add_commands`` of every command module, in the order they appear in ``--help``.
ADDERS: list[Callable[[Any, Any], None]] = [entities.add_commands, timeline.add_commands,
                                            techniques.add_commands,
                                            web.add_commands, quotes.add_commands,
                                            reuse.add_commands, network.add_commands]
