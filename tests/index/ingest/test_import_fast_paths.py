"""The importers' fast paths give what the general code gives: orjson with the standard
library behind it, the NUL check, text normalisation and folding, and the profile hash."""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path

from index.db.profiles import profile_hash
from index.db.versioning import hash_record
from index.ingest.sources.model import ReadError
from index.ingest.sources.reading import has_nul, iter_json_values
from matcher.identity import title_key
from matcher.model import EvidenceItem, EvidenceType, Profile, ProfileKind, Provenance
from matcher.text import normalise

_SPACE = re.compile(r"\s+")


def general_normalise(text: str) -> str:
    """matcher.text.normalise without its fast path."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if not _SPACE.sub(" ", text).isprintable():
        text = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def test_normalise_agrees_with_the_general_path_on_random_strings() -> None:
    rng = random.Random(16)
    alphabet = [chr(i) for i in range(128)] + ["é", "\u00a0", "\u2028", "e\u0301", "\x85"]
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert normalise(value) == general_normalise(value), repr(value)


def test_folding_ascii_and_accented_titles_gives_the_same_key() -> None:
    assert title_key("Falls, in Care-Homes!", 2024) == title_key("falls in care homes", 2024)
    assert title_key("Café Study", None) == title_key("cafe study", None)


def test_lines_orjson_refuses_are_read_as_the_standard_library_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "values.jsonl"
    lines = ['{"a": NaN}', '{"big": 123456789012345678901234567890}', '{"a": 1,}', '{"ok": "é"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = list(iter_json_values(path))
    assert isinstance(found[0], tuple) and math.isnan(found[0][1]["a"])  # type: ignore[index]
    assert found[1] == (2, {"big": 123456789012345678901234567890})
    assert isinstance(found[2], ReadError)
    assert found[2].reason.startswith("not valid JSON: ")  # the standard library's message
    assert found[3] == (4, {"ok": "é"})


def test_integers_at_and_beyond_64_bits_and_a_bom_are_read_exactly(tmp_path: Path) -> None:
    # the 19-digit check decides between orjson and the standard library on the raw bytes
    path = tmp_path / "values.jsonl"
    values = [2**63 - 1, 2**63, -(2**63) - 1, 2**64 + 7, 10**18, 123456789012345678]
    lines = [json.dumps({"n": v}) for v in values] + ['{"s": "1234567890123456789 in text"}']
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\r\n")
    found = list(iter_json_values(path))
    assert [v for _, v in found[:-1]] == [{"n": v} for v in values]  # type: ignore[misc]
    assert all(type(v["n"]) is int for _, v in found[:-1])  # type: ignore[index,misc]
    assert found[-1] == (7, {"s": "1234567890123456789 in text"})


def test_has_nul_finds_nul_anywhere_and_not_an_escaped_backslash() -> None:
    assert has_nul({"a": ["x", {"b": "y\x00"}]})
    assert has_nul({"k\x00": 1})
    assert not has_nul({"a": "\\u0000"})  # a backslash and "u0000", no NUL
    assert not has_nul({"a": [1, 2.5, None, True, "text"]})
    assert has_nul({"n": 10**30, "s": "\x00"})  # beyond orjson: walked
    assert not has_nul({"n": 10**30})


def test_the_profile_hash_is_what_it_was() -> None:
    item = EvidenceItem(
        id="doi:10.1/x",
        type=EvidenceType.PUBLICATION,
        title="Falls",
        text="Wearables in care homes.",
        year=2024,
        doi="10.1/x",
        provenance=(Provenance("openalex", "W1", "https://openalex.org/W1", "2026-01-05"),),
        pinned=True,
    )
    plain = EvidenceItem(id="g1", type=EvidenceType.GRANT, title="Grant", funder="NIHR")
    profile = Profile(
        id="orcid-0000-0003-4721-5802",
        kind=ProfileKind.ACADEMIC,
        name="Aisha Rahman",
        organisation_id="ror-05nrh1k22",
        keywords=("falls", "sepsis"),
        coauthors=("openalex-A2",),
        evidence=(item, plain),
        updated_at="2026-01-05",
    )
    # the hash as it was computed before (dataclasses.asdict), defaults left out
    record = asdict(profile)
    record.pop("updated_at")
    for found in record["evidence"]:
        for key, default in {"doi": "", "provenance": (), "pinned": False}.items():
            if found.get(key) == default:
                found.pop(key)
    assert profile_hash(profile) == hash_record(record)
