"""The exception hierarchy of narrascope.

Library code raises these; the CLI maps them to one clean line on stderr and
an exit status, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "FetchError",
    "InputError",
    "ModelError",
    "NarrascopeError",
    "StoreError",
]


class NarrascopeError(Exception):
    """Base class of every error narrascope raises on purpose."""


class InputError(NarrascopeError):
    """An input (file, folder, URL, record) cannot be read or understood."""


class ConfigError(NarrascopeError):
    """A setting, settings file or flag is invalid."""


class StoreError(NarrascopeError):
    """The store cannot be opened, migrated or written."""


class ModelError(NarrascopeError):
    """A language model cannot be loaded."""


class FetchError(InputError):
    """A URL cannot be fetched (refused, disallowed by robots.txt, too large, timed out)."""
