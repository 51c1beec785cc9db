"""Tests for ingest.slides: cleaning, segmentation into slides, domains and bad decks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.slides import parse_text_deck, read_deck, read_pdf_deck, read_text_deck, slug
from kg.errors import BadDeck

DATA = Path(__file__).parent.parent / "data"
SAMPLE = DATA / "sample-deck.txt"
REAL = Path(__file__).parents[3] / "shared" / "corpus" / "das-c01-slides.txt"
FOOTER = "http://www.example.com/"
MARK = "\n\nexample.com\n© 2024 Example, all rights reserved\n\nN\nO\n\n D\nIS\n\nTR\n\n"


def deck(*slides: str) -> str:
    """Join slide texts into a deck whose footer repeats enough to be detected."""
    return "\n".join(slides) + "\n"


def test_slides_slug_is_lowercase_ascii() -> None:
    assert slug("DAS C01_Slides (v2)") == "das-c01-slides-v2"


def test_slides_footer_closes_slide_and_keeps_links() -> None:
    text = deck(
        f" First\n\n• one\n\n{FOOTER}\nhttps://a.example/x\nmailto:me@example.org",
        f" Second\n\n• two\n{FOOTER}",
        f" Third\n\n• three\n{FOOTER}",
    )
    slides = parse_text_deck(text, deck="d")
    assert [s.title for s in slides] == ["First", "Second", "Third"]
    assert slides[0].links == ("https://a.example/x", "mailto:me@example.org")
    assert slides[0].line_end == 5
    assert all(FOOTER not in line for s in slides for _, line in s.body)


def test_slides_watermark_dropped_and_next_line_forced_title() -> None:
    text = deck(
        f" One\n\n• a\n{FOOTER}{MARK}Two Unspaced\n\n• b\n{FOOTER}{MARK}Three\n• c\n{FOOTER}"
    )
    slides = parse_text_deck(text, deck="d")
    assert [s.title for s in slides] == ["One", "Two Unspaced", "Three"]
    assert all("rights" not in line and line.strip() != "D" for s in slides for _, line in s.body)


def test_slides_title_needs_exactly_one_space() -> None:
    text = deck(
        f" Code\n\nx = {{\n  Value: 1\n }}\n .call()\n{FOOTER}", f" B\n{FOOTER}", f" C\n{FOOTER}"
    )
    slides = parse_text_deck(text, deck="d")
    assert [s.title for s in slides] == ["Code", "B", "C"]


def test_slides_code_guard_keeps_spaced_code_lines() -> None:
    text = deck(f" DDL\n\nCREATE TABLE t (\n Id INT,\n Name STRING)\n{FOOTER}", f" B\n{FOOTER}")
    slides = parse_text_deck(text + f" C\n{FOOTER}\n", deck="d")
    assert [s.title for s in slides] == ["DDL", "B", "C"]
    assert (5, " Name STRING)") in slides[0].body


def test_slides_label_above_title_is_not_the_title() -> None:
    text = deck(f" Queue\n\nSQS – Sending\n\n• body\n{FOOTER}", f" B\n{FOOTER}", f" C\n{FOOTER}")
    first = parse_text_deck(text, deck="d")[0]
    assert first.title == "SQS – Sending"
    assert (1, " Queue") in first.body
    assert first.unsure


def test_slides_spaced_bullet_slide_takes_title_from_its_end() -> None:
    text = deck(f" A\n\n• a\n • first point\n\n• second\n\nIndex Slide\n(IX)\n B\n{FOOTER}")
    slides = parse_text_deck(text + f" C\n{FOOTER}\n", deck="d")
    assert slides[1].title == "Index Slide (IX)"
    assert slides[1].body[0] == (4, "• first point")
    assert slides[1].unsure == "title printed at end of slide"


def test_slides_wrapped_title_joined_and_subtitle_split() -> None:
    text = deck(
        f" Producer Library – When not to\nuse\n\n• a\n{FOOTER}",
        f" Kinesis Producer (KPL)\nBatching\n\n• b\n{FOOTER}",
        f" Read/Write Capacity\nModes\n• c\n{FOOTER}",
    )
    slides = parse_text_deck(text, deck="d")
    assert slides[0].title == "Producer Library – When not to use"
    assert (slides[1].title, slides[1].subtitle) == ("Kinesis Producer (KPL)", "Batching")
    assert slides[2].title == "Read/Write Capacity Modes"


def test_slides_vertical_text_is_glued() -> None:
    text = deck(f" A\n\nSEC\nU\n\nR\nITY\n\n{FOOTER}", f" B\n{FOOTER}", f" C\n{FOOTER}")
    first = parse_text_deck(text, deck="d")[0]
    assert first.body == ((3, "SECURITY"),)


def test_slides_trailing_spaces_removed_from_title_and_body() -> None:
    text = deck(f" Amazon Thing   \n\n• point   \n{FOOTER}", f" B\n{FOOTER}", f" C\n{FOOTER}")
    first = parse_text_deck(text, deck="d")[0]
    assert (first.title, first.body) == ("Amazon Thing", ((3, "• point"),))


def test_slides_domains_follow_toc_dividers() -> None:
    text = deck(
        f" Contents\n\n• Part 1 – Ingest\n\n• Exam Preparation\n{FOOTER}",
        f" Intro\n• x\n{FOOTER}",
        f" Ingest\nGetting data in\n{FOOTER}",
        f" Streams\n• y\n{FOOTER}",
        f" Preparing for the exam\n{FOOTER}",
    )
    slides = parse_text_deck(text, deck="d")
    assert [s.domain for s in slides] == ["", "", "Ingest", "Ingest", "Exam Preparation"]


def test_slides_sections_keyword_overrides_toc() -> None:
    text = deck(f" Alpha\n{FOOTER}", f" Beta\n{FOOTER}", f" Gamma\n• g\n{FOOTER}")
    slides = parse_text_deck(text, deck="d", sections=["Beta"])
    assert [s.domain for s in slides] == ["", "Beta", "Beta"]


def test_slides_sample_deck_titles_and_domains() -> None:
    slides = read_deck(SAMPLE)
    titles = [s.title for s in slides]
    assert len(slides) == 46
    assert [s.number for s in slides] == list(range(1, 47))
    assert "Kinesis Data Streams Security" in titles
    assert "SQS – Sending Messages" in titles
    assert "Kinesis Data Firehose – Sources and Destinations" in titles
    by_title = {s.title: s for s in slides}
    assert by_title["Storage"].domain == "Storage"
    assert by_title["Amazon Athena"].domain == "Analytics"
    assert slides[0].deck == "sample-deck"
    assert slides[0].domain == ""
    assert not any(s.title in {"D", "©", "Ex"} for s in slides)


def test_slides_read_deck_dispatches_on_suffix(tmp_path: Path) -> None:
    path = tmp_path / "Deck.TXT"
    path.write_text(deck(f" A\n• a\n{FOOTER}", f" B\n{FOOTER}", f" C\n{FOOTER}"))
    assert [s.deck for s in read_deck(path)] == ["deck"] * 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("binary.txt", b"abc\x00def", "binary"),
        ("latin.txt", " Caf\xe9\n".encode("latin-1"), "UTF-8"),
        ("notitle.txt", b"no titles here\njust text\n", "no slide titles"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a valid PDF"),
    ],
)
def test_slides_bad_deck_raises(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadDeck, match=message) as info:
        read_deck(path)
    assert str(path) in str(info.value)


def test_slides_missing_file_and_directory_raise(tmp_path: Path) -> None:
    with pytest.raises(BadDeck, match="does not exist"):
        read_text_deck(tmp_path / "nope.txt")
    with pytest.raises(BadDeck, match="directory"):
        read_deck(tmp_path)


def test_slides_pdf_one_page_per_slide(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for title, line in [("Amazon Athena", "Serverless SQL on S3"), ("AWS Glue", "Crawlers")]:
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text=title, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "two.pdf"
    pdf.output(str(path))
    slides = read_pdf_deck(path)
    assert [(s.title, s.page, s.line_start) for s in slides] == [
        ("Amazon Athena", 1, 0),
        ("AWS Glue", 2, 0),
    ]
    assert slides[0].body == ((2, "Serverless SQL on S3"),)


def test_slides_pdf_without_text_layer_raises(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    path = tmp_path / "image.pdf"
    pdf.output(str(path))
    with pytest.raises(BadDeck, match="no text layer"):
        read_deck(path)


@pytest.mark.deck
def test_slides_real_deck_matches_format_notes() -> None:
    if not REAL.exists():
        pytest.skip(f"{REAL} not present")
    slides = read_deck(REAL)
    lines = REAL.read_text(encoding="utf-8").splitlines()
    # FORMAT.md counts 517 slides (376 closed by a footer + 141 without); allow 2% for
    # judgement calls on title-only slides and label-above-title cases.
    assert abs(len(slides) - 517) <= 10
    with_footer = sum(lines[s.line_end - 1].startswith("http://") for s in slides)
    assert abs(with_footer - 376) <= 5
    titles = [s.title for s in slides]
    assert not {"D", "©", "Ste", "Attributes", "Private subnet"} & set(titles)
    assert "Kinesis Data Streams Security" in titles  # first slide after a watermark
    assert "Amazon Managed Streaming for Apache Kafka (Amazon MSK)" in titles  # wrapped title
    assert "DynamoDB – Global Secondary Index (GSI)" in titles  # title printed at the end
    assert all(not t.startswith(("http", "•", ".")) for t in titles)
    domains = list(dict.fromkeys(s.domain for s in slides))
    assert domains[0] == "" and len(domains) == 9
