"""The partnership dashboard (issue 19 item 4): what came of the introductions, the searches
served and the bids, as charts with their tables; shown to KE staff at
``/insight/partnership`` and written as one self-contained HTML file by
``matcher report partnership --out DIR``.

The figures come from :mod:`matcher.insight.funnel` over the catalogue's introductions and bids
and the search counter; themes, the needs' coverage and the SDG profile are optional inputs
(:class:`InsightInputs`) that the theme, gap and SDG work feeds. Until they are given, their
sections say so instead of showing anything made up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from index.db.insight import InsightStore
from index.db.search_counts import SearchCount
from matcher.bids import Bid, BidStatus, series
from matcher.insight.funnel import (
    STAGES,
    bid_months,
    by_group,
    by_month,
    funnel,
    stage_times,
    theme_lookup,
    today_of,
)
from matcher.model import Introduction, IntroductionStatus, Profile, ProfileKind
from service.container import Container
from service.insight.charts import Chart, Drawing, Series, draw, number, table

STAGE_NAMES = {
    IntroductionStatus.PROPOSED: "Proposed",
    IntroductionStatus.CONTACTED: "Contacted",
    IntroductionStatus.MET: "Met",
    IntroductionStatus.COLLABORATING: "Collaborating",
    IntroductionStatus.DECLINED: "Declined",
}
THEMES_MISSING = "Themes not computed: run the theme step (matcher themes) to see this by theme."
#: Every introduction is read (the board shows the latest 500; the dashboard counts them all).
ALL = 10**9


@dataclass(frozen=True, slots=True)
class InsightInputs:
    """What other parts of the insight work give the dashboard (each optional).

    Attributes:
        themes: profile id → theme label (introductions by theme).
        coverage: theme → (served, weakly served, unserved) needs, from the gap report.
        sdg_pool: SDG label → evidence items tagged with it.
        sdg_collaborations: SDG label → collaborating introductions whose profile serves it.
    """

    themes: Mapping[str, str] | None = None
    coverage: Mapping[str, tuple[int, int, int]] | None = None
    sdg_pool: Mapping[str, int] | None = None
    sdg_collaborations: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the dashboard: a heading, charts, or a line saying why there are none."""

    id: str
    title: str
    charts: tuple[Chart, ...] = ()
    placeholder: str = ""
    intro: str = ""


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard's template shows."""

    generated_at: str
    figures: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


def build_dashboard(
    container: Container, inputs: InsightInputs | None = None, *, today: date | None = None
) -> Dashboard:
    """The dashboard over the catalogue as it is now."""
    given = inputs or InsightInputs()
    moment = today_of(today) if today else datetime.now().astimezone()
    found = container.introductions.find(limit=ALL)
    profiles = container.catalogue.get_profiles(
        sorted({i.profile_id for i in found}), with_evidence=False
    )
    organisations = {o.id: o.name for o in container.catalogue.organisations()}
    bids = container.bids.find(limit=ALL)
    figures = funnel(found)
    money = series(bids)
    searches = container.search_counts.counts()
    summary = (
        ("Introductions", number(figures.total)),
        ("Collaborations", number(figures.reached[IntroductionStatus.COLLABORATING])),
        ("Became collaborations", number(figures.collaborating_rate, digits=1, percent=True)),
        ("Searches served", number(sum(c.searches for c in searches))),
        ("Bids", number(len(bids))),
        ("Bid success rate", number(money.success_rate, digits=0, percent=True)),
        ("Money won (£)", number(money.money_won)),
    )
    sections = (
        _funnel_section(found, moment),
        *_group_sections(found, profiles, organisations, given),
        _searches_section(searches, InsightStore(container.catalogue.engine).theme_labels()),
        _bids_section(bids),
        _coverage_section(given),
        _sdg_section(given),
    )
    return Dashboard(
        generated_at=moment.isoformat(timespec="minutes"), figures=summary, sections=sections
    )


def _funnel_section(found: Sequence[Introduction], moment: datetime) -> Section:
    return Section(
        id="introductions",
        title="Introductions",
        charts=(_stage_chart(found), _month_chart(found), _stay_chart(found, moment)),
    )


