"""Rendering the pages: the app's Jinja2 templates (with their filters and labels), a page
response, a page for an error, and whether a request is for a page at all.

The templates are built once per app (:func:`build_templates`, kept on ``app.state``), like the
container: no module-level instance.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from matcher.model import SUMMARY_TITLE, EvidenceType, IntroductionStatus, ProfileKind

HERE = Path(__file__).parent
#: Each kind's plural label, in display order (:meth:`ProfileKind.label` is the one spelling).
KIND_LABELS = {kind: kind.label() for kind in ProfileKind}
STATUS_LABELS = {
    IntroductionStatus.PROPOSED: "Proposed",
    IntroductionStatus.CONTACTED: "Contacted",
    IntroductionStatus.MET: "Met",
    IntroductionStatus.COLLABORATING: "Collaborating",
    IntroductionStatus.DECLINED: "Declined",
}
ERROR_TITLES = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    422: "Please check your input",
    429: "Too many requests",
}
#: Paths that are not pages: their errors are JSON.
API_PREFIXES = ("/api/", "/health", "/ready", "/metrics", "/docs", "/openapi.json", "/redoc")


def highlight(text: str, terms: list[str]) -> Markup:
    """Escape ``text`` and wrap each whole-word occurrence of ``terms`` in ``<mark>`` (as the
    shared terms are found: "predict" marks "predict", never the start of "Predicting")."""
    escaped = str(escape(text))
    words = sorted(
        {t for term in terms for t in [term, *term.split()] if len(t) > 2}, key=len, reverse=True
    )
    if not words:
        return Markup(escaped)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(str(escape(w))) for w in words) + r")(?![\w-])",
        re.IGNORECASE,
    )
    return Markup(pattern.sub(r"<mark>\1</mark>", escaped))


def evidence_title(kind: EvidenceType, title: str) -> str:
    """An evidence item's title as shown: none for the item made from a profile's summary (its
    type already says "summary"; its stored title is an internal one, kept for the encoder)."""
    return "" if kind is EvidenceType.SUMMARY and title == SUMMARY_TITLE else title


def kind_label(kind: str, plural: bool = False) -> str:
    """The label of a kind given by its value (``"sme"`` → ``"SME"``); unknown values as given."""
    try:
        return ProfileKind(kind).label(plural=plural)
    except ValueError:
        return kind


def build_templates() -> Jinja2Templates:
    """The pages' templates, with the ``highlight`` and ``evidence_title`` filters and the kind
    and status labels."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["highlight"] = highlight
    templates.env.filters["evidence_title"] = evidence_title
    templates.env.filters["kind_label"] = kind_label
    templates.env.globals["kind_labels"] = KIND_LABELS
    templates.env.globals["status_labels"] = STATUS_LABELS
    return templates


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The template ``name`` rendered with ``context`` (the app's templates)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def back(request: Request, fallback: str) -> Response:
    """The answer to a form: 204 to the page's script (it updates in place), else a redirect."""
    if request.headers.get("x-requested-with") == "fetch":
        return Response(status_code=204)
    return RedirectResponse(fallback, status_code=303)


def is_page(request: Request) -> bool:
    """Whether a request is for a web page (errors are then shown as a page, not JSON)."""
    return not request.url.path.startswith(API_PREFIXES)


def page_error(request: Request, status: int, message: str) -> Response:
    """An error as an HTML page."""
    title = ERROR_TITLES.get(status, "Something went wrong")
    return render(request, "error.html", {"title": title, "message": message, "user": None}, status)
