"""Alias statements and mention cleanup (per-document stage)."""

from __future__ import annotations

from narrascope.extract.aliases import clean_mentions, find_aliases, with_aliases
from narrascope.extract.names import initials, read_name, title_before, trim_span
from narrascope.model import CONTENT, Document, Mention, Region


def _doc(text: str, mentions: list[tuple[str, str]] = ()) -> Document:  # type: ignore[assignment]
    doc = Document(source="t.txt", format="txt", text=text,
                   regions=(Region(0, len(text), CONTENT),))
    found = []
    for surface, label in mentions:
        start = text.index(surface)
        found.append(Mention(doc.id, start, start + len(surface), surface, label))
    return Document(source="t.txt", format="txt", text=text, regions=doc.regions,
                    mentions=tuple(found))


def test_parenthesised_acronym_and_alias_lists() -> None:
    doc = _doc("Fighting stopped after the Mojahedin-e Khalq Organization (MKO, also known as "
               "the MEK, PMOI and NCRI) withdrew. Those who studied the Mujahedin Khalq "
               "Organization (the MKO/ MEK/ PMOI/ Cult of Rajavi) know it.")
    pairs = {(a.name, a.alias) for a in find_aliases(doc)}
    assert ("Mojahedin-e Khalq Organization", "MKO") in pairs
    assert ("Mojahedin-e Khalq Organization", "PMOI") in pairs
    assert ("Mujahedin Khalq Organization", "Cult of Rajavi") in pairs
    for a in find_aliases(doc):
        assert 0 <= a.start < a.end <= len(doc.text)


def test_no_alias_from_an_ordinary_parenthesis() -> None:
    doc = _doc("Mehdi Marand (Reuters) said so. Tehran (the capital) was calm. "
               "The Valdran Renewal Front (VRF) won.")
    pairs = {(a.name, a.alias) for a in find_aliases(doc)}
    assert pairs == {("Valdran Renewal Front", "VRF")}


def test_spelled_out_aliases() -> None:
    doc = _doc("The Mojahedin-e Khalq or MEK is a group. The Halden Maritime Trust, also known "
               "as Halden Shipping, paid.")
    pairs = {(a.name, a.alias) for a in find_aliases(doc)}
    assert ("Mojahedin-e Khalq", "MEK") in pairs
    assert ("Halden Maritime Trust", "Halden Shipping") in pairs


def test_clean_mentions_trims_and_keeps_attributes() -> None:
    text = ("He met Lt. Col. Lewis Hawkins. ”Perry said MEK”is bad. The MEK’s leader spoke. "
            "He left; the MEK stayed, and MEK again.")
    doc = _doc(text, [("Lewis Hawkins", "PERSON"), ("”Perry", "PERSON"), ("MEK”is", "ORG"),
                      ("MEK’s", "ORG"), ("He", "PERSON")])
    doc = with_aliases(doc)
    got = {(m.text, m.title, m.possessive) for m in doc.mentions}
    assert ("Lewis Hawkins", "Lt. Col.", False) in got
    assert ("Perry", None, False) in got
    assert ("MEK", None, True) in got
    assert all(m.text != "He" for m in doc.mentions)
    for m in doc.mentions:
        assert doc.text[m.start:m.end] == m.text


def test_missed_mentions_of_defined_acronyms_are_added() -> None:
    text = "The Valdran Renewal Front (VRF) rallied. Later the VRF marched, and VRF won."
    doc = with_aliases(_doc(text, [("Valdran Renewal Front", "ORG")]))
    vrf = [m for m in doc.mentions if m.text == "VRF"]
    assert len(vrf) == 3
    assert all(m.label == "ORG" for m in vrf)


def test_split_names_are_joined() -> None:
    text = "Yesterday Mojahedin-e Khalq said no. The Iran-Iraq war."
    m1, m2 = text.index("Mojahedin"), text.index("Khalq")
    doc = _doc(text)
    doc = Document(source=doc.source, format="txt", text=text, regions=doc.regions, mentions=(
        Mention(doc.id, m1, m1 + 9, "Mojahedin", "PERSON"),
        Mention(doc.id, m2, m2 + 5, "Khalq", "ORG"),
        Mention(doc.id, text.index("Iran-"), text.index("Iran-") + 4, "Iran", "GPE"),
        Mention(doc.id, text.index("Iraq"), text.index("Iraq") + 4, "Iraq", "GPE")))
    texts = [m.text for m in clean_mentions(doc)]
    assert texts == ["Mojahedin-e Khalq", "Iran", "Iraq"]


def test_name_helpers() -> None:
    assert read_name("President Trump", person=True).name == "Trump"
    assert read_name("General Motors").name == "General Motors"
    assert read_name("Saddam Hussein’s").possessive
    assert "MKO" in initials("Mojahedin-e Khalq Organization")
    assert "MEK" in initials("Mojahedin-e Khalq")
    assert "PMOI" in initials("People's Mojahedin Organization of Iran")
    text = "He praised former New York City Mayor Rudy Giuliani."
    assert title_before(text, text.index("Rudy")) == "former New York City Mayor"
    assert title_before("Yesterday Rudy", 10) is None
    s, e = trim_span("“b.”", 0, 4)
    assert s == e


def test_pairs_of_people_are_split() -> None:
    text = ("Vladimir Vizinko met Mohammed Reza Sa'adati. Vizinko and Sa'adati talked; the "
            "Sa'adati-Vizinko case grew. The Iran-Iraq war and Procter and Gamble did not.")
    doc = with_aliases(_doc(text, [("Vladimir Vizinko", "PERSON"),
                                   ("Mohammed Reza Sa'adati", "PERSON"),
                                   ("Vizinko and Sa'adati", "ORG"), ("Sa'adati-Vizinko", "ORG"),
                                   ("Iran-Iraq", "GPE"), ("Procter and Gamble", "ORG")]))
    texts = [m.text for m in doc.mentions]
    assert texts.count("Vizinko") == 2
    assert texts.count("Sa'adati") == 2
    assert "Iran-Iraq" in texts
    assert "Procter and Gamble" in texts
    for m in doc.mentions:
        assert doc.text[m.start:m.end] == m.text