def _stage_chart(found: Sequence[Introduction]) -> Chart:
    f = funnel(found)
    names = [STAGE_NAMES[s] for s in STAGES]
    stage_chart = Chart(
        id="funnel",
        title="The funnel: introductions that reached each stage",
        alt=(
            f"{f.total} introductions proposed; "
            + ", ".join(f"{f.reached[s]} {STAGE_NAMES[s].lower()}" for s in STAGES[1:])
            + f"; {f.current[IntroductionStatus.DECLINED]} declined."
        ),
        svg=draw(
            Drawing(
                tuple([*names, "Declined"]),
                (
                    Series(
                        "introductions",
                        (
                            *(float(f.reached[s]) for s in STAGES),
                            float(f.current[IntroductionStatus.DECLINED]),
                        ),
                    ),
                ),
                kind="barh",
                ylabel="introductions",
            ),
            chart_id="funnel",
        ),
        table=table(
            ("stage", "reached", "there now", "declined from here", "went on to the next stage"),
            [
                (
                    STAGE_NAMES[s],
                    f.reached[s],
                    f.current[s],
                    f.declined_from.get(s, "–"),
                    number(f.conversion.get(s), digits=0, percent=True)
                    if s in f.conversion
                    else "–",
                )
                for s in STAGES
            ]
            + [
                (
                    "Declined",
                    f.current[IntroductionStatus.DECLINED],
                    f.current[IntroductionStatus.DECLINED],
                    "–",
                    "–",
                )
            ],
        ),
        note="An introduction reached a stage when its history records the move there; "
        "the counts of 'there now' add up to every introduction in the catalogue.",
    )
    return stage_chart


def _month_chart(found: Sequence[Introduction]) -> Chart:
    months = by_month(found)
    shown = [*STAGES, IntroductionStatus.DECLINED]
    time_chart = Chart(
        id="over-time",
        title="Over time: moves into each stage per month",
        alt=(
            f"From {months[0].month} to {months[-1].month}: "
            + "; ".join(
                f"{sum(m.moved_into[s] for m in months)} {STAGE_NAMES[s].lower()}" for s in shown
            )
            + "."
            if months
            else "No introductions yet."
        ),
        svg=draw(
            Drawing(
                tuple(m.month for m in months),
                tuple(
                    Series(STAGE_NAMES[s], tuple(float(m.moved_into[s]) for m in months))
                    for s in shown
                ),
                kind="stacked",
                ylabel="moves",
            ),
            chart_id="over-time",
        ),
        table=table(
            ("month", *(STAGE_NAMES[s] for s in shown)),
            [(m.month, *(m.moved_into[s] for s in shown)) for m in months],
        ),
    )
    return time_chart


def _stay_chart(found: Sequence[Introduction], moment: datetime) -> Chart:
    times = stage_times(found, today=moment)
    stay_chart = Chart(
        id="time-in-stage",
        title="Time spent in each stage (median days)",
        alt="; ".join(
            f"{STAGE_NAMES[t.stage]}: median {number(t.median_days, digits=1)} days over "
            f"{t.finished} finished stays"
            for t in times
        )
        + ".",
        svg=draw(
            Drawing(
                tuple(STAGE_NAMES[t.stage] for t in times),
                (
                    Series("finished stays", tuple(t.median_days or 0.0 for t in times)),
                    Series(
                        "still there, so far", tuple(t.ongoing_median_days or 0.0 for t in times)
                    ),
                ),
                kind="bar",
                ylabel="days (median)",
            ),
            chart_id="time-in-stage",
        ),
        table=table(
            ("stage", "finished stays", "median days", "still there", "median days so far"),
            [
                (
                    STAGE_NAMES[t.stage],
                    t.finished,
                    number(t.median_days, digits=1),
                    t.ongoing,
                    number(t.ongoing_median_days, digits=1),
                )
                for t in times
            ],
        ),
        note="A stay ends when the introduction moves on or is declined; stays still going "
        "are measured to today and kept apart.",
    )
    return stay_chart


