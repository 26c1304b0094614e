"""What the readers say about a broken file: where a quote was left open, every problem of a
row (not only the first), and that a file without rows is an error."""

from __future__ import annotations

import pytest

from index.ingest.readers import parse_csv, parse_jsonl
from matcher.errors import IngestError

ORGANISATIONS = "id,name,type,region\n"


def test_an_unclosed_quote_is_named_with_its_line() -> None:
    text = ORGANISATIONS + 'o1,One,sme,North\no2,"Two,sme,North\no3,Three,sme,North\n'
    parsed = parse_csv("orgs.csv", text)
    assert [o.id for _line, o in parsed.organisations] == ["o1"]
    assert [str(e) for e in parsed.errors] == [
        "orgs.csv:3: row: unclosed quote starting at line 3 (the rest of the file was read as "
        "one cell)"
    ]


def test_a_quoted_cell_over_several_lines_keeps_the_lines_of_the_file() -> None:
    text = ORGANISATIONS + 'o1,"One\nand more",sme,North\no2,Two,robot,North\n'
    parsed = parse_csv("orgs.csv", text)
    assert [o.id for _line, o in parsed.organisations] == ["o1"]
    assert [str(e).split(": ")[0] for e in parsed.errors] == ["orgs.csv:4"]


def test_every_field_error_of_a_row_is_reported() -> None:
    parsed = parse_csv("orgs.csv", ORGANISATIONS + "o1,,robot,North\n")
    assert sorted(e.field for e in parsed.errors) == ["name", "type"]
    assert all(e.line == 2 for e in parsed.errors)
    jsonl = parse_jsonl(
        "p.jsonl",
        '{"record": "profile", "id": "p", "kind": "robot", "name": "", "organisation": "o"}\n',
    )
    assert sorted(e.field for e in jsonl.errors) == ["kind", "name"]


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_csv, ""),
        (parse_csv, "\n\n"),
        (parse_csv, ORGANISATIONS),
        (parse_csv, ORGANISATIONS + ",,,\n"),
        (parse_jsonl, ""),
        (parse_jsonl, "\n  \n"),
    ],
)
def test_a_file_without_rows_is_an_error(parse: object, text: str) -> None:
    with pytest.raises(IngestError, match=r"^f: .*(empty|no rows)"):
        parse("f", text)  # type: ignore[operator]
