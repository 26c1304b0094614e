"""The search page: the form, a search posted from it, and its results URL.

Post, redirect, get: the form posts the brief, which is saved under an id
(:class:`index.db.briefs.BriefStore`), and the answer is a redirect to
``/?brief=<id>&kind=…#results``. That URL runs the search, so Back, reload and a shared link show
the results again (no "Confirm Form Resubmission"), while the brief itself stays out of URLs and
access logs. The result cards' forms send the brief's id, not a copy of the brief each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from index.db.feedback import brief_ref
from matcher.briefs import MAX_SINCE, MIN_SINCE, SDG_COUNT, make_brief
from matcher.calibration import NO_STRONG_MATCH_MESSAGE, no_strong_match
from matcher.errors import InvalidBriefError, MatcherError, ProfileNotFoundError
from matcher.insight.sdg_text import GOALS
from matcher.model import Brief
from matcher.text import normalise
from service.container import Container
from service.http.auth import ALL_ROLES, Principal, roles_extra
from service.http.deps import ContainerDep, User
from service.http.ratelimit import rate_limits_of
from service.insight.searches import counted_search
from service.search.feedback import SearchNotFoundError, record_label
from service.web.render import back, render

router = APIRouter()
#: the form field of each brief field an error can name (the page ties the error to it)
ERROR_FIELDS = {
    "organisations": "organisation",
    "regions": "region",
    "units": "unit",
    "since": "since",
    "sdgs": "sdgs",
}

Choice = Annotated[str, Query(max_length=300)]
#: the "published since" year as typed (checked by :meth:`SearchForm.year`)
Year = Annotated[str, Query(max_length=20)]
#: the chosen goals as sent, one ``sdg`` per goal (checked by :meth:`SearchForm.goals`)
Goals = Annotated[list[str], Query(max_length=SDG_COUNT)]


def _goal_numbers(values: tuple[str, ...]) -> list[int]:
    """The goal numbers of the form's ``sdg`` values.

    Raises:
        InvalidBriefError: a value that is not a goal's number.
    """
    numbers = []
    for value in values:
        value = value.strip()
        if not (
            value.isascii() and value.isdigit() and len(value) <= 2 and 1 <= int(value) <= SDG_COUNT
        ):
            raise InvalidBriefError("sdgs", f"choose goals from the list (1 to {SDG_COUNT})")
        numbers.append(int(value))
    return sorted(set(numbers))


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What the search form holds: the brief's text and the filters (empty for "any")."""

    text: str = ""
    kind: str = ""
    organisation: str = ""
    region: str = ""
    unit: str = ""
    #: "published since": a year as typed, empty for any
    since: str = ""
    #: the chosen SDGs' numbers as sent (empty: any)
    sdgs: tuple[str, ...] = field(default=())

    def year(self) -> int | None:
        """The "published since" year, ``None`` when empty.

        Raises:
            InvalidBriefError: not a year between the bounds ``make_brief`` accepts.
        """
        typed = self.since.strip()
        if not typed:
            return None
        if not (typed.isascii() and typed.isdigit() and MIN_SINCE <= int(typed) <= MAX_SINCE):
            raise InvalidBriefError(
                "since",
                f"enter the year as 4 digits between {MIN_SINCE} and {MAX_SINCE}, like 2020",
            )
        return int(typed)

    def goals(self) -> list[int]:
        """The chosen goals' numbers (:func:`_goal_numbers`)."""
        return _goal_numbers(self.sdgs)

    def brief(self, container: Container) -> Brief:
        """The brief to search, with the same filters as ``POST /api/v1/search``.

        Raises:
            InvalidBriefError: an empty or too long text, a bad year or goal, or an unknown
                filter.
        """
        return make_brief(
            self.text,
            kinds=[self.kind] if self.kind else [],
            organisations=[self.organisation] if self.organisation else [],
            regions=[self.region] if self.region else [],
            units=[self.unit] if self.unit else [],
            since=self.year(),
            sdgs=self.goals(),
            top=10,
            max_chars=container.settings.max_brief_chars,
        )

    def results_url(self, brief_id: str) -> str:
        """The URL of this search's results (the filters in the query, the brief by id)."""
        query: list[tuple[str, str]] = [
            ("brief", brief_id),
            ("kind", self.kind),
            ("organisation", self.organisation),
            ("region", self.region),
            ("unit", self.unit),
            ("since", self.since.strip()),
        ]
        query += [("sdg", g) for g in self.sdgs]
        return "/?" + urlencode([(k, v) for k, v in query if v]) + "#results"


def error_field(error: MatcherError) -> str:
    """The id of the form field an error is about (the brief's text unless it names a filter)."""
    return ERROR_FIELDS.get(str(getattr(error, "field", "")), "text")