def _group_chart(
    chart_id: str,
    title: str,
    found: Sequence[Introduction],
    group_of: Callable[[Introduction], str | None],
) -> Chart:
    rows = by_group(found, group_of, limit=10)
    statuses = [*STAGES, IntroductionStatus.DECLINED]
    return Chart(
        id=chart_id,
        title=title,
        alt="; ".join(
            f"{r.group}: {r.funnel.total} introductions, "
            f"{r.funnel.reached[IntroductionStatus.COLLABORATING]} collaborating"
            for r in rows
        )
        + ".",
        svg=draw(
            Drawing(
                tuple(r.group[:40] for r in rows),
                tuple(
                    Series(STAGE_NAMES[s], tuple(float(r.funnel.current[s]) for r in rows))
                    for s in statuses
                ),
                kind="stacked",
                ylabel="introductions (status now)",
                size=(7.0, 3.6),
            ),
            chart_id=chart_id,
        ),
        table=table(
            (
                "group",
                "introductions",
                *(STAGE_NAMES[s] for s in statuses),
                "became collaborations",
            ),
            [
                (
                    r.group,
                    r.funnel.total,
                    *(r.funnel.current[s] for s in statuses),
                    number(r.funnel.collaborating_rate, digits=0, percent=True),
                )
                for r in rows
            ],
        ),
    )


def _group_sections(
    found: Sequence[Introduction],
    profiles: Mapping[str, Profile],
    organisations: Mapping[str, str],
    given: InsightInputs,
) -> tuple[Section, ...]:
    def organisation(i: Introduction) -> str | None:
        p = profiles.get(i.profile_id)
        return organisations.get(p.organisation_id, p.organisation_id) if p else "(erased)"

    def kind(i: Introduction) -> str | None:
        p = profiles.get(i.profile_id)
        return ProfileKind(p.kind).label() if p else "(erased)"

    themed = theme_lookup(given.themes)
    theme_section = (
        Section(
            id="by-theme",
            title="By theme",
            charts=(_group_chart("by-theme", "Introductions by theme", found, themed),),
        )
        if themed
        else Section(id="by-theme", title="By theme", placeholder=THEMES_MISSING)
    )
    return (
        Section(
            id="by-organisation",
            title="By organisation and kind",
            intro="The organisation and kind of the profile introduced.",
            charts=(
                _group_chart(
                    "by-organisation", "Introductions by organisation", found, organisation
                ),
                _group_chart("by-kind", "Introductions by kind", found, kind),
            ),
        ),
        theme_section,
    )


def _searches_section(counts: Sequence[SearchCount], labels: Mapping[str, str]) -> Section:
    """Searches per month and per theme (a count's theme is a theme id, shown by its label;
    one no longer known is shown by its id)."""
    months: dict[str, int] = {}
    themes: dict[str, int] = {}
    for c in counts:
        months[c.day.isoformat()[:7]] = months.get(c.day.isoformat()[:7], 0) + c.searches
        if c.theme:
            label = labels.get(c.theme, c.theme)
            themes[label] = themes.get(label, 0) + c.searches
    ordered = sorted(months.items())
    chart = Chart(
        id="searches",
        title="Searches served per month",
        alt=(
            f"{sum(months.values())} searches served from {ordered[0][0]} to {ordered[-1][0]}."
            if ordered
            else "No searches counted yet."
        ),
        svg=draw(
            Drawing(
                tuple(m for m, _ in ordered),
                (Series("searches", tuple(float(n) for _, n in ordered)),),
                kind="bar",
                ylabel="searches",
            ),
            chart_id="searches",
        ),
        table=table(("month", "searches"), ordered),
        note="Counts only: the pages and the API count each search served; no brief's text is kept.",
    )
    charts = [chart]
    if themes:
        by_theme = sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))
        charts.append(
            Chart(
                id="searches-by-theme",
                title="Searches served per theme",
                alt="; ".join(f"{t}: {n}" for t, n in by_theme) + ".",
                svg=draw(
                    Drawing(
                        tuple(t[:40] for t, _ in by_theme),
                        (Series("searches", tuple(float(n) for _, n in by_theme)),),
                        kind="barh",
                    ),
                    chart_id="searches-by-theme",
                ),
                table=table(("theme", "searches"), by_theme),
            )
        )
    return Section(
        id="searches",
        title="Searches served",
        charts=tuple(charts),
        placeholder="" if themes else THEMES_MISSING.replace("this", "searches"),
    )


