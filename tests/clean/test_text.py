"""Boilerplate marking in scraped plain text: generic shapes, exact offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from narrascope.clean import SiteLines, classify_text
from narrascope.settings import Settings

S = Settings()

BODY_1 = (
    "The council of Eastmarch voted on Tuesday to close the old harbour, a decision that "
    "the fishing cooperative said would cost hundreds of jobs in the coming years."
)
BODY_2 = (
    "Residents who spoke at the meeting were divided, and several of them asked the council "
    "to publish the engineering study that it had relied on for the vote."
)
BODY_3 = "The mayor said the study would be released next month."

PAGE = f"""Home » Local » Harbour to close after council vote

Harbour to close after council vote

By Ada Quill

{BODY_1}

{BODY_2}
{BODY_3}

Related stories

Bridge works delayed again

The bridge over the river will stay closed until the spring, officials told the...

Library reopens with new wing

After two years of building work the library opened its doors to readers on...

School meals price rises

Parents will pay more for school meals from next term after the county...

We use cookies to improve your experience. By continuing you agree to our cookie policy. Accept

Leave a Comment
"""


def _kinds(text: str, **kw: object) -> dict[str, str]:
    result = classify_text(text, S, **kw)  # type: ignore[arg-type]
    return {text[r.start : r.end]: r.kind for r in result.regions}


def test_page_regions_and_metadata() -> None:
    result = classify_text(PAGE, S)
    kinds = {PAGE[r.start : r.end]: r.kind for r in result.regions}
    assert kinds[BODY_1] == kinds[BODY_2] == kinds[BODY_3] == "content"
    assert kinds["Home » Local » Harbour to close after council vote"] == "breadcrumb"
    assert kinds["Harbour to close after council vote"] == "title"
    assert kinds["By Ada Quill"] == "byline"
    assert kinds["Related stories"] == "list"
    assert kinds["Bridge works delayed again"] == "list"
    assert kinds["Leave a Comment"] != "content"
    assert next(k for t, k in kinds.items() if t.startswith("We use cookies")) == "cookie"
    assert result.title == "Harbour to close after council vote"
    assert result.author == "Ada Quill"


def test_regions_cover_nonblank_lines_exactly_and_in_order() -> None:
    result = classify_text(PAGE, S)
    lines = [line.strip() for line in PAGE.splitlines() if line.strip()]
    assert [PAGE[r.start : r.end] for r in result.regions] == lines
    ends = [r.end for r in result.regions]
    starts = [r.start for r in result.regions]
    assert all(e <= s for e, s in zip(ends, starts[1:], strict=False))


def test_short_closing_sentence_and_subheading_stay_in_body() -> None:
    text = (
        f"{BODY_1}\n\nWHAT THE STUDY SAYS\n\n{BODY_2}\n\nIt was not.\n\n"
        "That is the whole story.\n"
    )
    kinds = _kinds(text)
    assert kinds["WHAT THE STUDY SAYS"] == "content"
    assert kinds["That is the whole story."] == "content"


def test_dateline_becomes_metadata() -> None:
    text = f"Sun, 21 Jun 2009\n{BODY_1}\n{BODY_2}\n"
    result = classify_text(text, S)
    assert result.dateline == "Sun, 21 Jun 2009"
    assert _kinds(text)["Sun, 21 Jun 2009"] == "dateline"


def test_byline_with_date() -> None:
    text = f"{BODY_1}\n{BODY_2}\nBy Jane Doe | March 3, 2021\n"
    result = classify_text(text, S)
    assert result.author == "Jane Doe"
    assert result.dateline == "March 3, 2021"


def test_lines_repeated_across_a_site_are_boilerplate() -> None:
    docs = [f"{BODY_1}\n{BODY_2}\nShare this article\n", f"{BODY_2}\nShare this article\n"]
    site = SiteLines()
    for doc in docs:
        site.add("site-a", doc)
    assert _kinds(docs[0], site_lines=site, collection="site-a")["Share this article"] == "site"
    # another collection does not share the statistic
    assert _kinds(docs[0], site_lines=site, collection="site-b")["Share this article"] != "site"


def test_pruned_site_lines_classify_as_before() -> None:
    docs = [f"{BODY_1}\nOnly here once\nShare this article\n",
            f"{BODY_2}\nShare this article\n", f"{BODY_1}\nRead more\n"]
    site = SiteLines()
    for doc in docs:
        site.add("site-a", doc)
    before = [_kinds(d, site_lines=site, collection="site-a") for d in docs]
    site.prune(2)
    assert site.doc_count("site-a", "Only here once") == 0
    assert site.doc_count("site-a", "Share this article") == 2
    assert site.documents("site-a") == 3
    assert [_kinds(d, site_lines=site, collection="site-a") for d in docs] == before


def test_repeated_title_without_breadcrumb() -> None:
    text = f"Site tagline here\n\nThe Real Title\n\nThe Real Title\n\n{BODY_1}\n{BODY_2}\n"
    result = classify_text(text, S)
    assert result.title == "The Real Title"
    assert _kinds(text)["Site tagline here"] == "header"


def test_text_without_prose_keeps_its_lines() -> None:
    text = "Short note\nsecond line\n"
    assert set(_kinds(text).values()) == {"content"}


def test_list_inside_body_is_kept_unless_it_looks_like_site_navigation() -> None:
    text = (
        f"{BODY_1}\n\nThree things to know\n\nThe harbour\n\nThe study\n\nThe vote\n\n{BODY_2}\n"
    )
    assert _kinds(text)["The study"] == "content"


@hsettings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .»\n\r\t…Cc-'\"By2019")), max_size=400))
def test_regions_are_always_valid(text: str) -> None:
    result = classify_text(text, S)
    previous_end = 0
    for region in result.regions:
        assert previous_end <= region.start < region.end <= len(text)
        assert text[region.start : region.end].strip() == text[region.start : region.end]
        previous_end = region.end


def test_long_headline_at_the_top_is_not_body() -> None:
    title = "Dagny Lindqvist: ‘I wrote their slogans. Now I want the truth out’ of it all"
    text = f"{title}\n\nA subtitle of a few words\n\n{BODY_1}\n\n{BODY_2}\n"
    kinds = _kinds(text)
    assert kinds[title] == "title"
    assert kinds["A subtitle of a few words"] == "header"
    assert kinds[BODY_1] == "content"
