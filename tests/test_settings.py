from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from narrascope.errors import ConfigError
from narrascope.settings import Settings, load_settings, settings_help

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_has_help_text() -> None:
    for name, help_text, _ in settings_help():
        assert len(help_text) > 15, f"setting {name} lacks a help text"


def test_every_setting_is_documented_in_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name, _, _ in settings_help() if f"`{name}`" not in readme]
    assert not missing, f"README does not document: {missing}"


def test_toml_then_flags_override(tmp_path: Path) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text('[narrascope]\nbatch_size = 4\nfetch_timeout = 3\nspacy_model = "x"\n')
    s = load_settings(cfg, spacy_model="y")
    assert s.batch_size == 4
    assert s.fetch_timeout == 3.0
    assert isinstance(s.fetch_timeout, float)
    assert s.spacy_model == "y"


def test_top_level_keys_are_accepted(tmp_path: Path) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text("batch_size = 7\n")
    assert load_settings(cfg).batch_size == 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("batch_sise = 4\n", "unknown setting"),
        ('batch_size = "4"\n', "must be int"),
        ("batch_size = 0\n", "at least 1"),
        ("fetch_timeout = -1\n", "must not be negative"),
        ("batch_size = \n", "cannot read settings file"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg)


def test_missing_settings_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")


def test_settings_are_frozen_and_replace_validates() -> None:
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.batch_size = 3  # type: ignore[misc]
    assert s.replace(batch_size=3).batch_size == 3
    with pytest.raises(ConfigError):
        s.replace(batch_size="3")
