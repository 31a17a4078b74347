"""PTC formats and the official-style SI and TC scorers, against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrascope.errors import InputError
from narrascope.extract.techniques.semeval import (
    TcSpan,
    article_id,
    load_ptc,
    merge_spans,
    read_si,
    read_tc,
    score_si,
    score_tc,
    write_si,
    write_tc,
)

PTC = Path(__file__).parent / "ptc"


def test_article_id_from_file_name() -> None:
    assert article_id("/x/article111111111.txt") == "111111111"
    assert article_id("other.txt") == "other"


def test_writers_and_readers_round_trip(tmp_path: Path) -> None:
    si = {"7": [(10, 20), (1, 4)], "3": [(0, 5)]}
    text = write_si(si)
    assert text == "3\t0\t5\n7\t1\t4\n7\t10\t20\n"
    (tmp_path / "a.task-si.labels").write_text(text, encoding="utf-8")
    assert read_si([tmp_path / "a.task-si.labels"]) == {"3": [(0, 5)], "7": [(1, 4), (10, 20)]}
    tc = [TcSpan("7", "Doubt", 1, 4), TcSpan("7", "?", 10, 20)]
    assert write_tc(tc) == "7\tDoubt\t1\t4\n7\t?\t10\t20\n"
    (tmp_path / "b.labels").write_text(write_tc(tc), encoding="utf-8")
    assert read_tc([tmp_path / "b.labels"]) == tc


def test_reader_rejects_bad_offsets(tmp_path: Path) -> None:
    bad = tmp_path / "bad.labels"
    bad.write_text("1\tDoubt\tx\t4\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_tc([bad])


def test_merge_spans() -> None:
    assert merge_spans([(5, 9), (0, 3), (2, 6), (9, 12)]) == [(0, 9), (9, 12)]


def test_si_score_partial_overlap_by_hand() -> None:
    gold = {"a": [(0, 10), (20, 30)]}
    pred = {"a": [(5, 15), (40, 45)]}
    # pred (5,15) meets gold (0,10) on 5 chars: precision 5/10, recall 5/10
    # precision = (0.5 + 0) / 2 predicted = 0.25; recall = (0.5 + 0) / 2 gold = 0.25
    s = score_si(gold, pred)
    assert s.precision == pytest.approx(0.25)
    assert s.recall == pytest.approx(0.25)
    assert s.f1 == pytest.approx(0.25)


def test_si_score_one_prediction_over_two_gold_spans() -> None:
    gold = {"a": [(0, 4), (6, 10)], "b": [(0, 8)]}
    pred = {"a": [(0, 10)]}
    # precision: (4 + 4) / 10 over 1 prediction = 0.8; recall: (1 + 1 + 0) / 3 gold
    s = score_si(gold, pred)
    assert s.precision == pytest.approx(0.8)
    assert s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 * 0.8 * (2 / 3) / (0.8 + 2 / 3))


def test_si_score_merges_overlapping_predictions() -> None:
    gold = {"a": [(0, 10)]}
    s = score_si(gold, {"a": [(0, 6), (4, 10)]})
    assert (s.predicted, s.precision, s.recall) == (1, 1.0, 1.0)


def test_tc_micro_f1_by_hand() -> None:
    gold = [TcSpan("a", "Doubt", 0, 5), TcSpan("a", "Slogans", 0, 5),
            TcSpan("a", "Repetition", 9, 12), TcSpan("b", "Doubt", 1, 2)]
    pred = [TcSpan("a", "Slogans", 0, 5), TcSpan("a", "Slogans", 0, 5),
            TcSpan("a", "Repetition", 9, 12), TcSpan("b", "Flag-Waving", 1, 2)]
    s = score_tc(gold, pred)
    assert s.f1 == pytest.approx(2 / 4)  # Slogans once (multiset) and Repetition


def test_load_ptc_layout() -> None:
    train = load_ptc(PTC, "train")
    assert len(train.articles) == 18
    aid, text = next(iter(train.articles.items()))
    assert train.tc
    assert all(0 <= t.start < t.end <= len(train.articles[t.article]) for t in train.tc)
    assert set(train.si) <= set(train.articles)
    assert text.startswith("News from")
    assert aid.isdigit()
    with pytest.raises(InputError):
        load_ptc(PTC, "test")
