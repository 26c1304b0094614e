"""The 17 UN Sustainable Development Goals: each goal's official title and a concise rendering
of its targets (from the UN's public text, "Transforming our world: the 2030 Agenda for
Sustainable Development", A/RES/70/1, targets abridged), and keyword rules of our own.

Shipped as data in the package (pure Python, so that :mod:`matcher` still reads no files).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Goal:
    """One Sustainable Development Goal.

    Attributes:
        number: 1–17.
        name: its short name (``Good health and well-being``).
        title: the goal as the UN words it.
        targets: its targets (abridged), each embedded on its own.
        keywords: regular expressions (case-insensitive, matched on word boundaries) whose
            presence in a text is strong evidence for the goal.
    """

    number: int
    name: str
    title: str
    targets: tuple[str, ...]
    keywords: tuple[str, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        """What is compared with an item: the goal's title and each of its targets."""
        return (f"{self.name}. {self.title}", *self.targets)


GOALS: tuple[Goal, ...] = (
    Goal(
        1,
        "No poverty",
        "End poverty in all its forms everywhere.",
        (
            "Eradicate extreme poverty for all people everywhere.",
            "Reduce at least by half the proportion of men, women and children of all ages living in poverty in all its dimensions.",
            "Implement nationally appropriate social protection systems and measures for all, including floors, and achieve substantial coverage of the poor and the vulnerable.",
            "Ensure that all men and women, in particular the poor and the vulnerable, have equal rights to economic resources and access to basic services.",
            "Build the resilience of the poor and those in vulnerable situations and reduce their exposure to climate-related extreme events and other economic, social and environmental shocks and disasters.",
        ),
        (
            "poverty",
            "low[- ]income households?",
            "deprivation",
            "welfare benefits?",
            "social protection",
            "fuel poverty",
            "food banks?",
        ),
    ),
    Goal(
        2,
        "Zero hunger",
        "End hunger, achieve food security and improved nutrition and promote sustainable agriculture.",
        (
            "End hunger and ensure access by all people to safe, nutritious and sufficient food all year round.",
            "End all forms of malnutrition, including stunting and wasting in children under 5 years of age, and address the nutritional needs of adolescent girls, pregnant and lactating women and older persons.",
            "Double the agricultural productivity and incomes of small-scale food producers.",
            "Ensure sustainable food production systems and implement resilient agricultural practices.",
            "Maintain the genetic diversity of seeds, cultivated plants and farmed and domesticated animals.",
        ),
        (
            "hunger",
            "malnutrition",
            "undernutrition",
            "food security",
            "food insecurity",
            "agricultur\\w*",
            "crops?",
            "farm(s|ing|ers)?",
            "stunting",
        ),
    ),
    Goal(
        3,
        "Good health and well-being",
        "Ensure healthy lives and promote well-being for all at all ages.",
        (
            "Reduce the global maternal mortality ratio; care in pregnancy and childbirth.",
            "End preventable deaths of newborns and children under 5 years of age; neonatal and child health.",
            "End the epidemics of AIDS, tuberculosis, malaria and neglected tropical diseases and combat hepatitis, water-borne diseases and other communicable diseases.",
            "Reduce by one third premature mortality from non-communicable diseases such as cancer, cardiovascular disease, diabetes and chronic respiratory disease through prevention and treatment, and promote mental health and well-being.",
            "Strengthen the prevention and treatment of substance abuse, including narcotic drug abuse and harmful use of alcohol.",
            "Halve the number of global deaths and injuries from road traffic accidents.",
            "Ensure universal access to sexual and reproductive health-care services, including for family planning.",
            "Achieve universal health coverage, access to quality essential health-care services and to safe, effective, quality and affordable essential medicines and vaccines for all.",
            "Reduce deaths and illnesses from hazardous chemicals and air, water and soil pollution and contamination.",
            "Support the research and development of vaccines and medicines; substantially increase health financing and the recruitment, development, training and retention of the health workforce.",
            "Strengthen the capacity for early warning, risk reduction and management of national and global health risks.",
        ),
        (
            "maternal",
            "pregnan\\w*",
            "childbirth",
            "neonatal",
            "newborns?",
            "mortality",
            "diseases?",
            "cancers?",
            "diabetes",
            "stroke",
            "dementia",
            "mental health",
            "well-?being",
            "hospitals?",
            "patients?",
            "clinical",
            "nhs",
            "vaccin\\w*",
            "infections?",
            "cardiovascular",
            "copd",
            "asthma",
            "frailty",
            "rehabilitation",
            "sepsis",
            "surgery",
            "primary care",
        ),
    ),
    Goal(
        4,
        "Quality education",
        "Ensure inclusive and equitable quality education and promote lifelong learning opportunities for all.",
        (
            "Ensure that all girls and boys complete free, equitable and quality primary and secondary education.",
            "Ensure that all girls and boys have access to quality early childhood development, care and pre-primary education.",
            "Ensure equal access for all women and men to affordable and quality technical, vocational and tertiary education, including university.",
            "Substantially increase the number of youth and adults who have relevant skills, including technical and vocational skills, for employment, decent jobs and entrepreneurship.",
            "Eliminate gender disparities in education and ensure equal access to all levels of education and vocational training for the vulnerable.",
            "Ensure that all learners acquire the knowledge and skills needed to promote sustainable development.",
            "Substantially increase the supply of qualified teachers, including through international cooperation for teacher training.",
        ),
        (
            "education\\w*",
            "teaching",
            "teachers?",
            "curricul\\w*",
            "training programmes?",
            "students?",
            "learners?",
            "schools?",
            "cpd",
            "continuing professional development",
            "simulation training",
            "e-?learning",
            "skills training",
            "apprenticeships?",
            "workforce development",
        ),
    ),
    Goal(
        5,
        "Gender equality",
        "Achieve gender equality and empower all women and girls.",
        (
            "End all forms of discrimination against all women and girls everywhere.",
            "Eliminate all forms of violence against all women and girls in the public and private spheres, including trafficking and sexual exploitation.",
            "Eliminate all harmful practices, such as child, early and forced marriage and female genital mutilation.",
            "Recognize and value unpaid care and domestic work.",
            "Ensure women's full and effective participation and equal opportunities for leadership.",
            "Ensure universal access to sexual and reproductive health and reproductive rights.",
        ),
        (
            "gender",
            "women'?s? (health|equality|empowerment)",
            "girls",
            "domestic (abuse|violence)",
            "violence against women",
            "female genital",
            "misogyn\\w*",
        ),
    ),
    Goal(
        6,
        "Clean water and sanitation",
        "Ensure availability and sustainable management of water and sanitation for all.",
        (
            "Achieve universal and equitable access to safe and affordable drinking water for all.",
            "Achieve access to adequate and equitable sanitation and hygiene for all and end open defecation.",
            "Improve water quality by reducing pollution, eliminating dumping and minimizing release of hazardous chemicals, and halving the proportion of untreated wastewater.",
            "Substantially increase water-use efficiency across all sectors.",
            "Protect and restore water-related ecosystems, including mountains, forests, wetlands, rivers, aquifers and lakes.",
        ),
        ("drinking water", "sanitation", "wastewater", "water quality", "hygiene", "water supply"),
    ),
    Goal(
        7,
        "Affordable and clean energy",
        "Ensure access to affordable, reliable, sustainable and modern energy for all.",
        (
            "Ensure universal access to affordable, reliable and modern energy services.",
            "Increase substantially the share of renewable energy in the global energy mix.",
            "Double the global rate of improvement in energy efficiency.",
            "Enhance access to clean energy research and technology, including renewable energy, energy efficiency and cleaner fossil-fuel technology.",
        ),
        (
            "renewable energy",
            "solar",
            "wind power",
            "energy efficiency",
            "batter(y|ies) storage",
            "fuel cells?",
            "decarboni[sz]\\w*",
            "electricity",
        ),
    ),
    Goal(
        8,
        "Decent work and economic growth",
        "Promote sustained, inclusive and sustainable economic growth, full and productive employment and decent work for all.",
        (
            "Sustain per capita economic growth.",
            "Achieve higher levels of economic productivity through diversification, technological upgrading and innovation.",
            "Promote development-oriented policies that support productive activities, decent job creation, entrepreneurship, creativity and innovation, and the growth of micro-, small- and medium-sized enterprises.",
            "Achieve full and productive employment and decent work for all women and men, including young people and persons with disabilities, and equal pay for work of equal value.",
            "Protect labour rights and promote safe and secure working environments for all workers.",
            "Substantially reduce the proportion of youth not in employment, education or training.",
        ),
        (
            "employment",
            "unemploy\\w*",
            "jobs?",
            "labour market",
            "occupational health",
            "workplace",
            "staff retention",
            "recruitment and retention",
            "economic growth",
            "productivity",
            "burnout",
            "return to work",
        ),
    ),
    Goal(
        9,
        "Industry, innovation and infrastructure",
        "Build resilient infrastructure, promote inclusive and sustainable industrialization and foster innovation.",
        (
            "Develop quality, reliable, sustainable and resilient infrastructure to support economic development and human well-being.",
            "Promote inclusive and sustainable industrialization.",
            "Increase the access of small-scale industrial and other enterprises to financial services and their integration into value chains and markets.",
            "Upgrade infrastructure and retrofit industries to make them sustainable, with clean and environmentally sound technologies.",
            "Enhance scientific research, upgrade the technological capabilities of industrial sectors, encourage innovation and increase research and development.",
            "Significantly increase access to information and communications technology.",
        ),
        (
            "innovation",
            "infrastructure",
            "manufactur\\w*",
            "industr(y|ial)",
            "start-?ups?",
            "medtech",
            "medical devices?",
            "digital platforms?",
            "broadband",
            "commerciali[sz]\\w*",
        ),
    ),
    Goal(
        10,
        "Reduced inequalities",
        "Reduce inequality within and among countries.",
        (
            "Progressively achieve and sustain income growth of the bottom 40 per cent of the population.",
            "Empower and promote the social, economic and political inclusion of all, irrespective of age, sex, disability, race, ethnicity, origin, religion or economic or other status.",
            "Ensure equal opportunity and reduce inequalities of outcome, including by eliminating discriminatory laws, policies and practices.",
            "Adopt policies, especially fiscal, wage and social protection policies, and progressively achieve greater equality.",
            "Facilitate orderly, safe, regular and responsible migration and mobility of people.",
        ),
        (
            "inequalit\\w*",
            "inequit\\w*",
            "equity",
            "disadvantaged",
            "marginali[sz]ed",
            "ethnic minorit\\w*",
            "disabilit\\w*",
            "deprived areas?",
            "social inclusion",
            "migrants?",
            "refugees?",
            "homeless\\w*",
            "underserved",
            "hard[- ]to[- ]reach",
        ),
    ),
    Goal(
        11,
        "Sustainable cities and communities",
        "Make cities and human settlements inclusive, safe, resilient and sustainable.",
        (
            "Ensure access for all to adequate, safe and affordable housing and basic services and upgrade slums.",
            "Provide access to safe, affordable, accessible and sustainable transport systems for all, improving road safety, notably by expanding public transport.",
            "Enhance inclusive and sustainable urbanization and capacity for participatory, integrated and sustainable human settlement planning.",
            "Reduce the adverse per capita environmental impact of cities, including air quality and waste management.",
            "Provide universal access to safe, inclusive and accessible, green and public spaces, in particular for women and children, older persons and persons with disabilities.",
        ),
        (
            "housing",
            "urban",
            "cities",
            "public transport",
            "green spaces?",
            "air quality",
            "rural communities",
            "neighbourhoods?",
            "community resilience",
        ),
    ),
    Goal(
        12,
        "Responsible consumption and production",
        "Ensure sustainable consumption and production patterns.",
        (
            "Achieve the sustainable management and efficient use of natural resources.",
            "Halve per capita global food waste and reduce food losses along production and supply chains.",
            "Achieve the environmentally sound management of chemicals and all wastes throughout their life cycle.",
            "Substantially reduce waste generation through prevention, reduction, recycling and reuse.",
            "Encourage companies to adopt sustainable practices and integrate sustainability information into their reporting cycle.",
            "Promote public procurement practices that are sustainable.",
        ),
        (
            "recycl\\w*",
            "waste reduction",
            "single-use",
            "circular economy",
            "sustainable procurement",
            "life cycle",
            "plastics?",
            "reuse",
            "medicines waste",
        ),
    ),
    Goal(
        13,
        "Climate action",
        "Take urgent action to combat climate change and its impacts.",
        (
            "Strengthen resilience and adaptive capacity to climate-related hazards and natural disasters.",
            "Integrate climate change measures into national policies, strategies and planning.",
            "Improve education, awareness-raising and human and institutional capacity on climate change mitigation, adaptation, impact reduction and early warning.",
        ),
        (
            "climate change",
            "climate",
            "carbon emissions?",
            "greenhouse",
            "net zero",
            "carbon footprint",
            "heatwaves?",
            "flooding",
            "global warming",
        ),
    ),
    Goal(
        14,
        "Life below water",
        "Conserve and sustainably use the oceans, seas and marine resources for sustainable development.",
        (
            "Prevent and significantly reduce marine pollution of all kinds, including marine debris and nutrient pollution.",
            "Sustainably manage and protect marine and coastal ecosystems.",
            "Minimize and address the impacts of ocean acidification.",
            "Effectively regulate harvesting and end overfishing, illegal, unreported and unregulated fishing.",
            "Conserve coastal and marine areas.",
        ),
        ("marine", "oceans?", "fisher(y|ies)", "coastal", "aquaculture", "seas?", "coral"),
    ),
    Goal(
        15,
        "Life on land",
        "Protect, restore and promote sustainable use of terrestrial ecosystems, sustainably manage forests, combat desertification, and halt and reverse land degradation and halt biodiversity loss.",
        (
            "Ensure the conservation, restoration and sustainable use of terrestrial and inland freshwater ecosystems, in particular forests, wetlands, mountains and drylands.",
            "Promote the sustainable management of all types of forests, halt deforestation and restore degraded forests.",
            "Combat desertification and restore degraded land and soil.",
            "Take urgent and significant action to reduce the degradation of natural habitats, halt the loss of biodiversity and protect threatened species.",
            "Prevent the introduction and reduce the impact of invasive alien species on land and water ecosystems.",
        ),
        (
            "biodiversity",
            "forests?",
            "deforestation",
            "ecosystems?",
            "wildlife",
            "species",
            "soil",
            "land use",
            "habitats?",
        ),
    ),
    Goal(
        16,
        "Peace, justice and strong institutions",
        "Promote peaceful and inclusive societies for sustainable development, provide access to justice for all and build effective, accountable and inclusive institutions at all levels.",
        (
            "Significantly reduce all forms of violence and related death rates everywhere.",
            "End abuse, exploitation, trafficking and all forms of violence against and torture of children.",
            "Promote the rule of law and ensure equal access to justice for all.",
            "Substantially reduce corruption and bribery in all their forms.",
            "Develop effective, accountable and transparent institutions at all levels.",
            "Ensure responsive, inclusive, participatory and representative decision-making at all levels.",
            "Ensure public access to information and protect fundamental freedoms.",
        ),
        (
            "violence",
            "justice",
            "crime",
            "prisons?",
            "policing",
            "safeguarding",
            "child abuse",
            "governance",
            "corruption",
            "human rights",
        ),
    ),
    Goal(
        17,
        "Partnerships for the goals",
        "Strengthen the means of implementation and revitalize the Global Partnership for Sustainable Development.",
        (
            "Enhance North-South, South-South and triangular regional and international cooperation on and access to science, technology and innovation and enhance knowledge-sharing.",
            "Promote the development, transfer, dissemination and diffusion of environmentally sound technologies.",
            "Enhance international support for implementing effective and targeted capacity-building.",
            "Enhance the global partnership for sustainable development, complemented by multi-stakeholder partnerships that mobilize and share knowledge, expertise, technology and financial resources.",
            "Encourage and promote effective public, public-private and civil society partnerships.",
            "Enhance capacity-building support to increase the availability of high-quality, timely and reliable data disaggregated by income, gender, age, race, ethnicity, migratory status and disability.",
        ),
        (
            "international (cooperation|partnerships?)",
            "capacity[- ]building",
            "knowledge exchange",
            "knowledge transfer",
            "public-private partnerships?",
            "multi-stakeholder",
        ),
    ),
)


def goal(number: int) -> Goal:
    """The goal numbered ``number``.

    Raises:
        ValueError: not 1–17.
    """
    if not 1 <= number <= len(GOALS):
        raise ValueError(f"an SDG is numbered 1 to {len(GOALS)}, got {number}")
    return GOALS[number - 1]
