"""kg/ask/tables.py: printed tables read back into a header and rows (invented text)."""

from __future__ import annotations

from kg.ask.tables import read_grids, read_table, slide_lines

NO_NAMES: dict[str, str] = {}


def test_tables_read_a_header_of_names_and_rows_of_values() -> None:
    text = "Basic Queue\nOrdered Queue\nBulk Queue\nMax Message Size 64 KB 32 KB 1 MB\n"
    text += "Message Retention 7 days 3 days None\nDead-letter Support Yes Yes No"
    table = read_table(text, NO_NAMES)
    assert table is not None
    assert table.columns == ("Basic Queue", "Ordered Queue", "Bulk Queue")
    assert [(row.label, row.cells) for row in table.rows] == [
        ("Max Message Size", ("64 KB", "32 KB", "1 MB")),
        ("Message Retention", ("7 days", "3 days", "None")),
        ("Dead-letter Support", ("Yes", "Yes", "No")),
    ]


def test_tables_keep_known_names_whole_across_lines() -> None:
    # Two names on one line, one broken over two: only the gazetteer tells where they end.
    aliases = {"plain store": "a", "rare store": "b", "deep cold store": "c"}
    text = "Plain Store Rare Store\nDeep Cold\nStore\nMin. Keep\nCharge\nNone 45 Days 90 Days"
    table = read_table(text, aliases)
    assert table is not None
    assert table.columns == ("Plain Store", "Rare Store", "Deep Cold Store")
    assert table.rows[0].label == "Min. Keep Charge"
    assert table.rows[0].cells == ("None", "45 Days", "90 Days")


def test_tables_figure_grid_has_its_corner_label() -> None:
    text = "Time to Transfer\n50 Mbps 500 Mbps 5Gbps\n20 TB 40 days 4 days 10 hours\n"
    text += "200 TB 400 days 40 days 4 days"
    table = read_table(text, NO_NAMES)
    assert table is not None
    assert (table.corner, table.columns) == ("Time to Transfer", ("50 Mbps", "500 Mbps", "5Gbps"))
    assert [row.label for row in table.rows] == ["20 TB", "200 TB"]


def test_tables_cut_cells_of_words() -> None:
    # Value words stand alone; a phrase repeated is one cell each time; a unit stays with its
    # number; brackets and lower-case words continue their cell.
    text = "Red Box\nBlue Box\nGreen Box\nOrdering Key / Group No Specify Group ID\n"
    text += "Delivery At least once At least once Exactly Once\n"
    text += "Fee None Per GB Per GB\nMax Size 1MB 128 MB at destination 256KB (more with a library)"
    table = read_table(text, NO_NAMES)
    assert table is not None
    assert [row.cells for row in table.rows] == [
        ("Key / Group", "No", "Specify Group ID"),
        ("At least once", "At least once", "Exactly Once"),
        ("None", "Per GB", "Per GB"),
        ("1MB", "128 MB at destination", "256KB (more with a library)"),
    ]


def test_tables_keep_two_rows_apart() -> None:
    # A row of words after a row of words could be read as one row of four cells, two of them
    # starting with a value; a row over several lines must start most of its cells so.
    text = "Red Box\nBlue Box\nGreen Box\nGrey Box\nOrdering Shard / Key No No Specify Group ID\n"
    text += "Delivery At least once At least once At least once Exactly Once\nReplay Yes No No No"
    table = read_table(text, NO_NAMES)
    assert table is not None
    assert [(row.label, row.cells) for row in table.rows][:2] == [
        ("Ordering", ("Shard / Key", "No", "No", "Specify Group ID")),
        ("Delivery", ("At least once", "At least once", "At least once", "Exactly Once")),
    ]


def test_tables_drop_a_values_line_read_as_a_labelled_row() -> None:
    # "$0.02 ..." under named columns is a line of values without its label, not a row.
    text = "Red Box\nBlue Box\nGreen Box\nStorage Cost $0.02 $0.01 $0.005\n$0.04 $0.03 $0.02 $0.01"
    table = read_table(text, NO_NAMES)
    assert table is not None
    assert [row.label for row in table.rows] == ["Storage Cost"]


def test_tables_bullets_and_prose_are_no_table() -> None:
    text = "• Each shard accepts 3 MB/s in\n• Each shard serves 5 MB/s out\nhttp://example.org/"
    assert read_table(text, NO_NAMES) is None
    assert read_table("A short caption\nAnother line of prose", NO_NAMES) is None


def test_tables_join_words_hyphenated_across_lines() -> None:
    assert slide_lines("Intelligent-\nTiering\n\n  Standard  ") == [
        "Intelligent-Tiering",
        "Standard",
    ]


def test_tables_readings_are_cached_per_slide_text() -> None:
    text = "Red Box\nBlue Box\nSize 1 KB 2 KB\nAge 3 days 4 days"
    assert read_grids(text) is read_grids(text)
