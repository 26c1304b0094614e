"""The governance templates page (admins only): the steps that new bids' checklists and
collaborating introductions' checklists start from, edited in one form; every save is one
audited replacement (:meth:`index.db.bids.BidStore.set_templates`)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from matcher.bids import BidRole, GovernanceTemplate, InvalidBidError
from service.http.auth import ADMIN_ONLY, roles_extra
from service.http.bids import who_of
from service.http.deps import AdminUser, ContainerDep
from service.web.render import render

router = APIRouter()
ADMINS = roles_extra(*ADMIN_ONLY)
KEY = re.compile(r"^[a-z0-9_]{1,60}$")
Cells = Annotated[list[str], Form(max_length=200)]
ROLE_NAMES = {
    "": "every bid and collaboration",
    BidRole.LEAD.value: "a lead",
    BidRole.CO_INVESTIGATOR.value: "a co-investigator",
    BidRole.NHS_PARTNER.value: "an NHS partner",
    BidRole.SME_PARTNER.value: "an SME partner",
}


@router.get("/governance/templates", response_class=HTMLResponse, openapi_extra=ADMINS)
def templates_page(request: Request, who: AdminUser, container: ContainerDep) -> HTMLResponse:
    """The governance templates in an editable table (with empty rows to add steps)."""
    return render(
        request,
        "governance_templates.html",
        {"user": who, "templates": container.bids.templates(), "roles": ROLE_NAMES, "blank": 2},
    )


def parse_templates(
    keys: list[str], titles: list[str], applies: list[str], offsets: list[str], removed: set[str]
) -> list[GovernanceTemplate]:
    """The templates a submitted form describes (rows without a key and a title are skipped).

    Raises:
        InvalidBidError: a bad key, role or offset, or rows of different lengths.
    """
    if not len(keys) == len(titles) == len(applies) == len(offsets):
        raise InvalidBidError("templates: every row needs a key, a title, a role and an offset")
    found = []
    for number, (key, title, role, offset) in enumerate(
        zip(keys, titles, applies, offsets, strict=True), 1
    ):
        key, title = key.strip(), " ".join(title.split())
        if (not key and not title) or key in removed:
            continue
        if not KEY.match(key) or not title or len(title) > 300:
            raise InvalidBidError(
                f"templates: row {number}: a key of lower-case letters, digits and _ and a title "
                "of at most 300 characters"
            )
        if role not in ROLE_NAMES:
            raise InvalidBidError(f"templates: row {number}: unknown role {role!r}")
        try:
            days = int(offset.strip() or "0")
        except ValueError:
            raise InvalidBidError(
                f"templates: row {number}: {offset!r} is not a number of days"
            ) from None
        if not -3650 <= days <= 3650:
            raise InvalidBidError(f"templates: row {number}: offset within ±3650 days")
        found.append(GovernanceTemplate(key, title, BidRole(role) if role else None, days))
    return found


@router.post("/governance/templates", openapi_extra=ADMINS)
def save_templates(
    who: AdminUser,
    container: ContainerDep,
    key: Cells,
    title: Cells,
    applies_to: Cells,
    offset_days: Cells,
    remove: Annotated[list[str], Form(max_length=200)] = [],  # noqa: B006 (FastAPI's form default)
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Replace the templates with the form's rows (existing checklists keep their steps)."""
    chosen = parse_templates(key, title, applies_to, offset_days, set(remove))
    container.bids.set_templates(chosen, who=who_of(who))
    return RedirectResponse("/governance/templates?saved=1", status_code=303)
