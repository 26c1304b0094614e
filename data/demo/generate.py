"""Generate the fictional demo region of ke-matcher (seeded: every run writes the same files).

Everything here is invented: people's names are built from made-up surname parts, and the
universities, NHS bodies and companies do not exist. Run ``python data/demo/generate.py``.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from topics import TOPICS, Topic

SEED = 20261123
HERE = Path(__file__).parent

REGIONS = ("North West", "Clyde Valley")
UNIVERSITIES = (
    ("org-northmoor-uni", "University of Northmoor", "North West"),
    ("org-fellside-uni", "Fellside University", "North West"),
    ("org-clydebank-uni", "Clydebank Valley University", "Clyde Valley"),
    ("org-ravensholm-uni", "Ravensholm Institute of Technology", "Clyde Valley"),
)
NHS = (
    (
        "org-fellside-trust",
        "Fellside Teaching Hospitals NHS Foundation Trust (fictional)",
        "nhs_trust",
        "North West",
        "Fellside General",
    ),
    (
        "org-northcoast-trust",
        "Northmoor and Coast Hospitals NHS Trust (fictional)",
        "nhs_trust",
        "North West",
        "Northmoor Royal",
    ),
    (
        "org-pennine-mh",
        "Pennine Fells Care Partnership NHS Foundation Trust (fictional)",
        "nhs_trust",
        "North West",
        "Pennine Fells",
    ),
    (
        "org-clyde-board",
        "NHS Clyde Valley Health Board (fictional)",
        "nhs_trust",
        "Clyde Valley",
        "Clyde Valley University Hospital",
    ),
    (
        "org-riverbank-hscp",
        "Riverbank Health and Social Care Partnership (fictional)",
        "hscp",
        "Clyde Valley",
        "Riverbank",
    ),
    (
        "org-eastfield-hscp",
        "Eastfield Health and Social Care Partnership (fictional)",
        "hscp",
        "Clyde Valley",
        "Eastfield",
    ),
)
OTHERS = (
    ("org-northmoor-council", "Northmoor County Council (fictional)", "council", "North West"),
    ("org-carers-charity", "Fellside Carers Together (fictional charity)", "charity", "North West"),
)
MENTAL_HEALTH = {"Older Adult Mental Health", "Community Mental Health", "Maternity"}
COMMUNITY = {
    "Adult Social Care",
    "Primary Care",
    "Community Rehabilitation",
    "Dental Public Health",
}

FIRST = (
    "Aila",
    "Bram",
    "Catrin",
    "Dev",
    "Elin",
    "Farah",
    "Gideon",
    "Hana",
    "Idris",
    "Jola",
    "Kasia",
    "Lorcan",
    "Maren",
    "Nia",
    "Oren",
    "Priya",
    "Quinn",
    "Rhona",
    "Soren",
    "Talia",
    "Uma",
    "Viktor",
    "Wren",
    "Yusra",
    "Zeb",
    "Anouk",
    "Bryn",
    "Cerys",
    "Dara",
    "Emrys",
    "Fen",
    "Greer",
    "Hollis",
    "Ines",
    "Jarek",
    "Kit",
    "Leith",
    "Mirela",
    "Nuala",
    "Osian",
    "Petra",
    "Rafe",
    "Seren",
    "Tomas",
    "Una",
    "Vesna",
    "Wynn",
    "Ximena",
    "Yannick",
    "Zora",
    "Amani",
    "Bo",
    "Calum",
    "Delphine",
    "Eira",
)
SURNAME_START = (
    "Ash",
    "Brack",
    "Corrie",
    "Dun",
    "Eld",
    "Fell",
    "Glen",
    "Heath",
    "Ivy",
    "Kirk",
    "Lang",
    "Moss",
    "Nether",
    "Oak",
    "Pike",
    "Quarry",
    "Raven",
    "Scar",
    "Thorn",
    "Under",
    "Wester",
    "Yarrow",
    "Birk",
    "Craig",
    "Drum",
    "Fern",
    "Gill",
    "Holm",
    "Knott",
    "Lyn",
    "Mire",
    "Rowan",
    "Slate",
    "Tarn",
)
SURNAME_END = (
    "ridge",
    "thwaite",
    "moor",
    "leigh",
    "wick",
    "stead",
    "hope",
    "beck",
    "garth",
    "holme",
    "by",
    "shaw",
    "well",
    "cote",
    "ford",
    "mere",
    "ley",
    "side",
    "dale",
    "burn",
    "law",
    "rigg",
)
TITLES = ("Dr", "Dr", "Dr", "Prof", "Dr", "Ms", "Mr")
FUNDERS = (
    "NIHR",
    "UKRI",
    "Innovate UK",
    "MRC",
    "EPSRC",
    "ESRC",
    "a health research charity",
    "the Chief Scientist Office",
)
DESIGNS = (
    "a cluster randomised trial",
    "a prospective cohort study",
    "a mixed-methods evaluation",
    "a systematic review and meta-analysis",
    "a feasibility study",
    "a qualitative interview study",
    "a retrospective analysis of routinely collected data",
    "an interrupted time series analysis",
    "a pilot randomised controlled trial",
    "a diagnostic accuracy study",
    "a stepped-wedge trial",
    "a realist evaluation",
    "a validation study",
    "a discrete choice experiment",
)
SME_WORDS = (
    "Stepwise",
    "Lumen",
    "Northlight",
    "Kestrel",
    "Brightwater",
    "Tidewell",
    "Harbour",
    "Vantage",
    "Clearpath",
    "Bracken",
    "Solace",
    "Pulsewise",
    "Meridian",
    "Fellgate",
    "Quillon",
    "Arbour",
    "Beacon",
    "Cobalt",
    "Driftwood",
    "Emberly",
    "Foxglove",
    "Granite",
    "Halyard",
    "Inkwell",
    "Juniper",
    "Keystone",
    "Larchmont",
    "Mistral",
    "Nimbus",
    "Orchard",
    "Pebblebrook",
    "Quartzline",
)
SECTOR_NOUNS = {
    "wearables": ("Sensors", "Wearables", "Motion", "Devices"),
    "remote monitoring": ("Telehealth", "Monitoring", "Connect", "Remote Care"),
    "diagnostics": ("Diagnostics", "Imaging", "Bio", "Analytics"),
    "digital health": ("Health", "Digital", "Apps", "Health Tech"),
    "medtech": ("Medical", "Medtech", "Surgical", "Robotics"),
    "social care technology": ("Care Tech", "Living", "Home Care", "Assist"),
}


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Writer:
    """Random choices with a fixed seed, and helpers that build varied sentences."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_names: set[str] = set()

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(list(items))

    def person(self) -> tuple[str, str]:
        while True:
            first = self.pick(FIRST)
            last = self.pick(SURNAME_START) + self.pick(SURNAME_END)
            if (first, last) not in self.used_names:
                self.used_names.add((first, last))  # type: ignore[arg-type]
                return first, last

    def title(
        self, t: Topic, method: str, subject: str, population: str, setting: str, outcome: str
    ) -> str:
        design = self.pick(DESIGNS)
        forms = (
            f"{cap(method)} for {subject} among {population}",
            f"{cap(subject)} in {setting}: {design}",
            f"Predicting {outcome} in {population} using {method}",
            f"Effect of {method} on {outcome} in {population}: {design}",
            f"{cap(method)} in {setting}: what works for {population}",
            f"Can {method} reduce {outcome}? Evidence from {setting}",
            f"Implementing {method} for {subject}: {design}",
            f"{cap(subject)} and {outcome} among {population}",
        )
        return self.pick(forms)

    def abstract(
        self, t: Topic, method: str, subject: str, population: str, setting: str, outcome: str
    ) -> str:
        rng = self.rng
        n = rng.choice((48, 96, 120, 212, 340, 486, 1250, 2_400, 12_800, 38_000))
        k = rng.randint(2, 14)
        pct = rng.randint(8, 41)
        lo, hi = max(1, pct - rng.randint(4, 9)), pct + rng.randint(4, 11)
        y1 = rng.randint(2012, 2019)
        other_outcome = self.pick([o for o in t.outcomes if o != outcome] or list(t.outcomes))
        background = self.pick(
            (
                f"{cap(subject)} remains a leading cause of avoidable harm in {setting}.",
                f"Little is known about how {method} performs for {subject} in routine practice.",
                f"{cap(subject)} places growing pressure on {setting} and on {population} themselves.",
                f"Services for {population} increasingly look to {method}, but the evidence is thin.",
            )
        )
        aim = self.pick(
            (
                f"We evaluated whether {method} could reduce {outcome} among {population}.",
                f"This study asked whether {method} improves the recognition of {subject}.",
                f"We set out to describe {subject} among {population} and to test {method}.",
                f"Our aim was to estimate the effect of {method} on {outcome} in {setting}.",
            )
        )
        methods = self.pick(
            (
                f"In {self.pick(DESIGNS)}, we recruited {n} {population} from {k} {setting}.",
                f"We analysed records of {n} {population} seen in {setting} between {y1} and {y1 + rng.randint(2, 6)}.",
                f"Using {self.pick(DESIGNS)} across {k} sites, we compared {method} with usual care.",
                f"We interviewed {rng.randint(12, 60)} {population} and staff, and linked their accounts to service data.",
            )
        )
        results = self.pick(
            (
                f"{cap(method)} reduced {outcome} by {pct}% (95% CI {lo}% to {hi}%), with no change in {other_outcome}.",
                f"The approach detected {subject} with a sensitivity of 0.{rng.randint(78, 96)} and improved {other_outcome}.",
                f"{cap(outcome)} improved by {pct}% and participants valued {method}, although uptake varied between sites.",
                f"Staff reported that {method} fitted {setting} poorly at first; {outcome} improved after adaptation.",
            )
        )
        conclusion = self.pick(
            (
                f"These findings support wider use of {method} in {setting}.",
                f"A definitive trial of {method} for {population} is now warranted.",
                f"Commissioners should consider {method} when planning services for {subject}.",
                f"We discuss implications for {t.label} and for future research with {population}.",
            )
        )
        sentences = [background, aim, methods, results, conclusion]
        if rng.random() < 0.3:
            sentences.pop(0)
        return " ".join(sentences)


