"""Entity resolution: the rules one by one on hand-made mentions, then on real stores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from narrascope.cli import main
from narrascope.corpus.entities import Cluster, MentionRef, resolve, to_rows
from narrascope.eval.entities import bcubed, score_store
from narrascope.model import Alias
from narrascope.store import open_store


def _refs(*items: tuple[str, str, str]) -> list[MentionRef]:
    """(doc, text, label) triples as mentions in that order."""
    return [MentionRef(i, doc, i * 10, text, label) for i, (doc, text, label) in enumerate(items)]


def _groups(clusters: Sequence[Cluster]) -> list[set[str]]:
    return [{f"{m.doc}:{m.text}" for m in c.mentions} for c in clusters]


def _together(clusters: Sequence[Cluster], *names: str) -> bool:
    return any(set(names) <= g for g in _groups(clusters))


def test_spellings_and_acronyms_meet() -> None:
    refs = _refs(("a", "the Mojahedin-e Khalq", "ORG"), ("a", "MEK", "ORG"),
                 ("b", "Mujahideen-e-Khalq", "ORG"), ("b", "MEK’s", "PERSON"),
                 ("c", "Mujahedin Khalq Organization", "ORG"), ("c", "MKO", "ORG"),
                 ("c", "Khalq", "PERSON"))
    clusters = resolve(refs, [Alias("c", 0, 30, "Mujahedin Khalq Organization", "MKO", "acronym")])
    assert _together(clusters, "a:the Mojahedin-e Khalq", "a:MEK", "b:Mujahideen-e-Khalq",
                     "b:MEK’s", "c:Mujahedin Khalq Organization", "c:MKO", "c:Khalq")
    rows = to_rows(clusters)
    assert rows[0].type == "ORG"
    rules = {r["rule"] for r in json.loads(rows[0].merged_by or "{}")["rules"]}
    assert {"transliteration", "designator", "declared-alias"} & rules


def test_initials_only_when_unambiguous() -> None:
    clusters = resolve(_refs(("a", "Valdran Renewal Front", "ORG"), ("a", "VRF", "ORG"),
                             ("b", "National Security Council", "ORG"),
                             ("b", "Nordic Shipping Company", "ORG"), ("b", "NSC", "ORG")))
    assert _together(clusters, "a:Valdran Renewal Front", "a:VRF")
    assert not any("b:NSC" in g and len(g) > 1 for g in _groups(clusters))


def test_us_the_country_is_not_the_pronoun_and_meets_united_states() -> None:
    clusters = resolve(_refs(("a", "the United States", "GPE"), ("a", "U.S.", "GPE"),
                             ("b", "US", "GPE")))
    assert _together(clusters, "a:the United States", "a:U.S.", "b:US")


def test_shared_surname_and_first_name_stay_apart() -> None:
    refs = _refs(("a", "Maryam Rajavi", "PERSON"), ("a", "Massoud Rajavi", "PERSON"),
                 ("b", "Dick Cheney", "PERSON"), ("b", "Elizabeth Cheney", "PERSON"),
                 ("c", "Vladimir Vizinko", "PERSON"), ("c", "Vladimir Kuzichkin", "PERSON"),
                 ("d", "Vladimir", "PERSON"))
    groups = _groups(resolve(refs))
    for a, b in [("a:Maryam Rajavi", "a:Massoud Rajavi"), ("b:Dick Cheney", "b:Elizabeth Cheney"),
                 ("c:Vladimir Vizinko", "c:Vladimir Kuzichkin")]:
        assert not any(a in g and b in g for g in groups)
    assert {"d:Vladimir"} in groups  # ambiguous first name: its own entity


def test_bare_surname_goes_to_the_person_named_last_in_its_document() -> None:
    refs = _refs(("a", "Massoud Rajavi", "PERSON"), ("a", "Rajavi", "ORG"),
                 ("a", "Maryam Rajavi", "PERSON"), ("a", "Rajavi", "PERSON"),
                 ("b", "Rajavi", "PERSON"))
    clusters = resolve(refs)
    by_id = {m.id: i for i, c in enumerate(clusters) for m in c.mentions}
    assert by_id[1] == by_id[0]
    assert by_id[3] == by_id[2]
    assert by_id[0] != by_id[2]
    assert by_id[4] not in {by_id[0], by_id[2]}  # two Rajavis in the corpus: unresolved


def test_transliterated_first_names_and_type_from_people() -> None:
    refs = _refs(("a", "Massoud Rajavi", "PERSON"), ("b", "Masoud Rajavi", "PERSON"),
                 ("b", "Rajavi", "ORG"), ("b", "Rajavi", "ORG"), ("b", "Rajavi", "ORG"),
                 ("c", "Rudy Giuliani", "PERSON"), ("c", "Rudolph Giuliani", "PERSON"))
    clusters = resolve(refs)
    assert _together(clusters, "a:Massoud Rajavi", "b:Masoud Rajavi", "b:Rajavi")
    assert _together(clusters, "c:Rudy Giuliani", "c:Rudolph Giuliani")
    rows = {r.name: r for r in to_rows(clusters)}
    assert rows["Massoud Rajavi"].type == "PERSON"  # mostly tagged ORG, but a person


def test_short_forms_only_for_organisations() -> None:
    refs = _refs(("a", "the Valdran Renewal Front", "ORG"), ("a", "VRF", "ORG"),
                 ("a", "Front", "ORG"), ("b", "Latin America", "LOC"), ("b", "America", "GPE"),
                 ("c", "Valdra", "GPE"), ("c", "Valdra", "GPE"))
    clusters = resolve(refs)
    assert _together(clusters, "a:the Valdran Renewal Front", "a:Front")
    assert not _together(clusters, "b:Latin America", "b:America")
    assert not any("c:Valdra" in g and "a:VRF" in g for g in _groups(clusters))


def test_bcubed_by_hand() -> None:
    gold = {"1": "A", "2": "A", "3": "B"}
    assert bcubed(gold, {"1": "x", "2": "x", "3": "y"}) == (1.0, 1.0)
    p, r = bcubed(gold, {"1": "x", "2": "x", "3": "x"})
    assert r == 1.0
    assert p == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
    p, r = bcubed(gold, {})
    assert p == 1.0
    assert r == pytest.approx((0.5 + 0.5 + 1) / 3)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("entities") / "sample.db"
    assert main(["demo", "--no-serve", "--db", str(db), "-q"]) == 0
    return db


def test_sample_gold_bcubed(sample_db: Path) -> None:
    score = score_store(str(sample_db))
    assert score.mentions > 100
    assert score.precision >= 0.95
    assert score.recall >= 0.9
    assert score.f1 >= 0.95


def test_corrections_survive_rebuilds(sample_db: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "corrected.db"
    db.write_bytes(sample_db.read_bytes())

    def entity_of(spelling: str) -> set[str]:
        with open_store(db, read_only=True) as store:
            rows = store.query("SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity"
                               " WHERE m.text = ?", (spelling,))
        return {r["name"] for r in rows}

    assert entity_of("Korvik") == {"Anselm Korvik"}
    assert main(["entities", "split", "--db", str(db), "Anselm Korvik", "Korvik"]) == 0
    assert main(["entities", "merge", "--db", str(db), "Port Selvik", "Selvik"]) == 0
    assert main(["entities", "rename", "--db", str(db), "Valdran Renewal Front", "The VRF"]) == 0
    assert main(["entities", "ignore", "--db", str(db), "Harbinger"]) == 0
    assert main(["entities", "merge", "--db", str(db), "Nobody At All", "Korvik"]) == 1
    for _ in range(2):  # applied after the build, and again after a re-run
        assert entity_of("Korvik") == {"Korvik"}
        assert entity_of("Selvik") == {"Port Selvik"}
        assert entity_of("VRF") == {"The VRF"}
        assert entity_of("Harbinger") == set()
        assert main(["build", str(Path(__file__).parents[2] / "src/narrascope/data/sample"),
                     "--db", str(db), "-q"]) == 0
    capsys.readouterr()
    assert main(["entities", "log", "--db", str(db)]) == 0
    log = capsys.readouterr().out
    assert "split 'Anselm Korvik' 'Korvik'" in log
    assert "ignore 'Harbinger'" in log


def test_entities_show_and_list(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["entities", "show", "--db", str(sample_db), "VRF"]) == 0
    out = capsys.readouterr().out
    assert "Valdran Renewal Front" in out
    assert "initials" in out or "declared-alias" in out
    assert main(["entities", "list", "--db", str(sample_db), "--type", "PERSON"]) == 0
    assert "Lindqvist" in capsys.readouterr().out
    assert main(["entities", "show", "--db", str(sample_db), "No Such Name"]) == 2


def test_seeds_entities(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "seeds.db"
    assert main(["build", str(seeds), "--db", str(db), "-q"]) == 0
    with open_store(db, read_only=True) as store:
        rows = store.query("SELECT m.text, m.label, m.start, m.doc, e.name, e.type FROM mentions m"
                           " LEFT JOIN entities e ON e.id = m.entity")
        regions = {(r["doc"], r["start"], r["end"]) for r in
                   store.query("SELECT doc, start, end FROM regions WHERE kind != 'content'")}
    entity = {}
    for r in rows:
        entity.setdefault(r["text"], set()).add(r["name"])
    group = set()
    for spelling in ["MEK", "MKO", "PMOI", "Mojahedin", "Khalq", "Mujahedin Khalq Organization",
                     "the Mojahedin Khalq Organization", "Mujahedin e-Khalq", "Mojahedin-e Khalq",
                     "Mujahedeen"]:
        assert spelling in entity, spelling
        group |= entity[spelling]
    assert len(group) == 1, group
    org = group.pop()
    for person in ["Maryam Rajavi", "Massoud Rajavi", "Saddam Hussein", "Dick Cheney",
                   "Elizabeth Cheney", "Vladimir Vizinko", "Vladimir Kuzichkin"]:
        assert entity.get(person) == {person}, person
    assert entity["Masoud Rajavi"] == {"Massoud Rajavi"}
    assert entity["Saddam"] == {"Saddam Hussein"}
    assert entity["Vizinko"] == {"Vladimir Vizinko"}
    assert entity["Rajavi"] <= {"Massoud Rajavi", "Maryam Rajavi", "Rajavi"}
    assert entity["U.S."] == entity["US"] == entity["the United States"]
    assert org not in entity["Iran"]
    for r in rows:  # nothing from boilerplate
        assert not any(d == r["doc"] and s <= r["start"] < e for d, s, e in regions)