def _bids_section(found: Sequence[Bid]) -> Section:
    figures = series(found)
    statuses = list(BidStatus)
    status_chart = Chart(
        id="bids-by-status",
        title="Bids by status",
        alt="; ".join(f"{figures.by_status[s.value]} {s.value.replace('_', ' ')}" for s in statuses)
        + f". Success rate {number(figures.success_rate, percent=True)} of {figures.decided} decided.",
        svg=draw(
            Drawing(
                tuple(s.value.replace("_", " ") for s in statuses),
                (Series("bids", tuple(float(figures.by_status[s.value]) for s in statuses)),),
                kind="bar",
                ylabel="bids",
            ),
            chart_id="bids-by-status",
        ),
        table=table(
            ("status", "bids"),
            [(s.value.replace("_", " "), figures.by_status[s.value]) for s in statuses]
            + [("success rate (funded / decided)", number(figures.success_rate, percent=True))],
        ),
    )
    months = bid_months(found)
    running = 0
    cumulative = []
    for m in months:
        running += m.money_won
        cumulative.append(float(running))
    money_chart = Chart(
        id="money-won",
        title="Money won over time (£, cumulative)",
        alt=(
            f"£{figures.money_won:,} won by {figures.funded} funded bids by {months[-1].month}."
            if months
            else "No bids yet."
        ),
        svg=draw(
            Drawing(
                tuple(m.month for m in months),
                (Series("money won (cumulative)", tuple(cumulative)),),
                kind="line",
                ylabel="£",
            ),
            chart_id="money-won",
        ),
        table=table(
            ("month", "bids created", "submitted", "funded", "not funded", "money won (£)"),
            [
                (m.month, m.created, m.submitted, m.funded, m.not_funded, f"{m.money_won:,}")
                for m in months
            ],
        ),
        note="Money won is the requested amount of each funded bid, counted in the month it "
        "was funded.",
    )
    return Section(id="bids", title="Bids", charts=(status_chart, money_chart))


def _mapping_chart(chart_id: str, title: str, values: Mapping[str, int], unit: str) -> Chart:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return Chart(
        id=chart_id,
        title=title,
        alt="; ".join(f"{k}: {v} {unit}" for k, v in ordered) + ".",
        svg=draw(
            Drawing(
                tuple(k[:40] for k, _ in ordered),
                (Series(unit, tuple(float(v) for _, v in ordered)),),
                kind="barh",
                ylabel=unit,
            ),
            chart_id=chart_id,
        ),
        table=table(("", unit), ordered),
    )


def _coverage_section(given: InsightInputs) -> Section:
    if not given.coverage:
        return Section(
            id="coverage",
            title="Coverage of needs by theme",
            placeholder="Not computed yet: the capability-gap report (matcher report gaps) "
            "gives how many needs of each theme are served.",
        )
    ordered = sorted(given.coverage.items())
    chart = Chart(
        id="coverage",
        title="Needs served, weakly served and unserved, by theme",
        alt="; ".join(f"{t}: {s} served, {w} weakly, {u} unserved" for t, (s, w, u) in ordered)
        + ".",
        svg=draw(
            Drawing(
                tuple(t[:40] for t, _ in ordered),
                tuple(
                    Series(name, tuple(float(v[i]) for _, v in ordered))
                    for i, name in enumerate(("served", "weakly served", "unserved"))
                ),
                kind="stacked",
                ylabel="needs",
            ),
            chart_id="coverage",
        ),
        table=table(
            ("theme", "served", "weakly served", "unserved"), [(t, *v) for t, v in ordered]
        ),
    )
    return Section(id="coverage", title="Coverage of needs by theme", charts=(chart,))


def _sdg_section(given: InsightInputs) -> Section:
    charts = []
    if given.sdg_pool:
        charts.append(
            _mapping_chart("sdg-pool", "SDG profile of the pool", given.sdg_pool, "items")
        )
    if given.sdg_collaborations:
        charts.append(
            _mapping_chart(
                "sdg-collaborations",
                "SDG profile of the collaborations",
                given.sdg_collaborations,
                "collaborations",
            )
        )
    return Section(
        id="sdg",
        title="Sustainable Development Goals",
        charts=tuple(charts),
        placeholder=""
        if charts
        else "Not computed yet: SDG tagging gives the pool's and the collaborations' SDG profile.",
    )
