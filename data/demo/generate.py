"""Generate the fictional demo region of ke-matcher: ``python data/demo/generate.py``.

Seeded: every run writes byte-identical files. Everything is invented. People's names combine
unusual first names with made-up surnames; the universities, NHS bodies, Health and Social Care
Partnerships, companies, wards and localities do not exist (organisation names say
"fictional"). Texts are assembled from the topic vocabulary in ``topics.py`` with varied sentence
templates. Standard library only, no network.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from topics import ACUTE, COMMUNITY, COMP, ENG, HR, MAN, MED, MENTAL, NURS, PSY, TOPICS, Topic

SEED = 20261123
HERE = Path(__file__).resolve().parent

Profile = dict[str, Any]

# ------------------------------------------------------------------ organisations
NORTH_WEST = "North West"
WEST_SCOTLAND = "West of Scotland"

# id, name, region, e-mail domain, faculties
UNIVERSITIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "org-northmoor-uni",
        "University of Northmoor (fictional)",
        NORTH_WEST,
        "northmoor.example",
        (MED, HR, COMP, ENG, MAN, PSY, NURS),
    ),
    (
        "org-fellside-uni",
        "Fellside University (fictional)",
        NORTH_WEST,
        "fellside-uni.example",
        (MED, HR, NURS, PSY, MAN, COMP),
    ),
    (
        "org-glenmoran-uni",
        "University of Glenmoran (fictional)",
        WEST_SCOTLAND,
        "glenmoran.example",
        (MED, HR, COMP, ENG, PSY, NURS),
    ),
    (
        "org-ravensholm-uni",
        "Ravensholm Institute of Technology (fictional)",
        WEST_SCOTLAND,
        "ravensholm.example",
        (COMP, ENG, MAN, HR),
    ),
)


class NhsBody:
    """An NHS body or HSCP of the fictional region, with its sites and the services it runs."""

    def __init__(
        self,
        org_id: str,
        name: str,
        kind: str,
        region: str,
        domain: str,
        services: dict[str, int],
        sites: tuple[str, ...],
    ) -> None:
        self.org_id = org_id
        self.name = name
        self.kind = kind
        self.region = region
        self.domain = domain
        self.services = services  # service -> weight when placing teams
        self.sites = sites


NHS_BODIES: tuple[NhsBody, ...] = (
    NhsBody(
        "org-fellside-trust",
        "Fellside Teaching Hospitals NHS Foundation Trust (fictional)",
        "nhs_trust",
        NORTH_WEST,
        "fellside-hospitals.nhs.example",
        {ACUTE: 4},
        ("Fellside General Hospital", "Fellside Royal Infirmary"),
    ),
    NhsBody(
        "org-northmoor-trust",
        "Northmoor and Coast Hospitals NHS Trust (fictional)",
        "nhs_trust",
        NORTH_WEST,
        "northmoor-coast.nhs.example",
        {ACUTE: 3, COMMUNITY: 2},
        ("Northmoor Royal Hospital", "Skellbay Community Hospital"),
    ),
    NhsBody(
        "org-greymere-mh",
        "Greymere Mental Health NHS Foundation Trust (fictional)",
        "nhs_trust",
        NORTH_WEST,
        "greymere-mh.nhs.example",
        {MENTAL: 5},
        ("Greymere Hospital", "Hollin Unit", "Northmoor Community Hub"),
    ),
    NhsBody(
        "org-glenmoran-board",
        "NHS Glenmoran Health Board (fictional)",
        "nhs_trust",
        WEST_SCOTLAND,
        "glenmoran-board.nhs.example",
        {ACUTE: 3, MENTAL: 2, COMMUNITY: 1},
        ("Glenmoran University Hospital", "Kilbraddan General Hospital"),
    ),
    NhsBody(
        "org-riverbank-hscp",
        "Riverbank Health and Social Care Partnership (fictional)",
        "hscp",
        WEST_SCOTLAND,
        "riverbank-hscp.example",
        {COMMUNITY: 3, MENTAL: 1},
        ("Riverbank North", "Riverbank South"),
    ),
    NhsBody(
        "org-eastfield-hscp",
        "Eastfield Health and Social Care Partnership (fictional)",
        "hscp",
        WEST_SCOTLAND,
        "eastfield-hscp.example",
        {COMMUNITY: 3, MENTAL: 1},
        ("Eastfield", "Eastfield Coast"),
    ),
)
OTHER_ORGANISATIONS = (
    ("org-northmoor-council", "Northmoor County Council (fictional)", "council", NORTH_WEST),
    ("org-fellside-carers", "Fellside Carers Together (fictional charity)", "charity", NORTH_WEST),
    ("org-glenmoran-council", "Glenmoran Council (fictional)", "council", WEST_SCOTLAND),
)

# ------------------------------------------------------------------ names
FIRST_NAMES = (
    "Aila", "Bram", "Catrin", "Dev", "Elin", "Farah", "Gideon", "Hana", "Idris", "Jola", "Kasia",
    "Lorcan", "Maren", "Nia", "Oren", "Priya", "Quinn", "Rhona", "Soren", "Talia", "Uma",
    "Viktor", "Wren", "Yusra", "Zeb", "Anouk", "Bryn", "Cerys", "Dara", "Emrys", "Fen", "Greer",
    "Hollis", "Ines", "Jarek", "Kit", "Leith", "Mirela", "Nuala", "Osian", "Petra", "Rafe",
    "Seren", "Tomas", "Una", "Vesna", "Wynn", "Ximena", "Yannick", "Zora", "Amani", "Bo",
    "Calum", "Delphine", "Eira", "Femi", "Ilse", "Kofi", "Linnea", "Mehdi", "Noor", "Orla",
    "Pavel", "Ravi", "Saoirse", "Tariq", "Ulla", "Zainab",
)  # fmt: skip
SURNAME_STARTS = (
    "Ash", "Brack", "Corrie", "Dun", "Eld", "Fell", "Glen", "Heath", "Ivy", "Kirk", "Lang",
    "Moss", "Nether", "Oak", "Pike", "Quarry", "Raven", "Scar", "Thorn", "Under", "Wester",
    "Yarrow", "Birk", "Craig", "Drum", "Fern", "Gill", "Holm", "Knott", "Lyn", "Mire", "Rowan",
    "Slate", "Tarn",
)  # fmt: skip
SURNAME_ENDS = (
    "thwaite", "garth", "rigg", "mere", "beck", "hope", "stead", "wick", "cote", "holme",
    "shaw", "moor", "sett", "haugh",
)  # fmt: skip
TITLES = ("Dr", "Dr", "Dr", "Prof")

# Company names: invented place-like stems, kept apart from the surname parts above.
PLACE_STARTS = (
    "Grey", "Holl", "Brant", "Cald", "Whin", "Sker", "Ulver", "Hawk", "Quen", "Thrim", "Kell",
    "Vorn", "Wold", "Sel", "Lund", "Drel", "Ebb", "Yeld", "Fenn", "Orm",
)  # fmt: skip
PLACE_ENDS = ("vale", "water", "combe", "bury", "haven", "field", "gate", "stow", "holt", "bridge")
SECTOR_NOUNS = {
    "wearables": ("Sensors", "Wearables", "Motion", "Devices"),
    "remote monitoring": ("Telehealth", "Monitoring", "Connect", "Remote Care"),
    "diagnostics": ("Diagnostics", "Imaging", "Bio", "Analytics"),
    "digital health": ("Health", "Digital", "Health Tech", "Software"),
    "medtech": ("Medical", "Medtech", "Surgical", "Instruments"),
    "social care technology": ("Care Tech", "Living", "Home Care", "Assist"),
}
TOWNS = ("Northmoor", "Fellside", "Skellbay", "Glenmoran", "Kilbraddan", "Riverbank", "Eastfield")
# Specialties whose teams are named after a ward; the others are named as a team or service.
WARD_SPECIALTIES = {
    "Care of the Elderly",
    "Respiratory Medicine",
    "Acute Medicine",
    "Stroke Medicine",
    "Neurorehabilitation",
    "Renal Medicine",
    "General Surgery",
    "Orthogeriatrics",
    "Cardiology",
    "Gastroenterology and Hepatology",
    "Paediatrics",
    "Neurology",
}
WARD_NAMES = (
    "Heron", "Kestrel", "Larch", "Curlew", "Alder", "Osprey", "Bracken", "Linnet", "Merlin",
    "Skylark", "Willow", "Hazel", "Juniper", "Sorrel", "Teal", "Plover", "Dipper", "Aspen",
    "Rowan", "Lapwing",
)  # fmt: skip

# ------------------------------------------------------------------ research vocabulary
FUNDERS = (
    ("NIHR", "the NIHR", "Research for Patient Benefit programme"),
    ("NIHR", "the NIHR", "Health Technology Assessment programme"),
    ("NIHR", "the NIHR", "Invention for Innovation (i4i) programme"),
    ("NIHR", "the NIHR", "Health and Social Care Delivery Research programme"),
    ("MRC", "the Medical Research Council", "Developmental Pathway Funding Scheme"),
    ("EPSRC", "EPSRC", "Healthcare Technologies theme"),
    ("ESRC", "the Economic and Social Research Council", "responsive mode"),
    ("Innovate UK", "Innovate UK", "Biomedical Catalyst"),
    ("UKRI", "UK Research and Innovation", "Future Leaders Fellowships scheme"),
    ("Chief Scientist Office", "the Chief Scientist Office", "health services research grants"),
    ("Northern Health Research Trust", "the Northern Health Research Trust (fictional)", "project grants"),
)  # fmt: skip
ACRONYMS = (
    "STRIDE", "BRIDGE", "ANCHOR", "HORIZON", "COMPASS", "LANTERN", "THRIVE", "PATHWAY", "BEACON",
    "SPARK", "ORBIT", "TIDEWAY", "ROOTS", "CANOPY", "HARBOUR", "SUMMIT", "VECTOR", "ECHO",
    "KINDLE", "MOSAIC", "NAVIGATE", "PRISM", "RESOLVE", "SENTINEL", "TANDEM", "UPLIFT",
    "WAYMARK", "CAIRN", "FORTH", "EMBER",
)  # fmt: skip
ROLE_NOUNS = {
    MED: ("Clinical academic", "Consultant and senior lecturer", "Clinical researcher"),
    HR: ("Health services researcher", "Applied health researcher", "Epidemiologist"),
    COMP: ("Computer scientist", "Data scientist", "Researcher in health informatics"),
    ENG: ("Biomedical engineer", "Engineer", "Researcher in rehabilitation engineering"),
    MAN: ("Operations researcher", "Health economist", "Researcher in health management"),
    PSY: ("Psychologist", "Clinical psychologist", "Health psychologist"),
    NURS: ("Nurse researcher", "Allied health researcher", "Physiotherapist and researcher"),
}
THEMES = (
    "trust in the technology",
    "fit with existing routines",
    "the invisible work of carers",
    "information overload",
    "continuity of relationships",
    "fear of being a burden",
    "professional boundaries",
    "the value of being listened to",
    "uncertainty about who acts on the data",
    "practical and financial costs",
    "feeling safe at home",
    "the pace of the ward",
)
BARRIERS = (
    "unreliable wi-fi",
    "competing clinical priorities",
    "unclear ownership of alerts",
    "staff turnover",
    "training time",
    "information governance approvals",
    "limited access to devices",
    "poor integration with the patient record",
)
PARTNERS = (
    "two NHS trusts in the region",
    "a Health and Social Care Partnership",
    "the regional clinical research network",
    "a local authority public health team",
    "a carers' charity",
    "the university's clinical trials unit",
    "a regional health innovation hub",
    "a national patient charity",
)
QUOTES = (
    "it has to fit the way we work",
    "I did not want to be a nuisance",
    "you feel someone is watching out for you",
    "nobody told us what happens to the data",
    "it gave me back some control",
    "we are already stretched",
)
RESOURCES = (
    "a clinical champion",
    "anonymised incident data",
    "protected time for two nurses",
    "access to our patient panel",
    "space on the ward to trial devices",
    "links to our digital team",
    "support from our research and development office",
    "routine outcome data going back five years",
    "a small innovation budget",
    "help with recruitment",
)

# A study design: phrase for titles, range of participant numbers.
DESIGNS: dict[str, tuple[str, tuple[int, int]]] = {
    "trial": ("a randomised controlled trial", (120, 1400)),
    "cluster": ("a cluster randomised trial", (300, 4200)),
    "cohort": ("a prospective cohort study", (300, 12000)),
    "routine": ("a retrospective analysis of routine data", (2000, 90000)),
    "mixed": ("a mixed-methods evaluation", (80, 800)),
    "review": ("a systematic review and meta-analysis", (2000, 60000)),
    "its": ("an interrupted time series analysis", (1500, 40000)),
    "qual": ("a qualitative study", (14, 48)),
    "stepped": ("a stepped-wedge trial", (600, 6000)),
    "feasibility": ("a feasibility study", (24, 90)),
    "diagnostic": ("a diagnostic accuracy study", (150, 2500)),
}


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def article(phrase: str) -> str:
    """``a`` or ``an`` before ``phrase``."""
    first = phrase.split()[0]
    vowel = first[0].lower() in "aeiou" and not first.lower().startswith(("uni", "use", "eu"))
    if first.isupper() and first[0] in "AEFHILMNORSX":  # acronyms said letter by letter
        vowel = True
    return f"{'an' if vowel else 'a'} {phrase}"


def pct(value: int) -> str:
    """``a 12%`` or ``an 18%``."""
    spoken_vowel = str(value).startswith("8") or value in (11, 18)
    return f"{'an' if spoken_vowel else 'a'} {value}%"


def lower_title(text: str) -> str:
    """``Long COVID Service`` -> ``long COVID service`` (acronyms and names with 's kept)."""
    return " ".join(
        word if word.isupper() or "'" in word else word.lower() for word in text.split()
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def words(text: str) -> int:
    return len(text.split())


def join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class Writer:
    """Seeded random choices and the sentence templates built on them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()  # names, titles and other strings that must not repeat

    # ------------------------------------------------------------ basics
    def pick(self, items: Sequence[str]) -> str:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def other(self, items: Sequence[str], *avoid: str) -> str:
        rest = [item for item in items if item not in avoid]
        return self.pick(rest or items)

    def unique(self, make: Callable[[], str], tries: int = 60) -> str:
        """A string from ``make`` not produced before (numbered if every try collides)."""
        text = make()
        for _ in range(tries):
            if text not in self.used:
                break
            text = make()
        base, number = text, 2
        while text in self.used:
            text, number = f"{base} ({number})", number + 1
        self.used.add(text)
        return text

    def fitted(self, make: Callable[[], str], low: int, high: int, tries: int = 80) -> str:
        """A text from ``make`` with between ``low`` and ``high`` words."""
        text = make()
        for _ in range(tries):
            if low <= words(text) <= high:
                return text
            text = make()
        raise RuntimeError(f"no text of {low}-{high} words: {text}")

    def place(self) -> str:
        """An invented place-like name for a company ("Whinvale", "Ormgate")."""
        while True:
            name = self.pick(PLACE_STARTS) + self.pick(PLACE_ENDS)
            if not re.search(r"(.)\1\1", name) and "bb" not in name[3:]:
                return name

    def person(self) -> tuple[str, str]:
        while True:
            first = self.pick(FIRST_NAMES)
            last = self.pick(SURNAME_STARTS) + self.pick(SURNAME_ENDS)
            if re.search(r"(.)\1\1", last.lower()):  # no "Mossstead"
                continue
            key = f"person:{first[0]}.{last}"  # unique initial + surname keeps e-mails unique
            if key not in self.used:
                self.used.add(key)
                return first, last

    def slots(self, t: Topic) -> dict[str, str]:
        """One coherent set of phrases from a topic."""
        r = self.pick(t.reduce)
        f = self.pick(t.findings)
        return {
            "c": self.pick(t.conditions),
            "i": self.pick(t.interventions),
            "p": self.pick(t.populations),
            "s": self.pick(t.settings),
            "r": r,
            "r2": self.other(t.reduce, r),
            "g": self.pick(t.improve),
            "f": f,
            "f2": self.other(t.findings, f),
            "quote": self.pick(QUOTES),
        }

    def numbers(self, design: str) -> dict[str, Any]:
        rng = self.rng
        low, high = DESIGNS[design][1]
        n = rng.randint(low, high)
        if n > 1000:
            n = round(n, -2)
        share = rng.randint(9, 38)
        y1 = rng.randint(2011, 2019)
        return {
            "n": f"{n:,}",
            "k": rng.randint(3, 14),
            "q": rng.randint(14, 46),
            "months": rng.choice((3, 6, 12, 18, 24)),
            "pct": share,
            "lo": max(2, share - rng.randint(5, 9)),
            "hi": share + rng.randint(4, 12),
            "y1": y1,
            "y2": y1 + rng.randint(3, 7),
            "studies": rng.randint(9, 48),
            "auc": rng.randint(74, 93),
            "sens": rng.randint(78, 97),
            "spec": rng.randint(70, 95),
            "rr": rng.randint(62, 91),
            "recruit": rng.randint(62, 118),
            "retain": rng.randint(71, 94),
        }

    # ------------------------------------------------------------ publications
    def pub_title(self, design: str, v: dict[str, str]) -> str:
        phrase = DESIGNS[design][0]
        forms = [
            f"{cap(v['i'])} for {v['c']} in {v['p']}: {phrase}",
            f"{cap(v['i'])} and {v['r']} among {v['p']}: {phrase}",
            f"Can {v['i']} reduce {v['r']} in {v['s']}? {cap(phrase)}",
            f"{cap(v['c'])} among {v['p']} in {v['s']}: {phrase}",
            f"Effect of {v['i']} on {v['g']} in {v['p']}: {phrase}",
            f"{cap(v['i'])} versus usual care for {v['c']}: {phrase}",
            f"Variation in {v['r']} across {v['s']}: {phrase}",
            f"Reducing {v['c']} in {v['s']} with {v['i']}: {phrase}",
        ]
        if design == "qual":
            forms += [
                f"Experiences of {v['i']} among {v['p']} and staff: a qualitative study",
                f"'{cap(v['quote'])}': {v['p']} on {v['c']}",
            ]
        if design == "diagnostic":
            forms += [f"Accuracy of {v['i']} for detecting {v['c']} in {v['s']}"]
        if design in ("cohort", "routine"):
            forms += [f"Predictors of {v['r']} in {v['p']}: {phrase}"]
        if design == "review":
            forms += [f"{cap(v['i'])} for {v['p']}: a systematic review and meta-analysis"]
        return self.pick(forms)

    def pub_abstract(self, t: Topic, design: str, v: dict[str, str]) -> str:
        x = self.numbers(design)
        s2 = self.pick(t.settings)
        background = self.pick(
            (
                f"For {v['p']} in {v['s']}, {v['c']} remains a pressing and costly problem.",
                f"Services caring for {v['p']} report rising demand linked to {v['c']}, yet evidence on {v['i']} is limited.",
                f"Little is known about how {v['i']} performs for {v['c']} outside specialist centres.",
                f"Despite national guidance on {v['c']}, practice across {v['s']} varies widely.",
                f"Earlier work suggested that {v['f2']}, but this has not been tested in {v['s']}.",
                f"Reducing {v['r']} among {v['p']} is a stated priority for {v['s']}.",
                f"Few studies of {v['i']} have included {v['p']}, who are often excluded from research.",
            )
        )
        aim = self.pick(
            (
                f"We evaluated whether {v['i']} could reduce {v['r']} among {v['p']}.",
                f"This study assessed the effect of {v['i']} on {v['g']} in {v['s']}.",
                f"We aimed to estimate how far {v['i']} changes {v['r']} and {v['g']} for {v['p']}.",
                f"We examined whether adding {v['i']} to usual care improved {v['g']}.",
                f"Our objective was to understand how {v['i']} could help with {v['c']} in {v['s']}.",
            )
        )
        if design == "qual":
            aim = self.pick(
                (
                    f"We explored how {v['p']} and staff experience {v['i']} as a response to {v['c']}.",
                    f"This study asked what helps and hinders the use of {v['i']} in {v['s']}.",
                )
            )
        if design == "diagnostic":
            aim = f"We measured the accuracy of {v['i']} for detecting {v['c']} among {v['p']}."
        methods = {
            "trial": (
                f"We randomised {x['n']} {v['p']} in {x['k']} {v['s']} to {v['i']} or usual care, with {x['months']} months of follow-up.",
                f"In this pragmatic trial, {x['n']} {v['p']} were allocated to {v['i']} or usual care and followed for {x['months']} months.",
            ),
            "cluster": (
                f"We randomised {x['k'] + 8} {v['s']} caring for {x['n']} {v['p']} to {v['i']} or usual practice.",
            ),
            "cohort": (
                f"This prospective cohort followed {x['n']} {v['p']} from {x['k']} {v['s']} for {x['months']} months, with {v['r']} as the primary outcome.",
                f"We recruited {x['n']} {v['p']} in {x['k']} {v['s']} and recorded {v['r']} and {v['g']} over {x['months']} months.",
            ),
            "routine": (
                f"We linked routinely collected records for {x['n']} {v['p']} treated in {v['s']} between {x['y1']} and {x['y2']}.",
                f"Using linked primary and secondary care records from {x['y1']} to {x['y2']}, we identified {x['n']} {v['p']}.",
            ),
            "mixed": (
                f"A mixed-methods evaluation combined service data for {x['n']} {v['p']} with interviews with {x['q']} staff and carers.",
                f"We analysed outcomes for {x['n']} {v['p']} in {x['k']} {v['s']} and observed {x['q']} clinical encounters.",
            ),
            "review": (
                f"We searched six databases to {x['y2']} and pooled {x['studies']} studies including {x['n']} {v['p']} in a random-effects meta-analysis.",
                f"Two reviewers screened records from six databases; {x['studies']} studies with {x['n']} participants met our criteria.",
            ),
            "its": (
                f"Using an interrupted time series, we compared monthly {v['r']} in {x['k']} {v['s']} for two years before and after {v['i']} was introduced.",
            ),
            "qual": (
                f"Semi-structured interviews with {x['q']} {v['p']} and {x['k'] + 6} staff in {x['k']} {v['s']} were analysed thematically.",
                f"We held focus groups and interviews with {x['q']} participants across {x['k']} {v['s']}, analysed using framework analysis.",
            ),
            "stepped": (
                f"In a stepped-wedge design, {x['k'] + 4} {v['s']} introduced {v['i']} in random order over {x['months'] + 12} months, covering {x['n']} {v['p']}.",
            ),
            "feasibility": (
                f"We recruited {x['n']} {v['p']} to a single-arm feasibility study in {x['k']} {v['s']}, assessing recruitment, retention and fidelity.",
                f"This feasibility study offered {v['i']} to {x['n']} {v['p']} in {min(x['k'], 4)} {v['s']} over {x['months']} months.",
            ),
            "diagnostic": (
                f"We compared {v['i']} with a reference standard of expert clinical review in {x['n']} consecutive {v['p']}.",
                f"Index test results for {x['n']} {v['p']} in {x['k']} {v['s']} were compared with blinded expert assessment.",
            ),
        }[design]
        quantitative = (
            f"Introducing {v['i']} was associated with {pct(x['pct'])} relative reduction in {v['r']} (95% CI {x['lo']}% to {x['hi']}%).",
            f"Compared with usual care, {v['g']} improved, while {v['r2']} did not change significantly.",
            f"The rate ratio for {v['r']} was 0.{x['rr']} (95% CI 0.{max(x['rr'] - 14, 40)} to 0.{min(x['rr'] + 8, 99)}), and {v['g']} also improved.",
            f"There was no clear effect on {v['r']}, but {v['g']} improved and staff reported fewer workarounds.",
            f"{cap(v['r'])} fell by {x['pct']}% in the intervention group, with the largest effect in {s2}.",
        )
        results = {
            "qual": (
                f"Participants valued {v['i']} but described barriers including {self.pick(BARRIERS)} and {self.pick(BARRIERS[::-1])}.",
                f"We identified three themes: {join_and(self.rng.sample(THEMES, 3))}.",
                f"Staff described {v['i']} as useful when it fitted {self.pick(THEMES)}, and burdensome when it did not.",
            ),
            "diagnostic": (
                f"Sensitivity was {x['sens']}% and specificity {x['spec']}%, and {v['g']} was comparable to expert review.",
                f"The area under the ROC curve was 0.{x['auc']}, with most errors occurring in {s2}.",
            ),
            "feasibility": (
                f"Recruitment reached {x['recruit']}% of target and {x['retain']}% completed follow-up; {v['i']} was delivered as planned in most sessions.",
                f"Of those approached, {x['recruit'] // 2 + 20}% agreed to take part and {x['retain']}% provided outcome data on {v['r']}.",
            ),
            "mixed": (
                quantitative[1],
                f"{cap(v['r'])} fell by {x['pct']}%, and interviews pointed to {self.pick(THEMES)} as the key mechanism.",
            ),
        }.get(design, quantitative)
        finding = self.pick(
            (
                f"We also found that {v['f']}.",
                f"Notably, {v['f']}.",
                f"Secondary analyses suggested that {v['f']}.",
                f"An unexpected finding was that {v['f']}.",
            )
        )
        conclusion = self.pick(
            (
                f"Using {v['i']} looks promising for {v['p']} in {v['s']}, but a definitive trial is needed.",
                f"Commissioners planning services for {v['c']} should consider {v['i']} alongside staff training.",
                f"These results support wider use of {v['i']} in {v['s']}, with attention to {self.pick(BARRIERS)}.",
                f"Future work should test {v['i']} with more diverse groups of {v['p']}.",
                f"We discuss what this means for {v['p']} and for {t.label} in the NHS.",
                f"Services should measure {v['r']} routinely if they introduce {v['i']}.",
            )
        )
        parts = [background, aim, self.pick(methods), self.pick(results)]
        if self.chance(0.6):
            parts.append(finding)
        if self.chance(0.7):
            parts.append(conclusion)
        if len(parts) > 5:
            parts.pop(0)
        return " ".join(parts)

    def publication(self, t: Topic) -> tuple[str, str]:
        design = self.pick(list(DESIGNS))
        v = self.slots(t)
        title = self.unique(lambda: self.pub_title(design, v))
        text = self.fitted(lambda: self.pub_abstract(t, design, v), 60, 180)
        return title, text

    # ------------------------------------------------------------ methodologists
    def method_publication(self, m: Topic, t: Topic) -> tuple[str, str]:
        """A methodologist's paper: a method of ``m`` applied to a problem of topic ``t``."""
        v = self.slots(t)
        method = self.pick(m.interventions)
        issue = self.pick(m.conditions)
        mf = self.pick(m.findings)
        x = self.numbers("routine")
        singular = method if method.endswith("sis") else method.removesuffix("s")

        def title() -> str:
            forms = {
                "stats": (
                    f"{cap(method)} for estimating the effect of {v['i']} on {v['r']}",
                    f"Handling {issue} in studies of {v['c']}: {method} applied to {v['p']}",
                    f"Emulating a target trial of {v['i']} with routine data on {v['p']}",
                ),
                "ml": (
                    f"Predicting {v['r']} in {v['p']} with {method}: development and external validation",
                    f"{cap(method)} for early warning of {v['c']} in {v['s']}",
                    f"Fairness and calibration of a {v['r']} prediction model across {v['s']}",
                ),
                "qualitative": (
                    f"Implementing {v['i']} in {v['s']}: {article(singular)} study",
                    f"How {v['p']} and staff make {v['i']} work: {method}",
                    f"Understanding {v['c']} through {method}: a study in {v['s']}",
                ),
                "healthecon": (
                    f"Cost-effectiveness of {v['i']} for {v['p']}: {article(singular)}",
                    f"Budget impact of {v['i']} in {v['s']}",
                    f"Is {v['i']} good value for money? {cap(method)} for {v['c']}",
                ),
            }[m.key]
            return self.pick(forms)

        def abstract() -> str:
            background = self.pick(
                (
                    f"Studies of {v['c']} among {v['p']} often struggle with {issue}.",
                    f"Routine data on {v['c']} in {v['s']} are plentiful, but {issue} makes them hard to use well.",
                    f"Decisions about {v['i']} are being made without addressing {issue}.",
                )
            )
            aim, result = {
                "stats": (
                    self.pick(
                        (
                            f"We used {method} to estimate the effect of {v['i']} on {v['r']} in {x['n']} {v['p']}.",
                            f"We applied {method} to data on {x['n']} {v['p']} from {x['k']} {v['s']} ({x['y1']} to {x['y2']}).",
                        )
                    ),
                    self.pick(
                        (
                            f"After accounting for {issue}, the estimated effect on {v['r']} was smaller (hazard ratio 0.{x['rr']}, 95% CI 0.{max(x['rr'] - 12, 40)} to 0.{min(x['rr'] + 9, 99)}).",
                            f"The adjusted analysis gave a risk ratio of 0.{x['rr']} for {v['r']}, compared with 0.{max(x['rr'] - 15, 40)} in a naive analysis.",
                        )
                    ),
                ),
                "ml": (
                    self.pick(
                        (
                            f"We developed a model predicting {v['r']} from routine data on {x['n']} {v['p']} using {method}.",
                            f"Using {method}, we trained and externally validated a model of {v['c']} in {x['n']} {v['p']} from {x['k']} {v['s']}.",
                        )
                    ),
                    self.pick(
                        (
                            f"For {v['r']}, the area under the ROC curve was 0.{x['auc']} in development and 0.{max(x['auc'] - 6, 70)} at the external site.",
                            f"At a threshold flagging 10% of patients, the model identified {x['sens']}% of those who went on to have {v['r']}.",
                        )
                    ),
                ),
                "qualitative": (
                    self.pick(
                        (
                            f"We used {method} with {x['q']} {v['p']}, carers and staff in {min(x['k'], 6)} {v['s']}.",
                            f"Drawing on {method}, we followed the introduction of {v['i']} in {min(x['k'], 6)} {v['s']} over {x['months']} months.",
                        )
                    ),
                    f"Key themes were {join_and(self.rng.sample(THEMES, 3))}.",
                ),
                "healthecon": (
                    self.pick(
                        (
                            f"We built {article(singular)} comparing {v['i']} with usual care for {v['p']}, using data from {x['k']} {v['s']}.",
                            f"Using {method}, we estimated the costs and QALYs of {v['i']} over {x['months'] // 2 + 3} years from an NHS and social care perspective.",
                        )
                    ),
                    self.pick(
                        (
                            f"The incremental cost per QALY gained was £{x['pct'] * 900:,}, with a {x['retain']}% probability of being cost-effective at £20,000 per QALY.",
                            f"Over five years the programme cost £{x['pct'] * 41:,}k and saved an estimated {x['pct'] * 37:,} bed days.",
                        )
                    ),
                ),
            }[m.key]
            tail = self.pick(
                (
                    f"Across the {min(x['k'], 6)} {v['s']}, {mf}.",
                    f"In this study of {v['p']}, {mf}.",
                    f"Methodologically, {mf} when studying {v['c']}.",
                    f"We also found that {mf}, a lesson for other studies of {v['c']}.",
                )
            )
            close = self.pick(
                (
                    f"We provide code and guidance so that teams evaluating {v['i']} can use {method}.",
                    f"Evaluations of {t.label} should plan for {issue} from the start.",
                    f"These methods are now being used in a regional evaluation of {v['i']}.",
                )
            )
            parts = [background, aim, result, tail]
            if self.chance(0.6):
                parts.append(close)
            return " ".join(parts)

        return self.unique(title), self.fitted(abstract, 60, 180)

    # ------------------------------------------------------------ grants
    def grant(self, t: Topic, year: int, method: Topic | None = None) -> tuple[str, str, str]:
        v = self.slots(t)
        funder, funder_text, programme = FUNDERS[self.rng.randrange(len(FUNDERS))]
        design = self.pick(("trial", "cluster", "stepped", "feasibility", "mixed", "cohort"))
        phrase = DESIGNS[design][0]
        method_phrase = self.pick(method.interventions) if method else ""
        x = self.numbers(design)
        amount = self.rng.randint(12, 260) * 5_000

        def title() -> str:
            forms = [
                f"{cap(v['i'])} to reduce {v['r']} among {v['p']}",
                f"Testing {v['i']} for {v['c']} in {v['s']}",
                f"{cap(phrase.split(' ', 1)[1])} of {v['i']} for {v['p']}",
                f"Bringing {v['i']} into {v['s']}: development and evaluation",
            ]
            if method:
                forms = [
                    f"{cap(method_phrase)} to evaluate {v['i']} in {v['s']}",
                    f"Better evidence on {v['c']}: {method_phrase} for {v['p']}",
                ]
            text = self.pick(forms)
            if self.chance(0.4):
                text = f"{self.pick(ACRONYMS)}: {text}"
            return text

        def text() -> str:
            end = year + self.rng.randint(2, 5)
            first = self.pick(
                (
                    f"This {programme} award from {funder_text} ({year} to {end}, £{amount:,}) tests whether {v['i']} can reduce {v['r']} among {v['p']} in {v['s']}.",
                    f"Funded by {funder_text} through its {programme}, this {end - year}-year project develops and evaluates {v['i']} for {v['c']}.",
                    f"With £{amount:,} from {funder_text} ({programme}), we are studying {v['i']} as a way to tackle {v['c']} in {v['s']}.",
                )
            )
            if method:
                work = self.pick(
                    (
                        f"The methods work package applies {method_phrase} to address {self.pick(method.conditions)}.",
                        f"We lead the evaluation, using {method_phrase} alongside {phrase} in {x['k']} {v['s']}.",
                    )
                )
            else:
                work = self.pick(
                    (
                        f"The first work package co-designs {v['i']} with {v['p']} and staff; the second is {phrase} in {x['k']} {v['s']}; the third estimates costs.",
                        f"We will combine {phrase} in {x['k']} {v['s']} with a process evaluation and an economic evaluation of {v['i']}.",
                        f"Year one refines the approach with {v['p']}; later years run {phrase} across {x['k']} {v['s']}.",
                    )
                )
            outcomes = self.pick(
                (
                    f"The primary outcome is {v['r']}; secondary outcomes include {v['g']} and {v['r2']}.",
                    f"We will measure {v['r']} and {v['g']} at {x['months']} months.",
                    f"Success means a clear estimate of the effect on {v['r']} and a plan for adoption.",
                )
            )
            partners = self.rng.sample(PARTNERS, 2)
            if t.products and self.chance(0.5):
                partners[1] = f"a regional company making {article(self.pick(t.products))}"
            if self.chance(0.4):
                partners[0] = f"a patient advisory group of {v['p']}"
            parts = [first, work, outcomes, f"Partners include {join_and(partners)}."]
            if self.chance(0.3):
                parts.pop(2)
            return " ".join(parts)

        return self.unique(title), self.fitted(text, 60, 180), funder

    # ------------------------------------------------------------ clinical needs
    def need(self, t: Topic, index: int, specialty: str, ward: str, site: str) -> tuple[str, str]:
        """A clinical team's need: problem ``index`` of the topic and the need that answers it."""
        v = self.slots(t)
        need = t.needs[index]
        problem = t.problems[index]
        team = lower_title(specialty)

        def title() -> str:
            return cap(
                self.pick(
                    (
                        need,
                        f"{need} on {ward}" if ward else f"{need} in our service",
                        f"{need} at {site}",
                        f"{need}: partners wanted",
                    )
                )
            )

        def text() -> str:
            n = self.rng.randint(12, 160)
            first = self.pick(
                (
                    f"On {ward}, {problem}." if ward else f"At {site}, {problem}.",
                    f"Our {team} team sees that {problem}.",
                    f"{cap(problem)}, and this comes up at every governance meeting.",
                    f"Staff in our {team} service tell us that {problem}.",
                )
            )
            data = self.pick(
                (
                    f"A local audit of {n} {v['p']} last year suggested that {v['f']}.",
                    f"Over the last year, {v['c']} came up in {n} of our incident reports and complaints.",
                    f"Our figures show no improvement in {v['r']} despite two rounds of quality improvement.",
                    f"Patients and carers raised {v['c']} with us {n // 8 + 3} times last year.",
                )
            )
            ask = self.pick(
                (
                    f"We want to test {v['i']} and measure {v['r']} with an academic partner.",
                    f"We are looking for researchers, and a company with a suitable product, to help us evaluate {v['i']}.",
                    f"We would like help to design a study comparing {v['i']} with current practice, measuring {v['g']}.",
                    f"We need evidence on whether {v['i']} would work for {v['p']} before we apply for funding.",
                    f"We would welcome a technology partner and an evaluation team to pilot {v['i']}.",
                )
            )
            lead = self.pick(("clinical lead", "lead nurse", "consultant", "service manager"))
            time = self.pick(("half a day", "one day", "two sessions"))
            offer = self.pick(
                (
                    f"We can offer {join_and(self.rng.sample(RESOURCES, 2))}.",
                    f"We hope to start within {self.rng.choice((3, 6, 9, 12))} months and can offer {self.pick(RESOURCES)}.",
                    f"Our {lead} can give {time} a week to a project on {v['c']}.",
                )
            )
            parts = [first, data, ask]
            if self.chance(0.6):
                parts.append(offer)
            if self.chance(0.25):
                parts.pop(1)
            return " ".join(parts)

        return self.unique(title), self.fitted(text, 25, 110)

    # ------------------------------------------------------------ SME challenges
    def challenge(self, t: Topic, company: str, product: str, trl: int) -> tuple[str, str]:
        v = self.slots(t)
        ask = self.pick(
            (
                "pilot",
                "evidence",
                "econ",
                "integration",
                "usability",
                "regulatory",
                "validate",
                "bid",
            )
        )

        def title() -> str:
            forms = {
                "pilot": (
                    f"Pilot our {product} with {v['p']} in {v['s']}",
                    f"Find an NHS site to pilot our {product}",
                ),
                "evidence": (
                    f"Clinical evidence that our {product} reduces {v['r']}",
                    f"Show the effect of our {product} on {v['g']}",
                ),
                "econ": (
                    f"Health economic case for our {product}",
                    f"Build a cost model for our {product} in {v['s']}",
                ),
                "integration": (
                    f"Connect our {product} to NHS patient records for {v['p']}",
                    f"Integrate our {product} with {v['s']} systems",
                ),
                "usability": (
                    f"Usability testing of our {product} with {v['p']}",
                    f"Co-design the next version of our {product} with {v['p']}",
                ),
                "regulatory": (
                    (
                        f"Post-market evidence for our {product}",
                        f"Real-world performance data for our marked {product}",
                    )
                    if trl >= 7
                    else (
                        f"Clinical performance data for UKCA marking of our {product}",
                        f"Regulatory evidence for our {product} in {v['s']}",
                    )
                ),
                "validate": (
                    f"Validate our {product} on real-world data from {v['s']}",
                    f"Independent validation of our {product} for {v['c']}",
                ),
                "bid": (
                    f"Partners for an Innovate UK bid on {v['c']}",
                    f"Academic and NHS partners for our {product} project",
                ),
            }[ask]
            return cap(self.pick(forms))

        def text() -> str:
            intro = self.pick(
                (
                    f"We make {article(product)} for {v['p']} in {v['s']}.",
                    f"Our {product} is designed to help {v['s']} tackle {v['c']}.",
                    f"{company} has developed {article(product)} that addresses {v['c']}.",
                    f"Our {product} helps staff and {v['p']} deal with {v['c']}.",
                )
            )
            sites = self.rng.randint(2, 9)
            if trl <= 3:
                status = self.pick(
                    (
                        f"The {product} has only been tested on the bench and we have no clinical data yet.",
                        f"We have a concept design for the {product} and some early engineering tests.",
                        f"Our {product} is at an early stage: the core technology works in the lab.",
                    )
                )
            elif trl == 4:
                status = self.pick(
                    (
                        f"We have a lab-tested {product} and feedback from {self.rng.randint(3, 12)} clinicians.",
                        f"A prototype {product} works in the lab, but it has not been used with {v['p']}.",
                    )
                )
            elif trl <= 6:
                status = self.pick(
                    (
                        f"A working prototype has been tried with {self.rng.randint(8, 40)} volunteers.",
                        f"We ran a short test in one of the {v['s']} and gathered early user feedback.",
                    )
                )
            elif trl <= 8:
                status = self.pick(
                    (
                        f"The product is UKCA marked and in use at {sites} sites.",
                        f"It is CE marked as a class IIa device and has been used by {sites * 40} patients.",
                        f"It meets the NHS Digital Technology Assessment Criteria and is live at {sites} sites.",
                    )
                )
            else:
                status = self.pick(
                    (
                        f"The {product} is on the market with {sites * 3} customers in the UK.",
                        f"We sell the {product} to {sites * 2} NHS and care organisations.",
                    )
                )
            request = {
                "pilot": f"We need a clinical partner to run a pilot with {v['p']} and measure {v['r']}.",
                "evidence": f"NHS buyers ask for evidence on {v['r']} before they will purchase, so we need help to design a study.",
                "econ": f"Commissioners want to know whether it saves money, so we are looking for a health economist to model costs and {v['r']}.",
                "integration": self.pick(
                    (
                        f"We need advice and a partner site to connect the {product} to electronic patient records safely.",
                        f"Clinicians want its readings in the patient record, so we need an NHS partner in {v['s']} to help with integration.",
                    )
                ),
                "usability": f"We want to run usability sessions with {v['p']} and staff to improve the design.",
                "regulatory": self.pick(
                    (
                        f"We need clinical performance data on {v['r']} collected to the standard our regulator expects.",
                        f"Our notified body has asked for clinical data from {v['p']}, which we cannot collect alone.",
                    )
                ),
                "validate": f"We want an independent team to validate its performance against {v['g']}.",
                "bid": f"We are looking for academic and NHS partners for a joint application on {t.label}.",
            }[ask]
            extra = self.pick(
                (
                    f"We can contribute {join_and(self.rng.sample(self.contributions(), 2))}.",
                    f"Our main concern is {self.pick(self.concerns(trl))} for the {product}.",
                    f"We expect {self.pick(self.concerns(trl))} to be the hardest part of working in {v['s']}.",
                )
            )
            parts = [intro, status, request]
            if self.chance(0.65):
                parts.append(extra)
            return " ".join(parts)

        return self.unique(title), self.fitted(text, 25, 110)

    def contributions(self) -> list[str]:
        return [
            "engineering time",
            f"devices for up to {self.rng.randint(3, 20) * 10} participants",
            "access to anonymised usage data",
            "a match-funded research post",
            "training for ward staff",
            "hosting that meets NHS security standards",
        ]

    def concerns(self, trl: int) -> list[str]:
        later = ["post-market surveillance requirements", "NHS procurement frameworks"]
        earlier = ["the cost of a full clinical trial", "getting through UKCA marking"]
        return [
            "information governance sign-off",
            "integration with the electronic patient record",
            "finding NHS staff time for a pilot",
            "meeting the Digital Technology Assessment Criteria",
            *(later if trl >= 7 else earlier),
        ]


# ------------------------------------------------------------------ building the data set
def organisations() -> list[dict[str, str]]:
    rows = [
        {"id": uid, "name": name, "type": "university", "region": region}
        for uid, name, region, _domain, _faculties in UNIVERSITIES
    ]
    rows += [
        {"id": b.org_id, "name": b.name, "type": b.kind, "region": b.region} for b in NHS_BODIES
    ]
    rows += [
        {"id": oid, "name": name, "type": kind, "region": region}
        for oid, name, kind, region in OTHER_ORGANISATIONS
    ]
    return rows


def academics(w: Writer) -> tuple[list[Profile], dict[str, Topic]]:
    rng = w.rng
    domain = [t for t in TOPICS if not t.method]
    methods = [t for t in TOPICS if t.method]
    plan: list[Topic] = []
    for t in domain:
        plan += [t] * (10 if t.key == "falls" else 7)
    for t in methods:
        plan += [t] * 10
    rng.shuffle(plan)
    profiles: list[Profile] = []
    focus: dict[str, Topic] = {}
    applied: dict[str, list[Topic]] = {}
    for number, t in enumerate(plan, start=1):
        profile_id = f"acad-{number:04d}"
        faculty = w.pick(t.faculties)
        universities = [u for u in UNIVERSITIES if faculty in u[4]]
        uid, _name, region, email_domain, _faculties = universities[
            rng.randrange(len(universities))
        ]
        first, last = w.person()
        second: Topic | None = None
        uses: list[Topic] = []
        if t.method:
            uses = rng.sample(domain, rng.randint(2, 4))
            applied[profile_id] = uses
        elif w.chance(0.3):
            neighbours = [o for o in domain if o is not t and faculty in o.faculties]
            second = neighbours[rng.randrange(len(neighbours))]
        years = sorted(rng.sample(range(2012, 2027), rng.randint(3, 10)))
        evidence: list[dict[str, Any]] = []
        pubs = grants = 0
        for year in years:
            source = second if second is not None and w.chance(0.35) else t
            if t.method:
                source = uses[rng.randrange(len(uses))]
            if w.chance(0.18) and year >= 2015:
                grants += 1
                title, text, funder = w.grant(source, year, t if t.method else None)
                evidence.append(
                    {
                        "id": f"{profile_id}-g{grants}",
                        "type": "grant",
                        "title": title,
                        "text": text,
                        "year": year,
                        "funder": funder,
                    }
                )
            else:
                pubs += 1
                if t.method:
                    title, text = w.method_publication(t, source)
                else:
                    title, text = w.publication(source)
                evidence.append(
                    {
                        "id": f"{profile_id}-p{pubs}",
                        "type": "publication",
                        "title": title,
                        "text": text,
                        "year": year,
                    }
                )
        role = w.pick(ROLE_NOUNS[faculty])
        if t.method:
            favourite = rng.sample(t.interventions, 2)
            summary = (
                f"{role} working in {t.label}, using {favourite[0]} and "
                f"{favourite[1]}. Applies these methods to "
                f"{join_and([u.label for u in uses[:3]])}."
            )
            keywords = [*t.keywords[:4], uses[0].keywords[0]]
        else:
            summary = w.pick(
                (
                    f"{role} researching {t.label}, with a focus on {w.pick(t.conditions)} among {w.pick(t.populations)}.",
                    f"{role} who leads studies of {w.pick(t.interventions)} for {w.pick(t.conditions)} in {w.pick(t.settings)}.",
                    f"{role} working on {t.label}; current projects test {w.pick(t.interventions)} with {w.pick(t.populations)}.",
                )
            )
            if second is not None:
                summary += w.pick(
                    (f" Also works on {second.label}.", f" Collaborates on {second.label}.")
                )
            keywords = list(rng.sample(t.keywords, rng.randint(3, min(5, len(t.keywords)))))
            if second is not None:
                keywords.append(second.keywords[0])
        profiles.append(
            {
                "record": "profile",
                "id": profile_id,
                "kind": "academic",
                "name": f"{w.pick(TITLES)} {first} {last}",
                "organisation": uid,
                "unit": faculty,
                "region": region,
                "summary": summary,
                "keywords": list(dict.fromkeys(keywords))[:6],
                "capacity": rng.randint(1, 5),
                "contact": f"{first[0].lower()}.{last.lower()}@{email_domain}",
                "consent": True,
                "coauthors": [],
                "evidence": evidence,
            }
        )
        focus[profile_id] = t

    # Co-authors: a few colleagues on the same topic; methodologists with the teams they help.
    by_id = {p["id"]: p for p in profiles}
    by_topic: dict[str, list[str]] = {}
    for profile_id, t in focus.items():
        by_topic.setdefault(t.key, []).append(profile_id)

    def link(a: str, b: str) -> None:
        if a == b or b in by_id[a]["coauthors"] or len(by_id[a]["coauthors"]) >= 6:
            return
        by_id[a]["coauthors"].append(b)
        by_id[b]["coauthors"].append(a)

    for members in by_topic.values():
        for profile_id in members:
            if w.chance(0.85):
                others = [m for m in members if m != profile_id]
                for partner in rng.sample(others, min(len(others), rng.randint(1, 2))):
                    link(profile_id, partner)
    for profile_id, uses in applied.items():
        for t in uses:
            if w.chance(0.6):
                members = by_topic[t.key]
                link(profile_id, members[rng.randrange(len(members))])
    for p in profiles:
        p["coauthors"].sort()
    return profiles, focus


def clinical_teams(w: Writer) -> tuple[list[Profile], dict[str, Topic]]:
    rng = w.rng
    domain = [t for t in TOPICS if not t.method]
    plan: list[Topic] = []
    for t in domain:
        plan += [t] * (4 if t.key == "falls" else 2)
    plan += rng.sample(domain, 14)
    profiles: list[Profile] = []
    focus: dict[str, Topic] = {}
    load = {b.org_id: 0 for b in NHS_BODIES}
    for number, t in enumerate(plan, start=1):
        profile_id = f"clin-{number:04d}"
        # the host with the most room for this kind of service, so every body gets a fair share
        hosts = [b for b in NHS_BODIES if b.services.get(t.service)]
        best = min((load[b.org_id] + 1) / b.services[t.service] for b in hosts)
        hosts = [b for b in hosts if (load[b.org_id] + 1) / b.services[t.service] == best]
        body = hosts[rng.randrange(len(hosts))]
        load[body.org_id] += 1
        specialty = t.specialties[0] if w.chance(0.65) else w.pick(t.specialties)
        site = w.pick(body.sites)
        ward = ""
        if body.kind != "hscp" and specialty in WARD_SPECIALTIES and w.chance(0.6):
            ward = w.unique(lambda site=site: f"{w.pick(WARD_NAMES)} Ward, {site}")
            ward = ward.split(",")[0]
            team_name = f"{specialty}, {ward}, {site}"
        else:
            suffixes = ("team", "service", "locality team", "integrated team")
            if body.kind != "hscp":
                suffixes = ("team", "service", "clinical team", "improvement group")
            team_name = w.unique(
                lambda specialty=specialty, site=site, suffixes=suffixes: (
                    f"{specialty} {w.pick(suffixes)}, {site}"
                )
            )
        needs = []
        indices = rng.sample(range(len(t.needs)), rng.randint(1, min(3, len(t.needs))))
        for i, index in enumerate(indices, start=1):
            title, text = w.need(t, index, specialty, ward, site)
            needs.append(
                {
                    "id": f"{profile_id}-n{i}",
                    "type": "need",
                    "title": title,
                    "text": text,
                    "specialty": specialty,
                }
            )
        summary = w.pick(
            (
                f"{specialty} team at {site} working with {w.pick(t.populations)}; interested in {t.label}.",
                f"Clinical team at {site} working on {w.pick(t.conditions)} among {w.pick(t.populations)}.",
                f"{specialty} service at {site}. We want partners to help with {w.pick(t.conditions)}.",
            )
        )
        place = slug(ward or site).split("-")[0]
        contact = w.unique(
            lambda specialty=specialty, place=place, body=body: (
                f"{slug(specialty)}.{place}{rng.randint(1, 99)}@{body.domain}"
            )
        )
        profiles.append(
            {
                "record": "profile",
                "id": profile_id,
                "kind": "clinical_team",
                "name": team_name,
                "organisation": body.org_id,
                "unit": specialty,
                "region": body.region,
                "summary": summary,
                "keywords": list(rng.sample(t.keywords, rng.randint(3, min(5, len(t.keywords))))),
                "capacity": rng.randint(1, 5),
                "contact": contact,
                "consent": True,
                "evidence": needs,
            }
        )
        focus[profile_id] = t
    return profiles, focus


def smes(w: Writer) -> tuple[list[Profile], list[dict[str, str]], dict[str, Topic]]:
    rng = w.rng
    domain = [t for t in TOPICS if not t.method]
    plan: list[Topic] = []
    for t in domain:
        plan += [t] * (3 if t.key == "falls" else 1)
    plan += rng.sample(domain, 32)
    profiles: list[Profile] = []
    orgs: list[dict[str, str]] = []
    focus: dict[str, Topic] = {}
    for number, t in enumerate(plan, start=1):
        profile_id = f"sme-{number:04d}"
        company = w.unique(lambda t=t: f"{w.place()} {w.pick(SECTOR_NOUNS[t.sector])}")
        org_id = f"org-{slug(company)}"
        region = w.pick((NORTH_WEST, WEST_SCOTLAND))
        orgs.append(
            {"id": org_id, "name": f"{company} Ltd (fictional)", "type": "sme", "region": region}
        )
        product = w.pick(t.products)
        base = rng.randint(3, 9)
        challenges = []
        for i in range(rng.randint(1, 3)):
            trl = max(1, min(9, base + rng.choice((-1, 0, 0, 1)))) if i else base
            title, text = w.challenge(t, company, product, trl)
            challenges.append(
                {
                    "id": f"{profile_id}-c{i + 1}",
                    "type": "challenge",
                    "title": title,
                    "text": text,
                    "year": rng.choice((2024, 2025, 2026)) if w.chance(0.5) else "",
                    "sector": t.sector,
                    "readiness_level": trl,
                }
            )
        summary = (
            f"{company} develops {article(product)} for {w.pick(t.populations)}, "
            f"focused on {t.label}."
        )
        if w.chance(0.6):
            summary += (
                f" Founded in {rng.randint(2009, 2023)}, it employs {rng.randint(4, 60)} people"
                f" in {w.pick(TOWNS)}."
            )
        own = [k for k in t.keywords if k != t.sector]
        keywords = [t.sector, *rng.sample(own, rng.randint(2, 4))]
        mailbox = w.pick(("hello", "partnerships", "research", "info"))
        profiles.append(
            {
                "id": profile_id,
                "kind": "sme",
                "name": company,
                "organisation": org_id,
                "unit": t.sector,
                "region": region,
                "summary": summary,
                "keywords": keywords,
                "capacity": rng.randint(1, 5),
                "contact": f"{mailbox}@{slug(company).replace('-', '')}.example",
                "consent": True,
                "evidence": challenges,
            }
        )
        focus[profile_id] = t
    return profiles, orgs, focus


def withhold_consent(
    w: Writer, profiles: list[Profile], focus: dict[str, Topic], keep: int, share: float = 0.03
) -> None:
    """A few profiles have not given consent (they must never appear in results).

    At most one per topic, and only where at least ``keep`` others on the topic remain visible.
    """
    sizes: dict[str, int] = {}
    for p in profiles:
        sizes[focus[p["id"]].key] = sizes.get(focus[p["id"]].key, 0) + 1
    candidates = [p for p in profiles if sizes[focus[p["id"]].key] > keep]
    w.rng.shuffle(candidates)
    chosen: set[str] = set()
    for p in candidates:
        if len(chosen) == max(1, round(len(profiles) * share)):
            break
        if focus[p["id"]].key not in chosen:
            chosen.add(focus[p["id"]].key)
            p["consent"] = False


def calls(
    w: Writer,
    academic: list[Profile],
    clinical: list[Profile],
    sme: list[Profile],
    focus: dict[str, Topic],
) -> tuple[list[list[str]], list[list[str]]]:
    rng = w.rng
    by_topic: dict[str, list[str]] = {}
    for p in academic:
        by_topic.setdefault(focus[p["id"]].key, []).append(p["id"])

    # Regional challenges: one clinical need or SME challenge per topic, 25 topics.
    regional: list[list[str]] = []
    seen: set[str] = set()
    pool = [(p, "clinical_team") for p in clinical] + [(p, "sme") for p in sme]
    rng.shuffle(pool)
    for profile, kind in pool:
        t = focus[profile["id"]]
        if t.key in seen or not profile["consent"]:
            continue
        seen.add(t.key)
        item = profile["evidence"][rng.randrange(len(profile["evidence"]))]
        if kind == "clinical_team":
            kinds = w.pick(("academic;sme", "academic", "", "academic;sme"))
        else:
            kinds = w.pick(("academic;clinical_team", "clinical_team", "", "academic"))
        conflicts = ""
        if w.chance(0.25):
            conflicts = w.pick(by_topic[t.key])  # an academic who already advises the requester
        regional.append(
            [
                f"RC-{len(regional) + 1:02d}",
                f"{item['title']}. {item['text']}",
                str(rng.randint(2, 3)),
                kinds,
                profile["organisation"],
                conflicts,
                "collaborators",
            ]
        )
        if len(regional) == 25:
            break

    # Funding calls (national, no requester) and bids looking for partners (a university asks).
    funding: list[list[str]] = []
    domain = [t for t in TOPICS if not t.method and t.products]
    methods = [t for t in TOPICS if t.method]
    falls = next(t for t in domain if t.key == "falls")
    chosen = [falls, *rng.sample([t for t in domain if t is not falls], 5)]
    for number, t in enumerate(chosen, start=1):
        intervention, outcome, gain = t.interventions[0], t.reduce[0], t.improve[0]
        population, setting = t.populations[0], t.settings[0]
        product = w.pick(t.products)
        specialty = lower_title(t.specialties[0])
        method = methods[rng.randrange(len(methods))]
        sme_need = w.pick(
            (
                f"an SME with a CE- or UKCA-marked {product}",
                f"an SME with {article(product)} at prototype stage or beyond",
                f"an SME that makes {article(product)} and can supply it for the study",
            )
        )
        lead = w.pick(
            (
                f"an academic lead with a track record in {intervention} for {t.conditions[0]}",
                f"an academic lead who has published on {t.label}",
            )
        )
        nhs = w.pick(
            (
                f"an NHS partner running a {specialty} service for {population}",
                f"an NHS or HSCP partner whose {specialty} team can recruit {population}",
            )
        )
        expert = f"a co-applicant with expertise in {method.label}"
        if number <= 4:
            requirements = [lead, nhs, sme_need]
            if w.chance(0.6):
                requirements.append(expert)
            text = (
                f"Invention for Innovation (i4i) call: {t.label}. "
                f"Proposals should show that {intervention} can reduce {outcome} among {population} in {setting}. "
                f"Consortia must include {join_and(requirements)}. "
                f"Projects of up to 36 months should report {outcome} and {gain}, involve patients in the design, "
                f"and set out a route to adoption in the NHS."
            )
            purpose, requester = "funding_call", ""
            kinds = w.pick(("", "academic;clinical_team;sme"))
        else:
            hosts = [u for u in UNIVERSITIES if set(t.faculties) & set(u[4])]
            uni = hosts[rng.randrange(len(hosts))]
            lead_name = uni[1].removesuffix(" (fictional)")
            if lead_name.startswith("University of"):
                lead_name = f"the {lead_name}"
            requirements = [nhs, sme_need, f"{expert} from another university"]
            if w.chance(0.5):
                requirements.append("a second clinical team in another region as a comparison site")
            text = (
                f"We are preparing an NIHR application on {t.label}, led from {lead_name}. "
                f"The project will test whether {intervention} reduces {outcome} among {population}. "
                f"We are looking for {join_and(requirements)}. "
                f"Partners should be able to start within nine months and help write the outline bid."
            )
            purpose, requester, kinds = "grant_partners", uni[0], ""
        funding.append(
            [f"I4I-{number:02d}", text, str(len(requirements)), kinds, requester, "", purpose]
        )
    return regional, funding


# ------------------------------------------------------------------ writing
SME_HEADER = [
    "profile_id", "kind", "name", "organisation", "unit", "region", "summary", "keywords",
    "capacity", "contact", "consent", "evidence_id", "evidence_type", "title", "text", "year",
    "sector", "readiness_level",
]  # fmt: skip
CALL_HEADER = ["id", "text", "partners", "kinds", "requester_organisation", "conflicts", "purpose"]


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_jsonl(path: Path, rows: list[Profile]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def sme_rows(profiles: list[Profile]) -> list[list[Any]]:
    rows = []
    for p in profiles:
        head = [
            p["id"], "sme", p["name"], p["organisation"], p["unit"], p["region"], p["summary"],
            ";".join(p["keywords"]), p["capacity"], p["contact"], str(p["consent"]).lower(),
        ]  # fmt: skip
        for c in p["evidence"]:
            rows.append(
                [
                    *head,
                    c["id"],
                    c["type"],
                    c["title"],
                    c["text"],
                    c["year"],
                    c["sector"],
                    c["readiness_level"],
                ]
            )
    return rows


def readme(
    orgs: list[dict[str, str]],
    academic: list[Profile],
    clinical: list[Profile],
    sme: list[Profile],
    regional: list[list[str]],
    funding: list[list[str]],
) -> str:
    def count(kind: str) -> int:
        return sum(1 for o in orgs if o["type"] == kind)

    def items(profiles: list[Profile]) -> int:
        return sum(len(p["evidence"]) for p in profiles)

    faculties = sorted({p["unit"] for p in academic})
    withheld = sum(1 for p in academic + clinical + sme if not p["consent"])
    return f"""# Demo data: a fictional partnership region

Everything in this folder is invented and generated by `python data/demo/generate.py` (standard
library only, fixed seed: every run writes byte-identical files; change the generator or
`topics.py` and re-run it rather than editing the data by hand). The region is loosely modelled
on a university-NHS-industry partnership spanning the {NORTH_WEST} of England and the
{WEST_SCOTLAND}. People's names combine unusual first names with made-up surnames; the
universities, NHS bodies, Health and Social Care Partnerships, councils, charity and companies do
not exist, and their names say "fictional". E-mail addresses use `.example` domains. Texts are
assembled from the topic vocabulary in `topics.py` ({len(TOPICS)} topics, {sum(1 for t in TOPICS if t.method)} of them
methodological: statistics, machine learning, qualitative methods, health economics).

| file | contents | count |
|---|---|---|
| `organisations.csv` | {count("university")} universities, {count("nhs_trust")} NHS trusts/boards, {count("hscp")} HSCPs, {count("council")} councils, {count("charity")} charity, {count("sme")} SMEs | {len(orgs)} organisations |
| `academics.jsonl` | academics in {len(faculties)} faculties/schools, each with 3-10 publications or grants and co-authors | {len(academic)} profiles, {items(academic)} items |
| `clinical_teams.jsonl` | clinical teams of the NHS bodies and HSCPs, 1-3 needs each | {len(clinical)} profiles, {items(clinical)} items |
| `smes.csv` | SMEs with 1-3 challenges each (long form: one row per challenge) | {len(sme)} profiles, {items(sme)} items |
| `calls/regional-challenges.csv` | clinical and SME challenges for batch matching (purpose `collaborators`) | {len(regional)} briefs |
| `calls/nihr-i4i-call.csv` | funding-call briefs naming several partner requirements | {len(funding)} briefs |

{withheld} profiles have `consent` false, so they never appear in results. Formats:
[docs/data-format.md](../../docs/data-format.md). Load everything with `matcher ingest
data/demo/organisations.csv data/demo/academics.jsonl data/demo/clinical_teams.jsonl
data/demo/smes.csv` (`make run` does this).
"""


def main() -> None:
    w = Writer(SEED)
    academic, academic_focus = academics(w)
    clinical, clinical_focus = clinical_teams(w)
    sme, sme_orgs, sme_focus = smes(w)
    focus = {**academic_focus, **clinical_focus, **sme_focus}
    for profiles, keep in ((academic, 5), (clinical, 2), (sme, 1)):
        withhold_consent(w, profiles, focus, keep)
    regional, funding = calls(w, academic, clinical, sme, focus)
    orgs = organisations() + sme_orgs

    write_csv(
        HERE / "organisations.csv",
        ["id", "name", "type", "region"],
        [[o["id"], o["name"], o["type"], o["region"]] for o in orgs],
    )
    write_jsonl(HERE / "academics.jsonl", academic)
    write_jsonl(HERE / "clinical_teams.jsonl", clinical)
    write_csv(HERE / "smes.csv", SME_HEADER, sme_rows(sme))
    write_csv(HERE / "calls" / "regional-challenges.csv", CALL_HEADER, regional)
    write_csv(HERE / "calls" / "nihr-i4i-call.csv", CALL_HEADER, funding)
    (HERE / "README.md").write_text(
        readme(orgs, academic, clinical, sme, regional, funding), encoding="utf-8", newline="\n"
    )

    print(f"organisations: {len(orgs)}")
    for kind in ("university", "nhs_trust", "hscp", "council", "charity", "sme"):
        print(f"  {kind}: {sum(1 for o in orgs if o['type'] == kind)}")
    print(f"academics: {len(academic)}, clinical teams: {len(clinical)}, SMEs: {len(sme)}")
    print(f"evidence items: {sum(len(p['evidence']) for p in academic + clinical + sme)}")
    print(f"calls: {len(regional)} regional challenges, {len(funding)} funding briefs")


if __name__ == "__main__":
    main()
