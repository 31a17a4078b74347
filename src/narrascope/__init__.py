"""narrascope: evidence-linked analysis of a corpus of web articles.

The library's entry points are :func:`narrascope.pipeline.build` and the
records in :mod:`narrascope.model`; ``narrascope --help`` lists the commands.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