def build(w: Writer) -> dict[str, list[dict[str, object]]]:
    rng = w.rng
    organisations: list[dict[str, object]] = []
    for org_id, name, region in UNIVERSITIES:
        organisations.append(
            {"id": org_id, "name": f"{name} (fictional)", "type": "university", "region": region}
        )
    for org_id, name, kind, region, _site in NHS:
        organisations.append({"id": org_id, "name": name, "type": kind, "region": region})
    for org_id, name, kind, region in OTHERS:
        organisations.append({"id": org_id, "name": name, "type": kind, "region": region})

    # ---------------------------------------------------------------- academics
    academics: list[dict[str, object]] = []
    by_topic: dict[str, list[str]] = {t.key: [] for t in TOPICS}
    plan: list[Topic] = []
    for t in TOPICS:
        plan.extend([t] * (10 if t.key == "falls" else 8))
    rng.shuffle(plan)
    methodologists = {"stats", "qualitative", "nlp", "vision"}
    for number, topic in enumerate(plan, start=1):
        profile_id = f"acad-{number:04d}"
        first, last = w.person()
        title = w.pick(TITLES)
        university = UNIVERSITIES[number % len(UNIVERSITIES)]
        faculty = w.pick(topic.faculties)
        second = w.pick([t for t in TOPICS if t.key != topic.key]) if rng.random() < 0.35 else None
        spans = topic.key in methodologists
        items: list[dict[str, object]] = []
        count = rng.randint(3, 10)
        for i in range(count):
            source = topic
            if second is not None and rng.random() < 0.3:
                source = second
            if spans and rng.random() < 0.6:
                # a methodologist applies their methods to other teams' topics
                other = w.pick([t for t in TOPICS if t.key not in methodologists])
                subject, population, setting, outcome = (
                    w.pick(other.subjects),
                    w.pick(other.populations),
                    w.pick(other.settings),
                    w.pick(other.outcomes),
                )
                method = w.pick(topic.methods)
                label_topic = other
            else:
                subject, population, setting, outcome = (
                    w.pick(source.subjects),
                    w.pick(source.populations),
                    w.pick(source.settings),
                    w.pick(source.outcomes),
                )
                method = w.pick(source.methods)
                label_topic = source
            year = rng.randint(2014, 2026)
            if i < count - 1 or rng.random() < 0.5:
                items.append(
                    {
                        "id": f"{profile_id}-p{i + 1}",
                        "type": "publication",
                        "title": w.title(
                            label_topic, method, subject, population, setting, outcome
                        ),
                        "text": w.abstract(
                            label_topic, method, subject, population, setting, outcome
                        ),
                        "year": year,
                    }
                )
            else:
                funder = w.pick(FUNDERS)
                items.append(
                    {
                        "id": f"{profile_id}-g{i + 1}",
                        "type": "grant",
                        "title": f"{cap(method)} to improve {outcome} for {population}",
                        "text": (
                            f"This {funder} award ({year}–{year + rng.randint(2, 5)}) will test {method} for "
                            f"{subject} among {population} in {setting}. Work packages cover co-design with "
                            f"patients and staff, {w.pick(DESIGNS)}, and an economic evaluation of {outcome}. "
                            f"Partners include NHS services in the region and a technology company."
                        ),
                        "year": year,
                        "funder": funder,
                    }
                )
        keywords = list(
            dict.fromkeys(list(topic.keywords[:4]) + ([second.keywords[0]] if second else []))
        )
        summary = (
            f"{cap(topic.label)}: {w.pick(topic.methods)} for {w.pick(topic.subjects)} among {w.pick(topic.populations)}."
            + (f" Also works on {second.label}." if second else "")
        )
        profile = {
            "record": "profile",
            "id": profile_id,
            "kind": "academic",
            "name": f"{title} {first} {last}",
            "organisation": university[0],
            "unit": faculty,
            "region": university[2],
            "summary": summary,
            "keywords": keywords,
            "capacity": rng.randint(1, 5),
            "contact": f"{first[0].lower()}.{last.lower()}@{university[0].split('-')[1]}.example",
            "consent": rng.random() > 0.03,
            "coauthors": [],
            "evidence": items,
        }
        academics.append(profile)
        by_topic[topic.key].append(profile_id)
    for members in by_topic.values():  # co-authors: a few colleagues on the same topic, both ways
        for profile_id in members:
            others = [m for m in members if m != profile_id]
            for partner in rng.sample(others, k=min(len(others), rng.randint(0, 2))):
                a = next(p for p in academics if p["id"] == profile_id)
                b = next(p for p in academics if p["id"] == partner)
                for x, y in ((a, b), (b, a)):
                    coauthors = x["coauthors"]
                    assert isinstance(coauthors, list)
                    if y["id"] not in coauthors:
                        coauthors.append(y["id"])

    # ---------------------------------------------------------------- clinical teams
    clinical: list[dict[str, object]] = []
    team_plan: list[Topic] = []
    for t in TOPICS:
        team_plan.extend([t] * (4 if t.key == "falls" else 2))
    team_plan.extend(rng.sample(list(TOPICS), 12))
    for number, topic in enumerate(team_plan, start=1):
        profile_id = f"clin-{number:04d}"
        if topic.specialty in MENTAL_HEALTH:
            choices = [
                n
                for n in NHS
                if n[0] in {"org-pennine-mh", "org-clyde-board", "org-riverbank-hscp"}
            ]
        elif topic.specialty in COMMUNITY:
            choices = [n for n in NHS if n[2] == "hscp"] + [NHS[3]]
        else:
            choices = [n for n in NHS if n[0] not in {"org-pennine-mh"}]
        org_id, _org_name, _type, region, site = w.pick(choices)  # type: ignore[misc]
        ward = w.pick(
            (
                f"Ward {rng.randint(2, 40)}",
                f"{site} Hospital",
                "Community Team",
                "Outpatient Service",
                "Day Unit",
            )
        )
        if _type == "hscp":
            ward = w.pick(
                ("Community Team", "Locality Team", "Integrated Care Team", "Reablement Service")
            )
        name = f"{topic.specialty}, {ward} ({site})"
        needs = []
        for i in range(rng.randint(1, 3)):
            problem = w.pick(topic.problems)
            method = w.pick(topic.methods)
            needs.append(
                {
                    "id": f"{profile_id}-n{i + 1}",
                    "type": "need",
                    "title": cap(
                        w.pick(
                            (
                                f"reduce {w.pick(topic.outcomes)} for {w.pick(topic.populations)}",
                                f"better recognition of {w.pick(topic.subjects)}",
                                f"evaluate {method} on our service",
                                f"evidence for {w.pick(topic.subjects)} in {w.pick(topic.settings)}",
                            )
                        )
                    ),
                    "text": (
                        f"Our {topic.specialty.lower()} team finds that {problem}. "
                        f"We would like to work with researchers and industry on {method} "
                        f"and to measure {w.pick(topic.outcomes)}. "
                        + w.pick(
                            (
                                "We can offer access to patients, staff time and routine data.",
                                "We have a small innovation budget and clinical champions ready to help.",
                                "We want to co-write a grant application within the next year.",
                                "Patients and carers have asked us to do something about this.",
                            )
                        )
                    ),
                    "specialty": topic.specialty,
                }
            )
        clinical.append(
            {
                "record": "profile",
                "id": profile_id,
                "kind": "clinical_team",
                "name": name,
                "organisation": org_id,
                "unit": topic.specialty,
                "region": region,
                "summary": f"{topic.specialty} service caring for {w.pick(topic.populations)} in {w.pick(topic.settings)}; interested in {topic.label}.",
                "keywords": list(topic.keywords[:4]),
                "capacity": rng.randint(1, 3),
                "contact": f"{topic.key}.team{number}@{org_id.split('-')[1]}.nhs.example",
                "consent": rng.random() > 0.03,
                "coauthors": [],
                "evidence": needs,
            }
        )

    # ---------------------------------------------------------------- SMEs
    smes: list[dict[str, object]] = []
    sme_plan: list[Topic] = []
    for t in TOPICS:
        sme_plan.extend([t] * (3 if t.key == "falls" else 1))
    sme_plan.extend(rng.sample(list(TOPICS), 30))
    used: set[str] = set()
    for number, topic in enumerate(sme_plan, start=1):
        profile_id = f"sme-{number:04d}"
        while True:
            company = f"{w.pick(SME_WORDS)} {w.pick(SECTOR_NOUNS[topic.sector])}"
            if company not in used:
                used.add(company)
                break
        org_id = f"org-{company.lower().replace(' ', '-')}"
        region = w.pick(REGIONS)
        organisations.append(
            {"id": org_id, "name": f"{company} Ltd (fictional)", "type": "sme", "region": region}
        )
        product = w.pick(topic.products)
        challenges = []
        for i in range(rng.randint(1, 3)):
            population = w.pick(topic.populations)
            setting = w.pick(topic.settings)
            challenges.append(
                {
                    "id": f"{profile_id}-c{i + 1}",
                    "type": "challenge",
                    "title": cap(
                        w.pick(
                            (
                                f"validate our {product} with {population}",
                                f"clinical evidence for our {product} in {setting}",
                                f"integrate our {product} with NHS records",
                                f"health economic case for our {product}",
                                f"usability testing of our {product} with {population}",
                            )
                        )
                    ),
                    "text": (
                        f"We make a {product} for {w.pick(topic.subjects)}. "
                        + w.pick(
                            (
                                f"We need a clinical partner to run a pilot with {population} in {setting}.",
                                f"We need academic help to design a study measuring {w.pick(topic.outcomes)}.",
                                f"NHS buyers ask for evidence on {w.pick(topic.outcomes)} before they will purchase.",
                                f"We are looking for partners for an Innovate UK application on {topic.label}.",
                            )
                        )
                        + " "
                        + w.pick(
                            (
                                "Our prototype is CE marked and in use at two sites.",
                                "We have a working prototype and early user feedback.",
                                "We can contribute engineering time and devices for a study.",
                                "Data protection and interoperability are our main concerns.",
                            )
                        )
                    ),
                    "sector": topic.sector,
                    "readiness_level": rng.randint(3, 8),
                }
            )
        smes.append(
            {
                "profile_id": profile_id,
                "kind": "sme",
                "name": company,
                "organisation": org_id,
                "unit": topic.sector,
                "region": region,
                "summary": f"{company} develops a {product} for {w.pick(topic.populations)} ({topic.label}).",
                "keywords": ";".join([topic.sector, *topic.keywords[:3]]),
                "capacity": rng.randint(1, 4),
                "contact": f"hello@{company.lower().replace(' ', '')}.example",
                "consent": "true" if rng.random() > 0.03 else "false",
                "challenges": challenges,
            }
        )
    return {
        "organisations": organisations,
        "academics": academics,
        "clinical": clinical,
        "smes": smes,
    }


