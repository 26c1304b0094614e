"""The dashboard's SVG charts: inline SVG without a prologue, deterministic, ids unique per
chart, and a label of user data never becomes markup."""

from __future__ import annotations

import pytest

from service.insight.charts import Drawing, Series, draw, number, table

HOSTILE = "--><script>alert(1)</script><!--"


def test_a_chart_is_inline_svg_drawn_the_same_way_twice() -> None:
    drawing = Drawing(("a", "b"), (Series("n", (1.0, 2.0)),), kind="stacked")
    first = draw(drawing, chart_id="one")
    assert first.startswith("<svg") and "<?xml" not in first and "<!DOCTYPE" not in first
    assert first == draw(drawing, chart_id="one")
    # the pages' CSP allows no inline styles: presentation attributes instead
    assert "style=" not in first and "<style" not in first and 'fill="#' in first
    assert draw(Drawing((), ()), chart_id="empty") == ""
    with pytest.raises(ValueError, match="bar, stacked, barh or line"):
        draw(Drawing(("a",), (Series("n", (1.0,)),), kind="pie"), chart_id="x")


def test_labels_are_escaped_and_ids_differ_between_charts() -> None:
    for kind in ("bar", "barh", "line"):
        svg = draw(Drawing((HOSTILE, "b"), (Series("s", (1.0, 2.0)),), kind=kind), chart_id=kind)
        assert "<script" not in svg
    a = draw(Drawing(("a",), (Series("s", (1.0,)),)), chart_id="a")
    b = draw(Drawing(("a",), (Series("s", (1.0,)),)), chart_id="b")
    ids = lambda svg: {part.split('"')[0] for part in svg.split(' id="')[1:]}  # noqa: E731
    assert ids(a) and not ids(a) & ids(b)  # one HTML document holds them all
    for svg in (a, b):
        for ref in svg.split('href="#')[1:]:
            assert ref.split('"')[0] in ids(svg)  # every reference still resolves


def test_numbers_and_tables_say_none_as_a_dash() -> None:
    assert number(None) == "–" and number(0.2134, digits=1, percent=True) == "21.3%"
    assert number(2875000) == "2,875,000"
    assert table(("a", "b"), [(1, None)]).rows == (("1", "–"),)
