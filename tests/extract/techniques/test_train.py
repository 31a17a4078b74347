"""Train -> detect -> score round trip on a tiny synthetic PTC dataset, and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrascope.cli import main
from narrascope.extract.techniques.model import load_model
from narrascope.extract.techniques.semeval import TcSpan, load_ptc, read_si, read_tc, score_si
from narrascope.extract.techniques.train import evaluate, macro_f1, score_flc, train

PTC = Path(__file__).parent / "ptc"


@pytest.fixture(scope="module")
def trained(nlp: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    report = train(PTC, nlp, out=out, seed=3)
    assert report.size_bytes > 0
    assert (out / "weights.npz").is_file()
    assert (out / "meta.json.gz").is_file()
    return out


def test_round_trip_scores(trained: Path, nlp: Any) -> None:
    model = load_model(str(trained))
    assert set(model.labels) >= {"Loaded_Language", "Name_Calling,Labeling", "Doubt"}
    si, tc = evaluate(model, PTC, "dev", nlp)
    assert si.f1 > 0.6
    assert tc.f1 > 0.8


def test_training_is_reproducible(trained: Path, nlp: Any, tmp_path: Path) -> None:
    train(PTC, nlp, out=tmp_path, seed=3)
    assert (tmp_path / "weights.npz").read_bytes() == (trained / "weights.npz").read_bytes()


def test_cli_detect_and_classify(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = PTC / "dev-articles"
    si_out = tmp_path / "si.txt"
    assert main(["techniques", "detect", str(dev), "--format", "semeval-si",
                 "--model", str(trained), "-o", str(si_out)]) == 0
    predicted = read_si([si_out])
    gold = load_ptc(PTC, "dev")
    assert set(predicted) <= set(gold.articles)
    for aid, spans in predicted.items():
        assert all(0 <= s < e <= len(gold.articles[aid]) for s, e in spans)
    assert score_si(gold.si, predicted, gold.articles).f1 > 0.6

    template = tmp_path / "template.labels"
    template.write_text("".join(f"{t.article}\t?\t{t.start}\t{t.end}\n" for t in gold.tc),
                        encoding="utf-8")
    assert main(["techniques", "classify", "--spans", str(template), str(dev),
                 "--model", str(trained)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(gold.tc)
    labelled = read_tc([_write(tmp_path / "tc.labels", lines)])
    right = sum(a.technique == b.technique for a, b in zip(labelled, gold.tc, strict=True))
    assert right / len(gold.tc) > 0.8

    assert main(["techniques", "detect", str(dev), "--format", "semeval-tc",
                 "--model", str(trained)]) == 0
    tc_lines = capsys.readouterr().out.splitlines()
    assert tc_lines
    assert all(len(line.split("\t")) == 4 for line in tc_lines)


def test_cli_score(trained: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["techniques", "score", "--ptc", str(PTC), "--split", "dev",
                 "--model", str(trained)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SI  precision")
    assert "TC  micro-F1" in out


def test_cli_missing_articles_is_a_clean_error(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["techniques", "detect", str(tmp_path / "nope.txt"),
                 "--model", str(trained)]) == 2
    assert "no such file" in capsys.readouterr().err


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_span_and_technique_score_by_hand() -> None:
    gold = [TcSpan("1", "Doubt", 0, 10), TcSpan("1", "Slogans", 20, 30)]
    predicted = [TcSpan("1", "Doubt", 5, 15), TcSpan("1", "Doubt", 20, 30)]
    flc = score_flc(gold, predicted)
    assert flc.precision == pytest.approx(0.5 / 2)
    assert flc.recall == pytest.approx(0.5 / 2)
    assert macro_f1(gold, [TcSpan("1", "Doubt", 0, 10), TcSpan("1", "Doubt", 20, 30)]) == (
        pytest.approx((2 / 3 + 0.0) / 2))


def test_bundled_model_has_a_tuned_sentence_model(nlp: Any) -> None:
    model = load_model()
    assert model.sent is not None
    assert 0.0 < model.sent_threshold <= 1.0
    assert model.meta["tc_prior_shift"] >= 0.0
    doc = nlp("According to the experts, the report is clear. Enough is enough.")
    for a, b, p in model.sentence_spans(doc, doc.text.lower(), threshold=0.0):
        assert 0 <= a < b <= len(doc)
        assert 0.0 <= p <= 1.0


def test_generic_statements_are_detected_and_classified_as_cliches(nlp: Any) -> None:
    from narrascope.extract.techniques.train import parse_articles, predict_si, predict_tc

    text = "The council met on Monday.\nNo plan is perfect. The council left.\n"
    articles = {"9": text}
    parsed = parse_articles(articles, nlp)
    model = load_model()
    at = text.index("No plan")
    cliche = (at, at + len("No plan is perfect."))
    assert cliche in predict_si(model, parsed, articles=articles)["9"]
    (labelled,) = predict_tc(model, articles, parsed, [TcSpan("9", "?", *cliche)])
    assert labelled.technique == "Thought-terminating_Cliches"
