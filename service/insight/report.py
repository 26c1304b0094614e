"""The partnership dashboard as one self-contained HTML file: the page's body with the site's
stylesheet inlined and the charts as inline SVG, so that it opens anywhere with no network
(``matcher report partnership --out DIR``, and the page's download link)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.insight.dashboard import Dashboard

# The page and the file share one body template, kept with the pages' templates; read from its
# folder (not imported: only the app factory assembles the pages with the rest)
WEB = Path(__file__).parents[1] / "web"

#: The file ``matcher report partnership`` writes in its output folder.
FILE_NAME = "partnership.html"


def dashboard_html(dashboard: Dashboard) -> str:
    """The dashboard as a complete HTML document (no external resources)."""
    env = Environment(
        loader=FileSystemLoader(WEB / "templates"), autoescape=select_autoescape(["html"])
    )
    css = (WEB / "static" / "style.css").read_text(encoding="utf-8")
    return env.get_template("insight_dashboard_file.html").render(
        dashboard=dashboard, css=css, user=None
    )


def write_dashboard(dashboard: Dashboard, out: Path) -> Path:
    """Write :data:`FILE_NAME` into ``out`` (created if missing); returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(dashboard_html(dashboard), encoding="utf-8")
    tmp.replace(path)
    return path