def calls(
    w: Writer, data: dict[str, list[dict[str, object]]]
) -> tuple[list[list[str]], list[list[str]]]:
    rng = w.rng
    regional: list[list[str]] = []
    pool = [(c, "need") for c in data["clinical"]] + [(s, "challenge") for s in data["smes"]]
    for number, (profile, _kind) in enumerate(rng.sample(pool, 25), start=1):
        items = profile.get("evidence") or profile.get("challenges")
        assert isinstance(items, list)
        item = items[0]
        requester = profile["organisation"]
        regional.append(
            [
                f"RC-{number:02d}",
                f"{item['title']}. {item['text']}",
                str(rng.randint(2, 3)),
                w.pick(("academic", "academic;sme", "academic;clinical_team", "")),
                str(requester),
                "",
                "collaborators",
            ]
        )
    funding: list[list[str]] = []
    for number, topic in enumerate(
        rng.sample([t for t in TOPICS if t.key not in {"stats", "qualitative"}], 6), start=1
    ):
        other = w.pick([t for t in TOPICS if t.key != topic.key])
        text = (
            f"Invention for Innovation call on {topic.label}. "
            f"The consortium needs an academic lead with expertise in {w.pick(topic.methods)} for {w.pick(topic.subjects)}. "
            f"It must include an NHS partner running a {topic.specialty.lower()} service for {w.pick(topic.populations)}. "
            f"An SME partner should bring a {w.pick(topic.products)} close to market. "
            f"The team also needs expertise in {w.pick(other.methods)} and in the health economics of {w.pick(topic.outcomes)}."
        )
        funding.append(
            [
                f"I4I-{number:02d}",
                text,
                str(rng.randint(3, 4)),
                "",
                w.pick([u[0] for u in UNIVERSITIES]),
                "",
                w.pick(("funding_call", "grant_partners")),
            ]
        )
    return regional, funding


