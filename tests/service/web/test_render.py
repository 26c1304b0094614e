"""The pages' rendering helpers."""

from __future__ import annotations

from starlette.requests import Request

from matcher.model import SUMMARY_TITLE, EvidenceType, ProfileKind
from service.web.render import KIND_LABELS, evidence_title, highlight, is_page, kind_label


def _request(path: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": []})


def test_highlight_escapes_the_text_and_marks_the_terms() -> None:
    marked = highlight("Falls <b>in</b> older inpatients", ["falls", "older inpatients"])
    assert str(marked) == ("<mark>Falls</mark> &lt;b&gt;in&lt;/b&gt; <mark>older inpatients</mark>")
    assert str(highlight("a <tag>", [])) == "a &lt;tag&gt;"


def test_pages_are_everything_but_the_api_and_the_service_routes() -> None:
    assert is_page(_request("/")) and is_page(_request("/profiles/acad-falls"))
    for path in ("/api/v1/search", "/health", "/ready", "/metrics", "/docs", "/openapi.json"):
        assert not is_page(_request(path))


def test_each_kind_has_one_label_singular_and_plural() -> None:
    assert [k.label() for k in ProfileKind] == ["Academics", "Clinical teams", "SMEs"]
    assert [k.label(plural=False) for k in ProfileKind] == ["Academic", "Clinical team", "SME"]
    assert [k.label(capital=False) for k in ProfileKind] == ["academics", "clinical teams", "SMEs"]
    assert KIND_LABELS[ProfileKind.SME] == "SMEs"
    assert (
        kind_label("sme") == "SME" and kind_label("clinical_team", plural=True) == "Clinical teams"
    )
    assert kind_label("unknown") == "unknown"


def test_the_summary_item_is_shown_by_its_type_not_its_internal_title() -> None:
    assert evidence_title(EvidenceType.SUMMARY, SUMMARY_TITLE) == ""
    assert evidence_title(EvidenceType.PUBLICATION, SUMMARY_TITLE) == SUMMARY_TITLE
    assert evidence_title(EvidenceType.GRANT, "Falls") == "Falls"


def test_highlight_marks_whole_words_only() -> None:
    marked = str(
        highlight("Predicting falls; predict falls-risk and prefalls", ["predict", "falls"])
    )
    assert "<mark>Predict</mark>ing" not in marked
    assert "Predicting" in marked and "<mark>predict</mark> " in marked
    assert "<mark>falls</mark>;" in marked
    assert "falls-risk" in marked and "<mark>falls</mark>-risk" not in marked
    assert "pre<mark>falls</mark>" not in marked