def search_context(
    container: Container, who: Principal, form: SearchForm, brief_id: str = ""
) -> dict[str, Any]:
    """The search page's context: the form's choices, and the result of its brief if any."""
    metas = container.catalogue.profile_metas()
    context: dict[str, Any] = {
        "user": who,
        "text": form.text,
        "kind": form.kind,
        "organisation": form.organisation,
        "region": form.region,
        "unit": form.unit,
        "since": form.since,
        "sdgs": {g.strip().lstrip("0") for g in form.sdgs},  # compared with each goal's number
        "goals": GOALS,
        "brief_id": brief_id,
        "organisations": container.catalogue.organisations(),
        "regions": sorted({m.region for m in metas if m.region}),
        "units": sorted({m.unit for m in metas if m.unit}),
        "result": None,
        "no_strong_match": None,
        "error": None,
        "error_field": "text",
        "introduced": {},
        "shortlisted": {e.profile_id for e in container.accounts.shortlist(who.key.id)},
        "choices": {},
    }
    if form.text.strip():
        try:
            brief = form.brief(container)
            query = container.engine.encode_brief(brief.text)
            # counted per theme for the dashboard's searches served (a count only)
            result = counted_search(container, brief, query=query)
            if no_strong_match(result.matches):
                context["no_strong_match"] = NO_STRONG_MATCH_MESSAGE
        except MatcherError as error:
            context |= {"error": str(error), "error_field": error_field(error)}
            return context
        context["result"] = result
        # what this person marked relevant or not for this brief before (a returning user)
        context["choices"] = container.feedback.choices(
            given_by=who.key.id, brief_ref=brief_ref(query)
        )
        if who.sees_contacts:  # KE staff: which results already have an open introduction
            shown = [*result.groups.values(), *result.lanes.values()]
            found = [m.profile_id for matches in shown for m in matches]
            context["introduced"] = container.introductions.open_for(found, form.text)
    return context


@router.get("/", response_class=HTMLResponse, openapi_extra=roles_extra(*ALL_ROLES))
def home(
    request: Request,
    who: User,
    container: ContainerDep,
    brief: Annotated[str, Query(max_length=64)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
    organisation: Choice = "",
    region: Choice = "",
    unit: Choice = "",
    since: Year = "",
    sdg: Goals = [],  # noqa: B006 (FastAPI copies the default)
) -> HTMLResponse:
    """The search page; with ``brief`` (a saved brief's id), its results."""
    text = container.briefs.get(brief) if brief else ""
    form = SearchForm(text or "", kind, organisation, region, unit, since, tuple(sdg))
    if text is None:  # an unknown or expired id: the form, saying so
        context = search_context(container, who, form)
        context["error"] = "This search has expired or its link is incomplete: search again."
        return render(request, "search.html", context, 404)
    limits = rate_limits_of(request)
    if limits is not None and text:
        limits.check_search(request, who.key.id)
    context = search_context(container, who, form, brief)
    return render(request, "search.html", context, 422 if context["error"] else 200)


@router.post("/", openapi_extra=roles_extra(*ALL_ROLES))
def search(
    request: Request,
    who: User,
    container: ContainerDep,
    text: Annotated[str, Form(max_length=100_000)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    organisation: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=200)] = "",
    unit: Annotated[str, Form(max_length=300)] = "",
    since: Annotated[str, Form(max_length=20)] = "",
    sdg: Annotated[list[str], Form(max_length=SDG_COUNT)] = [],  # noqa: B006
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Save the form's brief and redirect to its results URL (a brief that cannot be searched
    is shown again with the reason)."""
    form = SearchForm(text, kind, organisation, region, unit, since, tuple(sdg))
    try:
        form.brief(container)
    except MatcherError as error:
        empty = SearchForm("", kind, organisation, region, unit, since, tuple(sdg))
        context = search_context(container, who, empty)
        context |= {"text": text, "error": str(error), "error_field": error_field(error)}
        return render(request, "search.html", context, 422)
    brief_id = container.briefs.save(who.key.id, text)
    return RedirectResponse(form.results_url(brief_id), status_code=303)


@router.post("/feedback", openapi_extra=roles_extra(*ALL_ROLES))
def feedback(
    request: Request,
    who: User,
    container: ContainerDep,
    profile_id: Annotated[str, Form(min_length=1, max_length=200)],
    brief_id: Annotated[str, Form(min_length=1, max_length=64)],
    relevant: Annotated[Literal["1", "0"], Form()],
    kind: Annotated[str, Form(max_length=40)] = "",
    organisation: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=200)] = "",
    unit: Annotated[str, Form(max_length=300)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A result card's "relevant / not relevant" (:mod:`service.search.feedback`): recorded with
    the saved brief's vector (encoded again from its text: the page has only the brief's id),
    then back to the same results at that card, which shows the choice."""
    text = container.briefs.get(brief_id)
    if text is None:
        raise SearchNotFoundError(
            "This search has expired or its link is incomplete: search again."
        )
    if not container.is_listed(profile_id):
        raise ProfileNotFoundError(profile_id)
    record_label(
        container.engine,
        container.feedback,
        profile_id=profile_id,
        relevant=relevant == "1",
        text=normalise(text),  # the text the search encoded (make_brief normalises it)
        given_by=who.key.id,
        role=who.role.value,
        brief_id=brief_id,
    )
    url = SearchForm("", kind, organisation, region, unit).results_url(brief_id)
    said = urlencode({"rated": profile_id, "relevant": relevant})
    return back(request, f"{url.removesuffix('#results')}&{said}#feedback-{profile_id}")