def write(
    data: dict[str, list[dict[str, object]]], regional: list[list[str]], funding: list[list[str]]
) -> None:
    with (HERE / "organisations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "type", "region"])
        for o in data["organisations"]:
            writer.writerow([o["id"], o["name"], o["type"], o["region"]])
    for name, rows in (
        ("academics.jsonl", data["academics"]),
        ("clinical_teams.jsonl", data["clinical"]),
    ):
        with (HERE / name).open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    header = [
        "profile_id",
        "kind",
        "name",
        "organisation",
        "unit",
        "region",
        "summary",
        "keywords",
        "capacity",
        "contact",
        "consent",
        "evidence_id",
        "evidence_type",
        "title",
        "text",
        "year",
        "sector",
        "readiness_level",
    ]
    with (HERE / "smes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for s in data["smes"]:
            challenges = s["challenges"]
            assert isinstance(challenges, list)
            for c in challenges:
                writer.writerow(
                    [
                        s["profile_id"],
                        s["kind"],
                        s["name"],
                        s["organisation"],
                        s["unit"],
                        s["region"],
                        s["summary"],
                        s["keywords"],
                        s["capacity"],
                        s["contact"],
                        s["consent"],
                        c["id"],
                        c["type"],
                        c["title"],
                        c["text"],
                        "",
                        c["sector"],
                        c["readiness_level"],
                    ]
                )
    (HERE / "calls").mkdir(exist_ok=True)
    call_header = [
        "id",
        "text",
        "partners",
        "kinds",
        "requester_organisation",
        "conflicts",
        "purpose",
    ]
    for name, rows in (("regional-challenges.csv", regional), ("nihr-i4i-call.csv", funding)):
        with (HERE / "calls" / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(call_header)
            writer.writerows(rows)


def main() -> None:
    writer = Writer(SEED)
    data = build(writer)
    regional, funding = calls(writer, data)
    write(data, regional, funding)
    print(
        f"{len(data['organisations'])} organisations, {len(data['academics'])} academics, "
        f"{len(data['clinical'])} clinical teams, {len(data['smes'])} SMEs"
    )


if __name__ == "__main__":
    main()
