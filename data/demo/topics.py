"""Topic catalogue for the fictional demo region: vocabulary only, no real people or bodies.

Each field is a tuple of phrases that ``generate.py`` slots into sentence templates, so every
phrase must read well in the places it is used:

- ``conditions``: the problem studied, a noun phrase ("unwitnessed falls at night").
- ``interventions``: what is tested or built, a noun phrase ("wrist-worn accelerometers").
- ``populations`` and ``settings``: plural noun phrases ("older inpatients", "care homes").
- ``reduce`` / ``improve``: outcomes that should go down / up.
- ``findings``: a clause that can follow "we found that" (no capital, no full stop).
- ``problems``: a clinical team's problem as a clause ("patients with delirium fall at night").
- ``needs``: the need title that answers the problem at the same position in ``problems``.
- ``products``: an SME product, singular, without an article.

Methodologist topics (``method=True``) use ``conditions`` for the analytic difficulty they
address, ``interventions`` for their methods and ``findings`` for methodological findings; their
people apply these methods to other topics.
"""

from __future__ import annotations

from dataclasses import dataclass

MED = "Faculty of Health and Medicine"
HR = "Faculty of Health Research"
COMP = "School of Computing and Communications"
ENG = "School of Engineering"
MAN = "Management School"
PSY = "Department of Psychology"
NURS = "School of Nursing and Allied Health"

FACULTIES = (MED, HR, COMP, ENG, MAN, PSY, NURS)

# Where a topic's clinical teams work: acute hospitals, mental health services, community services.
ACUTE = "acute"
MENTAL = "mental"
COMMUNITY = "community"


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    faculties: tuple[str, ...]
    specialties: tuple[str, ...]
    service: str
    sector: str
    conditions: tuple[str, ...]
    interventions: tuple[str, ...]
    populations: tuple[str, ...]
    settings: tuple[str, ...]
    reduce: tuple[str, ...]
    improve: tuple[str, ...]
    findings: tuple[str, ...]
    keywords: tuple[str, ...]
    problems: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    method: bool = False


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def topic(
    key: str,
    label: str,
    faculties: tuple[str, ...],
    specialties: str,
    service: str,
    sector: str,
    **fields: str,
) -> Topic:
    """A topic whose phrase lists are written as ``|``-separated strings."""
    method = fields.pop("method", "") == "yes"
    return Topic(
        key=key,
        label=label,
        faculties=faculties,
        specialties=_split(specialties),
        service=service,
        sector=sector,
        method=method,
        **{name: _split(value) for name, value in fields.items()},  # type: ignore[arg-type]
    )


TOPICS: tuple[Topic, ...] = (
    topic(
        "falls",
        "falls detection and prevention with wearable sensors",
        (MED, COMP, ENG, NURS),
        "Care of the Elderly|Falls Prevention Service",
        ACUTE,
        "wearables",
        conditions="inpatient falls|unwitnessed falls at night|gait instability"
        "|repeat falls after discharge|fear of falling",
        interventions="wrist-worn accelerometers|a hip-worn inertial sensor|bed-exit pressure mats"
        "|machine learning on gait signals from wearable sensors|a smart insole that tracks balance",
        populations="older inpatients|care home residents|people living with frailty"
        "|patients with delirium|adults over 75 living alone",
        settings="acute medical wards|care homes|community hospitals|rehabilitation units",
        reduce="injurious falls|falls per 1,000 occupied bed days|false alarms"
        "|time lying on the floor after a fall",
        improve="fall detection sensitivity|confidence in walking|mobility at discharge",
        findings="two thirds of falls happened within 72 hours of admission"
        "|most night-time falls followed an unassisted trip to the toilet"
        "|personalised alarm thresholds halved false alarms"
        "|gait speed measured by the sensor predicted falls better than nurse risk scores"
        "|patients wore the wrist sensor for a median of 21 hours a day",
        keywords="falls|wearable sensors|older people|gait|fall detection|accelerometry",
        problems="confused older patients fall at night when they get up without help"
        "|falls on the ward lead to hip fractures and much longer stays"
        "|bed alarms sound so often that staff have stopped trusting them"
        "|we only learn about a fall when a patient is found on the floor"
        "|frail patients take wearable sensors off within a day",
        needs="detect bed exits before a fall|prevent injurious falls on the ward"
        "|find a fall alarm that staff can trust|detect falls the moment they happen"
        "|find a wearable that frail patients will keep on",
        products="hip-worn fall detector|wearable gait monitor|bed-exit sensor pad"
        "|fall alert wristband|balance-sensing smart insole",
    ),
    topic(
        "copd",
        "remote monitoring of COPD",
        (MED, HR, COMP, NURS),
        "Respiratory Medicine",
        ACUTE,
        "remote monitoring",
        conditions="exacerbations of COPD|breathlessness in COPD|early readmission after a COPD"
        " exacerbation|poor uptake of pulmonary rehabilitation",
        interventions="home pulse oximetry with daily symptom scores|telemonitoring with a"
        " clinician dashboard|a model predicting exacerbations from home readings"
        "|remotely supervised pulmonary rehabilitation",
        populations="people with COPD|patients discharged after an exacerbation"
        "|older adults with chronic lung disease",
        settings="respiratory outpatient clinics|virtual wards|general practices"
        "|community respiratory teams",
        reduce="emergency admissions|30-day readmissions|bed days for COPD",
        improve="exacerbation-free days|CAT scores|completion of pulmonary rehabilitation",
        findings="oxygen saturation began to fall a median of three days before admission"
        "|a third of alerts came from a small group of patients with severe disease"
        "|patients who completed home rehabilitation walked 40 metres further on average"
        "|adherence to daily readings dropped after the first six weeks",
        keywords="COPD|telemonitoring|pulse oximetry|respiratory|readmissions",
        problems="patients with COPD are readmitted within weeks of going home"
        "|we cannot see the early warning signs of an exacerbation at home"
        "|half of the patients we refer never start pulmonary rehabilitation",
        needs="cut early readmissions after a COPD admission|predict COPD exacerbations at home"
        "|run pulmonary rehabilitation remotely",
        products="connected pulse oximeter|home spirometer with app"
        "|remote monitoring platform for lung disease",
    ),
    topic(
        "retina",
        "AI for diabetic retinopathy screening",
        (COMP, MED, ENG),
        "Ophthalmology|Diabetic Eye Screening",
        ACUTE,
        "diagnostics",
        conditions="diabetic retinopathy|referable diabetic eye disease|diabetic maculopathy"
        "|missed screening appointments",
        interventions="a convolutional neural network grading retinal photographs"
        "|automated triage of retinal images|federated learning across eye screening programmes"
        "|handheld fundus cameras in community clinics",
        populations="people with diabetes|adults attending diabetic eye screening"
        "|people with type 2 diabetes in deprived areas",
        settings="diabetic eye screening programmes|ophthalmology clinics|community optometry"
        " practices",
        reduce="grading workload|time to treatment|unnecessary referrals",
        improve="sensitivity for referable retinopathy|screening uptake|agreement with senior"
        " graders",
        findings="the algorithm missed no cases of proliferative retinopathy"
        "|image quality was the main cause of disagreement between software and graders"
        "|performance fell slightly in images from older cameras"
        "|automated triage could remove half of normal images from manual grading",
        keywords="diabetic retinopathy|retinal imaging|deep learning|eye screening|ophthalmology",
        problems="our graders cannot keep up with the volume of retinal photographs"
        "|patients wait months for a second grading of their images"
        "|uptake of eye screening is lowest in our poorest neighbourhoods",
        needs="automate first-pass grading of retinal photographs"
        "|clear the backlog of retinal image grading|raise eye screening uptake",
        products="retinal image grading service|handheld fundus camera"
        "|AI triage tool for eye screening",
    ),
    topic(
        "sepsis",
        "sepsis early warning scores",
        (MED, COMP, HR),
        "Emergency Department|Acute Medicine",
        ACUTE,
        "digital health",
        conditions="sepsis|unrecognised deterioration|delayed antibiotics in sepsis",
        interventions="an early warning score combined with machine learning on electronic"
        " records|continuous wireless vital sign monitoring|real-time deterioration alerts"
        "|a nurse-led sepsis screening tool",
        populations="adult emergency admissions|patients on general wards|people presenting"
        " with suspected infection",
        settings="emergency departments|acute medical units|general medical wards",
        reduce="in-hospital mortality|unplanned ICU admissions|time to antibiotics|alert fatigue",
        improve="alert precision|completion of the sepsis six bundle|recognition of deterioration",
        findings="respiratory rate was the most often missed observation"
        "|most false alerts occurred in patients with chronic lung disease"
        "|alerts preceded ICU admission by a median of eleven hours"
        "|recognition was slowest overnight and at weekends",
        keywords="sepsis|early warning score|deterioration|vital signs|electronic health records",
        problems="sepsis is recognised late in patients who look well at triage"
        "|early warning alerts fire so often that nurses have started to ignore them"
        "|observations are missed overnight when wards are short of staff",
        needs="recognise sepsis earlier at triage|reduce alert fatigue from early warning scores"
        "|monitor vital signs continuously on general wards",
        products="wireless vital signs patch|deterioration alerting system"
        "|point-of-care lactate meter",
    ),
    topic(
        "dementia",
        "dementia care in care homes",
        (HR, PSY, NURS, MED),
        "Older Adult Mental Health|Care Home Liaison",
        MENTAL,
        "social care technology",
        conditions="distress and agitation in dementia|antipsychotic prescribing in dementia"
        "|carer burden in dementia|avoidable hospital transfers from care homes",
        interventions="person-centred care planning|a music and reminiscence programme"
        "|an ambient sensor system that learns daily routines|a care home liaison model",
        populations="people living with dementia|family carers|care home staff"
        "|care home residents with advanced dementia",
        settings="care homes|memory clinics|older adult mental health wards",
        reduce="antipsychotic prescribing|unplanned hospital transfers|carer strain",
        improve="quality of life in dementia|staff confidence|time spent in meaningful activity",
        findings="agitation peaked in the late afternoon and around staff handovers"
        "|families valued regular video contact more than staff expected"
        "|sensor data flagged urinary infections several days before staff noticed"
        "|prescribing fell most in homes with a named dementia champion",
        keywords="dementia|care homes|agitation|carers|older people",
        problems="people with dementia become very distressed when they are admitted to hospital"
        "|family carers reach crisis before anyone offers them support"
        "|care home residents are sent to hospital at night for problems we could manage",
        needs="reduce distress for people with dementia on admission"
        "|support family carers before they reach crisis"
        "|avoid night-time hospital transfers from care homes",
        products="reminiscence tablet app|ambient monitoring system for dementia care"
        "|carer support platform",
    ),
    topic(
        "perinatal",
        "perinatal mental health",
        (PSY, HR, NURS),
        "Perinatal Mental Health",
        MENTAL,
        "digital health",
        conditions="postnatal depression|anxiety in pregnancy|birth trauma"
        "|difficulties in mother-infant bonding",
        interventions="guided digital cognitive behavioural therapy|routine screening with the"
        " Edinburgh Postnatal Depression Scale|peer support groups run by trained volunteers"
        "|a midwife-delivered listening visits programme",
        populations="pregnant women|new mothers|parents in the first postnatal year"
        "|women from deprived areas",
        settings="maternity services|health visiting teams|specialist perinatal mental health"
        " teams",
        reduce="depressive symptoms|waiting times for psychological therapy|disengagement from"
        " care",
        improve="uptake of treatment|mother-infant bonding|detection of anxiety",
        findings="fathers and partners were rarely asked about their own mental health"
        "|women from minority ethnic groups were less likely to be referred"
        "|most women preferred to be screened at home rather than at clinic"
        "|engagement with the digital programme was highest in the evenings",
        keywords="perinatal mental health|postnatal depression|maternity|digital therapy|pregnancy",
        problems="women with postnatal depression wait far too long for psychological therapy"
        "|midwives lack tools to identify anxiety early in pregnancy"
        "|mothers from some communities rarely take up referrals",
        needs="shorten waits for perinatal psychological therapy"
        "|identify anxiety early in pregnancy|reach mothers who do not take up referrals",
        products="mood tracking app for new parents|digital CBT programme for pregnancy"
        "|video peer support service",
    ),
    topic(
        "virtualward",
        "health economics of virtual wards",
        (MAN, HR, MED),
        "Virtual Ward|Acute Medicine",
        ACUTE,
        "remote monitoring",
        conditions="pressure on acute beds|delayed discharge of medically fit patients"
        "|uncertain value of hospital at home",
        interventions="a virtual ward with remote monitoring|hospital at home led by"
        " geriatricians|early supported discharge with telemonitoring"
        "|a step-up virtual ward for admission avoidance",
        populations="frail older adults|patients with heart failure|people with acute"
        " respiratory infection",
        settings="hospital at home services|acute trusts|integrated care systems",
        reduce="bed days|readmission within 30 days|cost per episode",
        improve="cost per QALY gained|patient experience|staff capacity",
        findings="most savings came from a small group of patients who would otherwise have"
        " stayed over two weeks|staff costs outweighed technology costs by four to one"
        "|occupancy below 70 percent made the ward more expensive than inpatient care"
        "|patients valued sleeping in their own beds above every other aspect",
        keywords="virtual wards|health economics|hospital at home|cost-effectiveness"
        "|remote monitoring",
        problems="we need evidence that our virtual ward saves bed days to keep its funding"
        "|commissioners keep asking for the cost per patient of hospital at home"
        "|our virtual ward beds sit half empty while the wards are full",
        needs="show whether our virtual ward saves bed days"
        "|work out the cost per patient of hospital at home|fill empty virtual ward beds",
        products="virtual ward monitoring platform|care coordination platform for hospital at"
        " home|remote observation kit",
    ),
    topic(
        "nlp",
        "natural language processing of clinical notes",
        (COMP, HR),
        "Clinical Informatics|Clinical Coding",
        ACUTE,
        "digital health",
        conditions="unstructured free-text clinical notes|slow and inconsistent clinical coding"
        "|risk information buried in clinic letters",
        interventions="transformer language models fine-tuned on clinic letters"
        "|named entity recognition for medications and symptoms|automated de-identification of"
        " free text|weakly supervised text classification",
        populations="adult hospital patients|mental health service users|patients in primary care",
        settings="electronic patient record systems|clinical coding departments|mental health"
        " trusts",
        reduce="coding errors|clinician time spent on documentation|identifiable text left in"
        " research extracts",
        improve="F1 score for symptom extraction|coding completeness|case-finding recall",
        findings="negation and family history were the commonest sources of error"
        "|a model trained at one trust lost accuracy on letters from another"
        "|abbreviations varied widely between specialties"
        "|clinicians accepted most suggested codes without change",
        keywords="natural language processing|clinical notes|machine learning|electronic"
        " health records|text mining",
        problems="clinical coders spend hours reading discharge letters"
        "|important risk information is buried in free-text notes"
        "|we cannot share our notes with researchers because they contain names",
        needs="extract diagnoses from free-text discharge letters"
        "|flag risk information hidden in notes|de-identify clinical notes for research",
        products="clinical text de-identification service|automated clinical coding assistant"
        "|clinical letter summarisation tool",
    ),
    topic(
        "rehab",
        "robotics for stroke rehabilitation",
        (ENG, MED, NURS),
        "Stroke Medicine|Neurorehabilitation",
        ACUTE,
        "medtech",
        conditions="upper limb weakness after stroke|loss of walking ability after stroke"
        "|low therapy intensity after stroke",
        interventions="robot-assisted arm therapy|a lower-limb exoskeleton"
        "|virtual reality exergames|functional electrical stimulation|a sensor glove for"
        " hand therapy",
        populations="stroke survivors|people with hemiparesis|patients on stroke units",
        settings="stroke units|community rehabilitation teams|neurorehabilitation centres",
        reduce="dependence in daily activities|length of stay on the stroke unit",
        improve="Fugl-Meyer upper limb scores|walking speed|therapy minutes per day",
        findings="patients practised three times more repetitions with the robot than with a"
        " therapist alone|gains were largest in people treated within three months of stroke"
        "|most patients kept using the glove at home after discharge"
        "|therapists spent less time setting up the device after the first week",
        keywords="stroke|rehabilitation|robotics|upper limb|virtual reality",
        problems="stroke patients receive far less therapy than the guidelines recommend"
        "|patients lose arm function after they leave the stroke unit"
        "|we have no way to give intensive therapy at weekends",
        needs="increase therapy time after stroke|continue arm rehabilitation at home"
        "|offer intensive therapy at weekends with a robot",
        products="home rehabilitation robot|sensor glove for hand therapy"
        "|VR rehabilitation headset",
    ),
    topic(
        "amr",
        "antimicrobial resistance and antibiotic stewardship",
        (MED, HR, COMP),
        "Microbiology and Infection|Antimicrobial Stewardship",
        ACUTE,
        "diagnostics",
        conditions="unnecessary antibiotic prescribing|urinary tract infection"
        "|antimicrobial resistance|prolonged broad-spectrum antibiotic courses",
        interventions="a point-of-care urine test|audit and feedback on prescribing"
        "|computerised prescribing decision support|procalcitonin-guided stopping rules",
        populations="adults in primary care|hospital inpatients|care home residents with"
        " suspected infection",
        settings="general practices|acute hospitals|care homes",
        reduce="antibiotic prescriptions|days of antibiotic therapy"
        "|Clostridioides difficile infections|resistant infections",
        improve="appropriate prescribing|time to de-escalation",
        findings="a third of care home residents treated for urinary infection had no urinary"
        " symptoms|prescribing varied fourfold between similar practices"
        "|most courses were longer than local guidance recommended"
        "|junior doctors were reluctant to stop antibiotics started by seniors",
        keywords="antimicrobial resistance|antibiotics|stewardship|infection|diagnostics",
        problems="care home residents are given antibiotics for urinary infections without"
        " testing|broad-spectrum antibiotics are continued for too long on our wards"
        "|we cannot feed back prescribing data to each team quickly",
        needs="reduce antibiotic use for suspected urinary infections"
        "|shorten broad-spectrum antibiotic courses|give teams feedback on their prescribing",
        products="rapid urine diagnostic test|antibiotic prescribing dashboard"
        "|bedside infection marker test",
    ),
    topic(
        "socialrx",
        "social prescribing and loneliness",
        (HR, MAN, PSY),
        "Primary Care|Community Link Working",
        COMMUNITY,
        "social care technology",
        conditions="loneliness|frequent attendance at general practice|social isolation",
        interventions="social prescribing through link workers|community asset mapping"
        "|a befriending service|group activities run by voluntary organisations",
        populations="lonely older adults|people with long-term conditions|frequent attenders in"
        " general practice",
        settings="general practices|voluntary sector organisations|community centres",
        reduce="GP consultations|loneliness scores|emergency department visits",
        improve="wellbeing scores|uptake of community activities|social contact",
        findings="people referred for bereavement benefited most"
        "|link workers spent a third of their time finding activities that still existed"
        "|uptake was lowest among men living alone"
        "|benefits were largest in the first three months and faded by a year",
        keywords="social prescribing|loneliness|community|wellbeing|link workers",
        problems="link workers cannot show commissioners the difference social prescribing"
        " makes|lonely older people keep returning to the GP|we do not know which community"
        " groups are still running",
        needs="measure the impact of social prescribing"
        "|support lonely older people who keep returning to the GP"
        "|keep an up-to-date list of community activities",
        products="social prescribing referral platform|community activity directory app"
        "|befriending call scheduling service",
    ),
    topic(
        "frailty",
        "frailty in older people",
        (MED, NURS, HR),
        "Care of the Elderly|Frailty Assessment Unit",
        ACUTE,
        "remote monitoring",
        conditions="frailty|deconditioning in hospital|polypharmacy"
        "|delayed discharge of frail patients",
        interventions="comprehensive geriatric assessment at the front door|the electronic"
        " frailty index|structured deprescribing reviews|home activity monitoring after"
        " discharge",
        populations="frail older adults|older people with multimorbidity|older emergency"
        " admissions",
        settings="acute frailty units|general practices|community services",
        reduce="length of stay|number of medicines|functional decline in hospital",
        improve="discharge to usual residence|mobility at discharge|days at home",
        findings="frailty scores recorded at the front door predicted length of stay"
        "|patients lost mobility within three days of bed rest"
        "|a fifth of medicines were stopped without harm at review"
        "|activity levels at home fell a week before many readmissions",
        keywords="frailty|older people|polypharmacy|geriatric assessment|deconditioning",
        problems="frail older people lose mobility while they wait in hospital for discharge"
        "|we cannot identify frailty quickly at the front door"
        "|patients arrive on ten or more medicines that nobody has reviewed",
        needs="prevent deconditioning while patients wait for discharge"
        "|identify frailty at the front door|review medicines for frail older patients",
        products="frailty screening app|home activity monitoring kit for older adults"
        "|medicines review tool",
    ),
    topic(
        "cancer",
        "early diagnosis and cancer pathways",
        (MED, HR, MAN),
        "Oncology|Rapid Diagnostic Centre",
        ACUTE,
        "diagnostics",
        conditions="late diagnosis of cancer|long waits on urgent suspected cancer pathways"
        "|low uptake of lung cancer screening",
        interventions="risk prediction models in primary care|a rapid diagnostic centre for"
        " vague symptoms|low-dose CT lung screening in mobile units|a multi-cancer blood test",
        populations="people with suspected cancer|adults eligible for lung screening"
        "|patients referred on urgent cancer pathways",
        settings="rapid diagnostic centres|general practices|oncology services",
        reduce="time to diagnosis|late-stage diagnosis|missed diagnostic tests",
        improve="screening uptake|conversion rate of urgent referrals|patient experience of"
        " the pathway",
        findings="weight loss and raised platelets together carried a high positive predictive"
        " value|uptake was lowest among current smokers|a quarter of delays came from waiting"
        " for imaging reports|patients valued a single named contact more than speed",
        keywords="cancer|early diagnosis|screening|cancer pathways|primary care",
        problems="too many patients wait beyond the 28-day faster diagnosis standard"
        "|uptake of lung screening is low in our most deprived areas"
        "|patients with vague symptoms are bounced between clinics",
        needs="meet the 28-day faster diagnosis standard|raise lung screening uptake"
        "|speed up diagnosis for patients with vague symptoms",
        products="multi-cancer blood test|AI triage for suspected cancer referrals"
        "|cancer pathway tracking tool",
    ),
    topic(
        "asthma",
        "paediatric asthma",
        (MED, HR, NURS),
        "Paediatrics|Paediatric Respiratory",
        ACUTE,
        "digital health",
        conditions="asthma attacks|poor inhaler technique|air pollution and"
        " childhood asthma|missed preventer doses",
        interventions="smart inhalers that record each dose|school-based asthma education"
        "|personalised asthma action plans on a phone|nurse-led follow-up after an attack",
        populations="children with asthma|families of children with asthma|adolescents with asthma",
        settings="paediatric emergency departments|schools|general practices",
        reduce="asthma attacks|school days missed|emergency visits",
        improve="preventer inhaler adherence|inhaler technique|asthma control scores",
        findings="adherence fell sharply at weekends and in school holidays"
        "|most children who attended with an attack had no written action plan"
        "|attacks clustered in the weeks after schools returned in September"
        "|parents overestimated how often preventers were taken",
        keywords="asthma|children|inhalers|adherence|air pollution",
        problems="children keep coming back to the emergency department with asthma attacks"
        "|families struggle with inhaler technique at home"
        "|we never hear whether preventer inhalers are actually taken",
        needs="prevent repeat asthma attacks in children|improve inhaler technique at home"
        "|check preventer inhaler use at home",
        products="smart inhaler sensor|asthma action plan app for families"
        "|inhaler technique coaching app",
    ),
    topic(
        "mhapps",
        "digital mental health apps",
        (PSY, COMP, HR),
        "Community Mental Health|Talking Therapies",
        MENTAL,
        "digital health",
        conditions="anxiety and depression|deterioration while waiting for therapy"
        "|self-harm|dropout from digital interventions",
        interventions="a guided self-help smartphone app|ecological momentary assessment"
        "|an app co-designed with service users|text-message support between sessions",
        populations="young people|adults waiting for talking therapies|university students"
        "|people with severe mental illness",
        settings="community mental health teams|NHS talking therapies services|schools and"
        " colleges",
        reduce="symptoms of anxiety|deterioration on the waiting list|missed appointments",
        improve="app engagement|recovery rates|time to first contact",
        findings="most users stopped opening the app after two weeks"
        "|short daily check-ins were kept up longer than full modules"
        "|young people wanted to choose when clinicians could see their data"
        "|engagement doubled when a named practitioner sent a weekly message",
        keywords="mental health|apps|young people|digital interventions|anxiety",
        problems="people deteriorate while they wait months for psychological therapy"
        "|young people do not keep using the apps we recommend"
        "|we cannot tell which patients on the waiting list are getting worse",
        needs="support patients while they wait for therapy|keep young people engaged with"
        " digital support|monitor the waiting list for deterioration",
        products="mental health self-help app|mood monitoring platform for clinicians"
        "|waiting list check-in service",
    ),
    topic(
        "workforce",
        "NHS workforce wellbeing and retention",
        (MAN, PSY, HR),
        "Workforce and Organisational Development|Nursing Directorate",
        ACUTE,
        "digital health",
        conditions="burnout|turnover of newly qualified staff|fatigue on night"
        " shifts|sickness absence among ward staff",
        interventions="self-rostering|team-based reflective practice sessions"
        "|a preceptorship programme for new nurses|rota optimisation that limits consecutive"
        " nights",
        populations="nurses|resident doctors|healthcare support workers|allied health"
        " professionals",
        settings="acute trusts|community services|mental health trusts",
        reduce="staff turnover|sickness absence|burnout scores|agency spend",
        improve="intention to stay|job satisfaction|rota fairness",
        findings="turnover was highest in the second year after qualification"
        "|staff valued predictable rotas more than extra pay"
        "|teams with stable managers had half the sickness absence"
        "|breaks were missed on most night shifts",
        keywords="workforce|burnout|retention|wellbeing|rostering",
        problems="we lose newly qualified nurses within their first two years"
        "|sickness absence among ward staff keeps rising"
        "|staff on night shifts rarely get their breaks",
        needs="keep newly qualified nurses|reduce sickness absence on wards"
        "|make sure night staff get their breaks",
        products="staff wellbeing platform|fatigue-aware rostering tool"
        "|exit interview analytics tool",
    ),
    topic(
        "supply",
        "hospital supply chains and theatre scheduling",
        (MAN, ENG, COMP),
        "Theatres and Procurement|Surgical Services",
        ACUTE,
        "medtech",
        conditions="stock-outs of surgical consumables|cancelled operations|waste from expired"
        " stock|idle theatre time",
        interventions="RFID tracking of instrument trays|demand forecasting for consumables"
        "|discrete event simulation of theatre lists|lean redesign of sterile services",
        populations="theatre teams|procurement staff|patients on surgical waiting lists",
        settings="operating theatres|sterile services departments|hospital stores",
        reduce="cancelled operations|stock-outs|expired stock written off|late theatre starts",
        improve="theatre utilisation|instrument tray availability",
        findings="a fifth of cancellations were caused by missing instruments"
        "|ordering was driven by habit rather than usage data"
        "|late starts were linked to the first patient not being ready"
        "|most expired stock came from rarely used specialist items",
        keywords="supply chain|operations research|theatre scheduling|procurement|logistics",
        problems="operations are cancelled because instrument trays are not ready"
        "|we throw away expired consumables every month"
        "|theatre lists start late most mornings",
        needs="stop cancellations caused by missing instruments|cut waste of expired stock"
        "|start theatre lists on time",
        products="RFID tracking system for surgical instruments|inventory forecasting system"
        "|theatre scheduling tool",
    ),
    topic(
        "imaging",
        "medical image segmentation",
        (COMP, ENG, MED),
        "Radiology|Clinical Oncology",
        ACUTE,
        "diagnostics",
        conditions="radiology reporting backlogs|slow manual contouring for radiotherapy"
        "|missed findings on chest X-rays",
        interventions="deep learning segmentation networks|self-supervised pretraining on"
        " unlabelled scans|uncertainty estimation for segmentation|AI triage of chest X-rays",
        populations="patients undergoing CT|people with suspected lung cancer|patients"
        " receiving radiotherapy",
        settings="radiology departments|cancer centres|emergency departments",
        reduce="reporting turnaround time|contouring time|missed findings",
        improve="Dice coefficient|agreement with consultant radiologists|detection rate",
        findings="the network struggled most with organs next to metal implants"
        "|uncertainty maps flagged most of the contours that needed editing"
        "|performance held up on scans from a second hospital"
        "|radiologists edited fewer than one in five automatic contours",
        keywords="medical imaging|segmentation|deep learning|radiology|radiotherapy",
        problems="chest X-rays wait days for a report|radiotherapy contouring takes"
        " consultants hours per patient|urgent findings are buried in long reporting lists",
        needs="shorten chest X-ray reporting times|speed up radiotherapy contouring"
        "|prioritise urgent scans in the reporting list",
        products="AI chest X-ray triage tool|automatic contouring tool|scan prioritisation tool",
    ),
    topic(
        "diabetes",
        "type 2 diabetes and diabetic foot disease",
        (MED, HR, PSY, NURS),
        "Diabetes and Endocrinology|Podiatry",
        ACUTE,
        "remote monitoring",
        conditions="poor glycaemic control|diabetic foot ulcers|non-attendance at diabetes"
        " education",
        interventions="continuous glucose monitoring|a low-calorie diet programme"
        "|thermal imaging of the feet at home|behaviour change coaching by phone",
        populations="adults with type 2 diabetes|people with diabetic foot disease|South Asian"
        " communities",
        settings="general practices|diabetes clinics|podiatry services",
        reduce="HbA1c|amputations|foot ulcer recurrence",
        improve="time in range|remission at one year|attendance at education",
        findings="temperature differences between feet appeared a week before ulcers"
        "|remission was most likely within six years of diagnosis"
        "|attendance doubled when sessions were held in community venues"
        "|most hypoglycaemia was found overnight",
        keywords="diabetes|glucose monitoring|foot ulcers|self-management|remission",
        problems="foot ulcers are found too late and end in amputations"
        "|patients do not attend structured diabetes education"
        "|we cannot review glucose data between appointments",
        needs="catch diabetic foot ulcers earlier|get patients to attend diabetes education"
        "|review glucose data remotely",
        products="continuous glucose monitor|smart insole for foot ulcer prevention"
        "|diabetes coaching app",
    ),
    topic(
        "cardiac",
        "heart failure and cardiac rehabilitation",
        (MED, ENG, HR),
        "Cardiology|Heart Failure Service",
        ACUTE,
        "remote monitoring",
        conditions="decompensated heart failure|undetected atrial fibrillation|low uptake of"
        " cardiac rehabilitation",
        interventions="remote monitoring of weight and symptoms|single-lead ECG patches"
        "|home-based cardiac rehabilitation with an app|nurse-led titration clinics",
        populations="people with heart failure|older adults at risk of stroke|patients after"
        " myocardial infarction",
        settings="cardiology outpatient clinics|community heart failure services|cardiac"
        " rehabilitation programmes",
        reduce="heart failure admissions|time to diagnosis of atrial fibrillation",
        improve="uptake of cardiac rehabilitation|blood pressure control|detection of atrial"
        " fibrillation",
        findings="weight gain preceded most admissions by about five days"
        "|women were referred to rehabilitation less often than men"
        "|a fortnight of patch monitoring found atrial fibrillation in one in twelve"
        "|home rehabilitation was chosen mainly by people still working",
        keywords="heart failure|cardiology|ECG|cardiac rehabilitation|atrial fibrillation",
        problems="heart failure patients are admitted with fluid overload we could have spotted"
        " earlier|few patients complete cardiac rehabilitation|atrial fibrillation is found"
        " only after a stroke",
        needs="spot fluid overload before admission|increase cardiac rehabilitation"
        " completion|find atrial fibrillation before a stroke",
        products="ECG patch|connected weighing scales for heart failure"
        "|home cardiac rehabilitation app",
    ),
    topic(
        "homecare",
        "technology-enabled social care",
        (HR, MAN, ENG),
        "Adult Social Care|Reablement",
        COMMUNITY,
        "social care technology",
        conditions="delayed discharge to home care|unmet care needs at home|carer strain"
        "|loss of independence after illness",
        interventions="ambient activity sensors in the home|care visit scheduling software"
        "|proactive telecare|short-term reablement",
        populations="older people receiving home care|unpaid carers|care workers",
        settings="Health and Social Care Partnerships|home care agencies|local authority care services",
        reduce="delayed discharges|missed care visits|carer strain",
        improve="independence at six weeks|carer wellbeing|visits per care worker per day",
        findings="travel time took up a third of each care worker's shift"
        "|sensor data showed night-time wandering that families had not reported"
        "|two thirds of people needed less care after reablement"
        "|telecare alarms were mostly triggered after a fall rather than before",
        keywords="social care|telecare|independent living|home care|reablement",
        problems="patients wait in hospital for a home care package"
        "|telecare alarms only tell us after something has gone wrong"
        "|care workers spend more time driving than caring",
        needs="get people home from hospital without waiting for care|use sensors to spot"
        " problems at home early|cut travel time between care visits",
        products="ambient activity sensor kit|care visit scheduling app|proactive telecare hub",
    ),
    topic(
        "pain",
        "chronic pain and opioid prescribing",
        (MED, PSY, HR),
        "Pain Management",
        ACUTE,
        "digital health",
        conditions="chronic pain|long-term high-dose opioid use|persistent low back pain",
        interventions="acceptance and commitment therapy|supported opioid tapering"
        "|physiotherapy-led self-management|a digital pain diary shared with clinicians",
        populations="adults with chronic pain|people on long-term opioids|patients with low"
        " back pain",
        settings="pain clinics|general practices|community physiotherapy services",
        reduce="opioid dose|pain interference|waiting time for pain services",
        improve="return to work|pain self-efficacy|quality of life",
        findings="tapering was more successful when agreed with the patient's own GP"
        "|pain interference improved even when pain intensity did not"
        "|patients with depression dropped out more often"
        "|most patients had never been offered an alternative to opioids",
        keywords="chronic pain|opioids|self-management|physiotherapy|pain",
        problems="many patients stay on high-dose opioids with little benefit"
        "|the pain clinic waiting list is over a year"
        "|patients do not keep up exercises after discharge from physiotherapy",
        needs="help patients reduce long-term opioids|support patients on the pain clinic"
        " waiting list|keep patients exercising after physiotherapy",
        products="pain self-management app|wearable TENS device|opioid tapering support tool",
    ),
    topic(
        "genomics",
        "genomic medicine and rare disease",
        (MED, COMP, HR),
        "Clinical Genetics",
        ACUTE,
        "diagnostics",
        conditions="undiagnosed rare disease|adverse drug reactions with a genetic cause"
        "|inherited cancer risk",
        interventions="rapid whole genome sequencing|automated variant interpretation"
        "|pre-emptive pharmacogenomic testing|polygenic risk scores",
        populations="children with suspected rare disease|patients starting new medicines"
        "|families with inherited cancer risk",
        settings="clinical genetics services|genomic laboratories|paediatric intensive care units",
        reduce="time to diagnosis|adverse drug reactions|laboratory turnaround time",
        improve="diagnostic yield|uptake of cascade testing",
        findings="a diagnosis changed management in a third of children"
        "|most variants of uncertain significance were never reclassified"
        "|nine in ten patients carried at least one actionable pharmacogenomic variant"
        "|relatives were rarely told about their own risk",
        keywords="genomics|rare disease|sequencing|pharmacogenomics|variant interpretation",
        problems="families wait years for a diagnosis of a rare condition"
        "|adverse drug reactions could be avoided with pharmacogenomic testing"
        "|relatives of patients with inherited cancer genes are never tested",
        needs="shorten the diagnostic odyssey for rare disease|bring pharmacogenomic testing"
        " into prescribing|reach relatives for cascade testing",
        products="variant interpretation platform|point-of-care pharmacogenomic test"
        "|family communication tool for genetic results",
    ),
    topic(
        "surgery",
        "surgical recovery and prehabilitation",
        (MED, NURS, ENG),
        "General Surgery|Pre-operative Assessment",
        ACUTE,
        "medtech",
        conditions="poor fitness before major surgery|surgical site infection after"
        " discharge|slow recovery of mobility after surgery",
        interventions="exercise prehabilitation before surgery|remote wound monitoring with"
        " smartphone photographs|wearable activity trackers after surgery|enhanced recovery"
        " pathways",
        populations="patients awaiting major abdominal surgery|older surgical patients"
        "|people after hip replacement",
        settings="surgical wards|pre-operative assessment clinics|day surgery units",
        reduce="post-operative complications|length of stay|surgical site infections",
        improve="recovery of mobility|fitness before surgery|step counts after discharge",
        findings="step counts on the second day predicted readmission"
        "|most wound infections appeared after discharge"
        "|patients fitted prehabilitation around work better when it was home-based"
        "|photographs were good enough to rule out infection in most cases",
        keywords="surgery|prehabilitation|recovery|wound infection|enhanced recovery",
        problems="patients arrive for major surgery unfit and stay longer than planned"
        "|wound infections are picked up late after discharge"
        "|patients stay in bed on the first day after surgery",
        needs="get patients fitter before major surgery|detect wound infection after"
        " discharge|mobilise patients sooner after surgery",
        products="remote wound imaging app|prehabilitation exercise platform"
        "|post-operative activity tracker",
    ),
    topic(
        "ed",
        "emergency department crowding and patient flow",
        (MAN, MED, COMP),
        "Emergency Department|Urgent Care",
        ACUTE,
        "digital health",
        conditions="emergency department crowding|ambulance handover delays|long waits for a"
        " bed|frequent attendance",
        interventions="queueing models of patient flow|attendance forecasting with machine"
        " learning|streaming at the front door|process mining of patient journeys",
        populations="emergency department attenders|ambulance patients|older emergency patients",
        settings="emergency departments|ambulance services|urgent treatment centres",
        reduce="time in department|handover delays|twelve-hour waits|patients leaving"
        " without being seen",
        improve="forecast accuracy|flow to same day emergency care",
        findings="attendances could be forecast a week ahead within ten percent"
        "|most long waits were caused by a lack of beds rather than ED staffing"
        "|one in five attenders could have been streamed to primary care"
        "|Monday surges were predictable from Friday discharges",
        keywords="emergency department|patient flow|forecasting|crowding|urgent care",
        problems="ambulances queue outside the department for hours"
        "|we cannot predict surges in attendances"
        "|older patients wait overnight on trolleys for a bed",
        needs="reduce ambulance handover delays|forecast surges in emergency attendances"
        "|find beds faster for older patients on trolleys",
        products="patient flow forecasting dashboard|digital triage kiosk|bed management system",
    ),
    topic(
        "maternity",
        "maternity safety and fetal monitoring",
        (MED, NURS, HR),
        "Maternity|Labour Ward",
        ACUTE,
        "medtech",
        conditions="postpartum haemorrhage|misread fetal heart rate traces|stillbirth"
        "|unexpected admission of babies to neonatal care",
        interventions="computerised CTG interpretation|quantitative measurement of blood loss"
        "|multi-professional simulation training|wireless fetal monitoring",
        populations="women in labour|pregnant women|midwives and obstetricians",
        settings="labour wards|midwife-led units|community midwifery teams",
        reduce="severe postpartum haemorrhage|stillbirth rates|unexpected neonatal admissions",
        improve="agreement on CTG classification|mobility in labour|escalation of concerns",
        findings="estimated blood loss was lower than measured loss in most births"
        "|CTG interpretation differed most at night|women valued being able to move with"
        " wireless monitors|most escalation delays happened at shift handover",
        keywords="maternity|labour|fetal monitoring|midwifery|postpartum haemorrhage",
        problems="fetal heart rate traces are interpreted differently across shifts"
        "|postpartum haemorrhage is estimated by eye rather than measured"
        "|women on continuous monitoring cannot move around in labour",
        needs="make CTG interpretation consistent|measure blood loss accurately after birth"
        "|let women move freely during fetal monitoring",
        products="wireless fetal monitor|blood loss measurement device|CTG decision support system",
    ),
    topic(
        "psychosis",
        "early intervention in psychosis",
        (PSY, MED, HR),
        "Early Intervention in Psychosis",
        MENTAL,
        "digital health",
        conditions="relapse in psychosis|poor physical health in severe mental illness"
        "|unemployment after first episode psychosis",
        interventions="individual placement and support|smartphone relapse signatures"
        "|family intervention|a physical health check pathway",
        populations="young people with first episode psychosis|people with schizophrenia"
        "|families of service users",
        settings="early intervention services|community mental health teams|inpatient mental"
        " health units",
        reduce="relapse|readmission|cardiometabolic risk",
        improve="employment|completion of physical health checks|family wellbeing",
        findings="sleep disruption preceded most relapses by about two weeks"
        "|weight gain began within months of starting antipsychotics"
        "|half of service users wanted help to find work"
        "|families were rarely offered structured support",
        keywords="psychosis|relapse|severe mental illness|early intervention|physical health",
        problems="service users relapse without warning after discharge"
        "|physical health checks are missed for people with psychosis"
        "|young people lose their jobs or college places after a first episode",
        needs="detect early signs of relapse|complete physical health checks in psychosis"
        "|help young people with psychosis back into work",
        products="relapse early warning app|physical health check tool for mental health"
        " teams|employment support platform",
    ),
    topic(
        "alcohol",
        "alcohol-related liver disease",
        (HR, PSY, MED),
        "Gastroenterology and Hepatology|Alcohol Care Team",
        ACUTE,
        "digital health",
        conditions="alcohol-related liver disease|late detection of liver fibrosis"
        "|repeated alcohol-related admissions",
        interventions="transient elastography in community settings|brief motivational"
        " interventions|an alcohol care team|linkage of hospital and addiction service records",
        populations="hazardous drinkers|people with alcohol-related liver disease|emergency"
        " attenders who drink heavily",
        settings="hospital alcohol care teams|general practices|community addiction services",
        reduce="alcohol-related admissions|units drunk per week|liver deaths",
        improve="fibrosis detected early|engagement with addiction services",
        findings="most people with cirrhosis had seen their GP in the year before diagnosis"
        "|a small group of patients accounted for most alcohol-related bed days"
        "|community scanning found advanced fibrosis in one in eight drinkers tested"
        "|engagement was higher when the first appointment was offered on the ward",
        keywords="alcohol|liver disease|brief intervention|fibrosis|addiction",
        problems="liver disease is found only when patients are admitted with decompensation"
        "|frequent attenders with alcohol problems cycle through the emergency department"
        "|patients are lost between hospital and addiction services",
        needs="find liver fibrosis before decompensation|break the cycle of alcohol-related"
        " admissions|link hospital and addiction services",
        products="portable liver stiffness scanner|alcohol reduction app"
        "|referral tracking tool for addiction services",
    ),
    topic(
        "wound",
        "pressure ulcers and wound care",
        (NURS, ENG, MED),
        "Tissue Viability|District Nursing",
        COMMUNITY,
        "medtech",
        conditions="pressure ulcers|chronic venous leg ulcers|slow-healing wounds",
        interventions="pressure-mapping mattresses|sub-epidermal moisture scanning"
        "|digital wound photography with automatic measurement|compression therapy clinics",
        populations="immobile inpatients|older people in care homes|people with venous leg ulcers",
        settings="hospital wards|district nursing teams|care homes",
        reduce="pressure ulcer incidence|healing time|nursing time on dressings",
        improve="healing at twelve weeks|accuracy of wound measurement",
        findings="moisture readings rose days before visible skin damage"
        "|manual wound measurements varied by up to forty percent between nurses"
        "|most leg ulcers had never had a vascular assessment"
        "|heel ulcers were the commonest in orthopaedic patients",
        keywords="pressure ulcers|wound care|tissue viability|leg ulcers|nursing",
        problems="pressure ulcers develop before we notice any skin damage"
        "|district nurses spend hours on leg ulcer dressings"
        "|wound measurements differ depending on which nurse takes them",
        needs="detect pressure damage before it shows|speed up leg ulcer healing"
        "|measure wounds consistently",
        products="sub-epidermal moisture scanner|smart pressure-redistributing mattress"
        "|wound measurement app",
    ),
    topic(
        "kidney",
        "acute kidney injury and chronic kidney disease",
        (MED, COMP, HR),
        "Renal Medicine",
        ACUTE,
        "diagnostics",
        conditions="acute kidney injury|progression of chronic kidney disease|low uptake of"
        " home dialysis",
        interventions="electronic alerts for acute kidney injury|risk prediction from routine"
        " blood tests|home haemodialysis training|a care bundle for kidney injury",
        populations="people with chronic kidney disease|hospital inpatients at risk of kidney"
        " injury|dialysis patients",
        settings="renal units|general practices|surgical wards",
        reduce="progression to dialysis|hospital mortality|unrecognised kidney injury",
        improve="uptake of home dialysis|completion of the kidney injury care bundle",
        findings="most kidney injury began in the community before admission"
        "|alerts were acknowledged less often on surgical wards"
        "|patients chose home dialysis more often after peer visits"
        "|medication review was the bundle element most often missed",
        keywords="kidney disease|acute kidney injury|dialysis|renal|electronic alerts",
        problems="acute kidney injury alerts are missed on surgical wards"
        "|few patients choose home dialysis"
        "|kidney function is not rechecked after discharge",
        needs="act on acute kidney injury alerts|increase uptake of home dialysis"
        "|follow up kidney function after discharge",
        products="home dialysis monitoring system|home urine test for kidney function"
        "|kidney injury alerting system",
    ),
    topic(
        "nutrition",
        "malnutrition and dysphagia",
        (NURS, MED, HR),
        "Dietetics|Speech and Language Therapy",
        ACUTE,
        "digital health",
        conditions="hospital malnutrition|poor food intake|dysphagia after stroke",
        interventions="digital food intake recording|photo-based meal assessment|nutrition"
        " screening with the MUST tool|texture-modified diets",
        populations="older inpatients|people with dysphagia after stroke|care home residents",
        settings="hospital wards|care homes|community dietetics services",
        reduce="weight loss in hospital|aspiration pneumonia|delays to swallow assessment",
        improve="energy intake|completion of nutrition screening",
        findings="a third of meals came back more than half eaten"
        "|patients ate least at lunchtime when ward rounds were busiest"
        "|screening was completed for fewer than half of admissions"
        "|photographs estimated intake as well as weighed plates",
        keywords="malnutrition|nutrition|dysphagia|older people|food intake",
        problems="we do not know how much patients actually eat on the ward"
        "|patients with swallowing problems wait days for assessment"
        "|nutrition screening is often left incomplete",
        needs="measure what patients eat on the ward|speed up swallow assessments"
        "|complete nutrition screening on admission",
        products="meal photo intake tracker|swallowing assessment device|nutrition screening app",
    ),
    topic(
        "sleep",
        "sleep apnoea and sleep in hospital",
        (PSY, ENG, MED),
        "Sleep Medicine|Respiratory Medicine",
        ACUTE,
        "wearables",
        conditions="obstructive sleep apnoea|insomnia|poor sleep on hospital wards",
        interventions="home sleep testing with a wearable|digital CBT for insomnia"
        "|wearable sleep tracking|noise and light monitoring on wards",
        populations="adults with suspected sleep apnoea|hospital inpatients|shift workers",
        settings="sleep clinics|hospital wards|general practices",
        reduce="waiting time for diagnosis|night-time disturbances|daytime sleepiness",
        improve="sleep efficiency|CPAP adherence|agreement with polysomnography",
        findings="noise on wards peaked at medication rounds and shift changes"
        "|the wearable agreed closely with laboratory sleep studies for moderate apnoea"
        "|most patients woke more than ten times a night on the ward"
        "|CPAP use in the first week predicted long-term adherence",
        keywords="sleep|sleep apnoea|insomnia|wearables|CPAP",
        problems="patients wait a year for a sleep study"
        "|patients tell us they cannot sleep on our wards"
        "|many patients give up on CPAP in the first month",
        needs="diagnose sleep apnoea at home|help patients sleep on the ward"
        "|keep patients using CPAP",
        products="home sleep apnoea test|sleep tracking wristband|CPAP adherence app",
    ),
    topic(
        "longcovid",
        "long COVID and post-viral fatigue",
        (MED, HR, PSY),
        "Long COVID Service|Rehabilitation Medicine",
        COMMUNITY,
        "digital health",
        conditions="long COVID|post-exertional malaise|post-viral fatigue",
        interventions="pacing programmes|symptom and activity tracking apps|multidisciplinary"
        " assessment clinics|graded return-to-work plans",
        populations="adults with long COVID|healthcare workers with persistent symptoms"
        "|people with post-viral fatigue",
        settings="long COVID clinics|general practices|occupational health services",
        reduce="fatigue scores|breathlessness|waiting time for assessment",
        improve="return to work|quality of life|activity levels without crashes",
        findings="crashes usually followed a busy day by one to two days"
        "|most patients returned to work on reduced hours first"
        "|heart rate data helped patients stay within their limits"
        "|symptoms fluctuated too much for monthly questionnaires to capture",
        keywords="long COVID|fatigue|rehabilitation|pacing|symptom tracking",
        problems="patients with long COVID wait months for an assessment"
        "|we have no way to track symptoms between appointments"
        "|staff with long COVID struggle to return to work",
        needs="shorten waits for long COVID assessment"
        "|track long COVID symptoms between appointments"
        "|support staff back to work after long COVID",
        products="symptom and activity pacing app|remote rehabilitation platform"
        "|heart rate pacing wristband",
    ),
    topic(
        "hearing",
        "hearing loss and audiology",
        (ENG, MED, PSY),
        "Audiology",
        COMMUNITY,
        "medtech",
        conditions="age-related hearing loss|hearing aids left unused|tinnitus",
        interventions="remote hearing tests on a tablet|signal processing for speech in noise"
        "|self-fitting hearing aids|follow-up calls after fitting",
        populations="older adults with hearing loss|people with tinnitus|hearing aid users",
        settings="audiology clinics|community hearing services|care homes",
        reduce="waiting time for assessment|tinnitus distress|hearing aids left unused",
        improve="hearing aid use|speech-in-noise scores|communication in care homes",
        findings="a third of hearing aids were not worn three months after fitting"
        "|tablet tests agreed with booth audiometry within five decibels"
        "|care home residents often had hearing aids with flat batteries"
        "|users valued a follow-up call more than extra features",
        keywords="hearing loss|audiology|hearing aids|tinnitus|older people",
        problems="people get hearing aids and then leave them in a drawer"
        "|audiology waiting lists keep growing"
        "|care home residents cannot hear staff and become withdrawn",
        needs="increase daily use of hearing aids|cut audiology waiting lists with remote"
        " testing|improve hearing care in care homes",
        products="app-based hearing test|self-fitting hearing aid|hearing aid usage tracker",
    ),
    topic(
        "oral",
        "oral health in care homes",
        (MED, NURS, HR),
        "Dental Public Health|Community Dental Service",
        COMMUNITY,
        "social care technology",
        conditions="poor oral hygiene|untreated dental pain|aspiration pneumonia"
        " linked to oral hygiene",
        interventions="mouth care training for care staff|teledentistry consultations"
        "|an oral health assessment tool|daily mouth care prompts",
        populations="care home residents|people with learning disabilities|older people with"
        " dementia",
        settings="care homes|community dental services|supported living services",
        reduce="plaque scores|pneumonia admissions|dental pain",
        improve="staff confidence in mouth care|completion of daily mouth care",
        findings="mouth care was the task most often skipped when homes were short staffed"
        "|most residents had not seen a dentist in over two years"
        "|staff were unsure how to clean dentures properly"
        "|video consultations avoided most unnecessary dental trips",
        keywords="oral health|care homes|dentistry|mouth care|older people",
        problems="residents have untreated dental pain that staff cannot spot"
        "|mouth care is skipped when care homes are short staffed"
        "|residents wait months for a dental visit",
        needs="spot dental pain in residents who cannot tell us|make daily mouth care routine"
        "|bring dental advice into care homes",
        products="teledentistry camera kit|mouth care prompting app|oral health checklist app",
    ),
    topic(
        "pharmacy",
        "medicines optimisation and safety",
        (MED, HR, COMP),
        "Pharmacy|Medicines Management",
        ACUTE,
        "digital health",
        conditions="medication errors at transfer of care|non-adherence to medicines after"
        " discharge|inappropriate polypharmacy",
        interventions="pharmacist-led medicines reconciliation|smart pill dispensers"
        "|electronic discharge prescriptions shared with community pharmacy|a structured"
        " medication review",
        populations="older people on many medicines|patients at transfer of care|care home"
        " residents",
        settings="hospital pharmacies|community pharmacies|care homes",
        reduce="medication errors|adverse drug events|readmissions",
        improve="adherence|completion of medicines reconciliation",
        findings="most errors involved medicines stopped in hospital but restarted at home"
        "|adherence fell within a month of discharge"
        "|community pharmacists received the discharge letter for fewer than half of patients"
        "|anticoagulants and insulin caused most harm",
        keywords="medicines|pharmacy|prescribing|adherence|medication safety",
        problems="medication errors happen when patients move from hospital to care homes"
        "|patients stop taking their medicines soon after discharge"
        "|community pharmacies do not hear about changes made in hospital",
        needs="prevent medication errors at discharge|help patients keep taking their"
        " medicines|share medicine changes with community pharmacy",
        products="smart pill dispenser|medicines reconciliation system"
        "|discharge medicines messaging service",
    ),
    topic(
        "parkinsons",
        "Parkinson's disease monitoring with wearables",
        (ENG, MED, COMP),
        "Neurology|Movement Disorders",
        ACUTE,
        "wearables",
        conditions="motor fluctuations in Parkinson's disease|freezing of gait"
        "|missed medication timing in hospital",
        interventions="wrist-worn motion sensors|cueing through vibrating insoles"
        "|remote symptom diaries|machine learning on tremor signals",
        populations="people with Parkinson's disease|inpatients with Parkinson's"
        "|carers of people with Parkinson's",
        settings="movement disorder clinics|general hospital wards|community neurology services",
        reduce="freezing episodes|late medication doses|falls",
        improve="time in 'on' state|accuracy of symptom reports|clinic decisions based on"
        " home data",
        findings="patients underestimated their off time in clinic diaries"
        "|freezing was commonest when turning in doorways"
        "|doses were given late for most inpatients with Parkinson's"
        "|two weeks of sensor data changed treatment for a third of patients",
        keywords="Parkinson's disease|wearables|gait|tremor|neurology",
        problems="clinic visits give us a snapshot that misses most motor fluctuations"
        "|inpatients with Parkinson's get their medicines late"
        "|freezing of gait leads to falls at home",
        needs="see motor fluctuations between clinic visits|give Parkinson's medicines on time"
        "|reduce freezing of gait",
        products="Parkinson's symptom monitoring watch|vibrating cueing insole"
        "|medication timing reminder system",
    ),
    topic(
        "epilepsy",
        "seizure detection and epilepsy care",
        (ENG, MED, COMP),
        "Paediatric Neurology|Epilepsy Service",
        ACUTE,
        "wearables",
        conditions="unwitnessed nocturnal seizures|sudden unexpected death in epilepsy"
        "|inaccurate seizure diaries",
        interventions="wearable seizure detectors|under-mattress movement sensors"
        "|heart rate and electrodermal sensing|home video telemetry",
        populations="children with epilepsy|adults with drug-resistant epilepsy|parents of"
        " children with epilepsy",
        settings="epilepsy clinics|paediatric neurology services|community epilepsy nursing teams",
        reduce="undetected seizures|false alarms|parental anxiety",
        improve="seizure detection sensitivity|accuracy of seizure counts",
        findings="parents recorded fewer than half of the seizures the sensor detected"
        "|most false alarms came from vigorous play or rolling in bed"
        "|detection was best for tonic-clonic seizures"
        "|parents slept better once a detector was in place",
        keywords="epilepsy|seizure detection|wearables|children|sensors",
        problems="parents sit up all night because they fear missing a seizure"
        "|seizure diaries are incomplete and we adjust medicines blind"
        "|video telemetry beds are booked months ahead",
        needs="detect night-time seizures at home|get accurate seizure counts"
        "|record seizures at home instead of on the ward",
        products="wearable seizure alarm|under-mattress seizure sensor|home video seizure recorder",
    ),
    topic(
        "delirium",
        "delirium detection and prevention",
        (MED, NURS, PSY),
        "Care of the Elderly|Orthogeriatrics",
        ACUTE,
        "digital health",
        conditions="delirium|post-operative delirium after hip fracture|undiagnosed delirium",
        interventions="routine screening with the 4AT|a multicomponent prevention bundle"
        "|family involvement in delirium care|passive monitoring of sleep and activity",
        populations="older inpatients|patients with hip fracture|people with dementia in hospital",
        settings="acute medical wards|orthopaedic wards|intensive care units",
        reduce="delirium incidence|length of stay|new care home admissions",
        improve="delirium screening rates|family satisfaction",
        findings="delirium was missed in over half of patients who had it"
        "|screening rates fell at weekends"
        "|family members often noticed changes before staff"
        "|poor sleep on the first night predicted delirium",
        keywords="delirium|older people|hip fracture|screening|cognitive impairment",
        problems="delirium is missed in many older patients on our wards"
        "|patients with hip fractures become delirious after surgery"
        "|families feel shut out when their relative becomes confused",
        needs="screen every older patient for delirium|prevent delirium after hip fracture"
        "|involve families in delirium care",
        products="digital delirium screening tool|sleep and activity sensor for wards"
        "|family communication app for hospital",
    ),
    topic(
        "eating",
        "eating disorders in young people",
        (PSY, MED, NURS),
        "Child and Adolescent Mental Health|Eating Disorders Service",
        MENTAL,
        "digital health",
        conditions="anorexia nervosa|delayed referral for eating disorders"
        "|relapse after inpatient treatment",
        interventions="family-based treatment|a transition programme after discharge"
        "|guided self-help for parents|early identification training for GPs and schools",
        populations="adolescents with eating disorders|parents and carers|young adults"
        " moving between services",
        settings="child and adolescent mental health services|adult eating disorder services"
        "|schools",
        reduce="time to treatment|inpatient admissions|relapse after discharge",
        improve="weight restoration|family confidence|continuity at transition",
        findings="most young people had seen a GP several times before referral"
        "|relapse was commonest in the three months after moving to adult services"
        "|parents wanted practical help with meals above all"
        "|early weight gain predicted recovery at one year",
        keywords="eating disorders|young people|anorexia|family therapy|mental health",
        problems="young people with eating disorders are referred too late"
        "|relapse is common when young people move to adult services"
        "|parents struggle to support meals at home",
        needs="refer young people with eating disorders sooner|prevent relapse at transition"
        " to adult services|support parents with meals at home",
        products="meal support app for families|eating disorder early warning tool for"
        " schools|transition planning platform",
    ),
    # ------------------------------------------------------------ methodologists
    topic(
        "stats",
        "medical statistics and causal inference",
        (HR, MED),
        "",
        "",
        "",
        method="yes",
        conditions="confounding in routinely collected data|missing outcome data"
        "|clustering within hospitals|small numbers of events",
        interventions="target trial emulation|multiple imputation|multilevel models"
        "|Bayesian hierarchical models|joint longitudinal and survival models",
        populations="",
        settings="",
        reduce="",
        improve="",
        findings="ignoring clustering overstated precision by up to forty percent"
        "|complete-case analysis biased the effect towards benefit"
        "|the emulated trial reproduced the direction of an earlier randomised trial"
        "|borrowing strength across sites stabilised estimates for small hospitals",
        keywords="medical statistics|causal inference|clinical trials|missing data|routine data",
    ),
    topic(
        "ml",
        "machine learning for clinical prediction",
        (COMP, HR),
        "",
        "",
        "",
        method="yes",
        conditions="dataset shift between hospitals|poorly calibrated risk scores"
        "|algorithmic bias across patient groups|models that clinicians cannot interpret",
        interventions="gradient-boosted trees|recurrent neural networks on time series"
        "|explainable machine learning with SHAP values|federated learning"
        "|conformal prediction",
        populations="",
        settings="",
        reduce="",
        improve="",
        findings="performance dropped at an external site until the model was recalibrated"
        "|a handful of routine variables carried most of the predictive signal"
        "|error rates were higher for patients from minority ethnic groups"
        "|clinicians trusted the model more when shown the top contributing factors",
        keywords="machine learning|prediction models|artificial intelligence|validation"
        "|algorithmic fairness",
    ),
    topic(
        "qualitative",
        "qualitative methods and implementation science",
        (HR, NURS, PSY),
        "",
        "",
        "",
        method="yes",
        conditions="poor uptake of proven interventions|the hidden work of patients and carers"
        "|the gap between guidelines and practice",
        interventions="semi-structured interviews|ethnographic observation"
        "|normalisation process theory|co-design workshops|realist evaluation",
        populations="",
        settings="",
        reduce="",
        improve="",
        findings="staff adapted the intervention in ways its designers had not anticipated"
        "|patients described the technology as reassuring but burdensome"
        "|local champions were the strongest influence on adoption"
        "|carers took on monitoring work that was invisible to services",
        keywords="qualitative research|implementation science|co-design|patient experience"
        "|process evaluation",
    ),
    topic(
        "healthecon",
        "health economics and decision modelling",
        (MAN, HR),
        "",
        "",
        "",
        method="yes",
        conditions="uncertain value for money of new technology|budget impact for"
        " commissioners|costs that fall on social care and families",
        interventions="cost-utility analysis|Markov decision models|discrete event simulation"
        "|budget impact analysis|value of information analysis",
        populations="",
        settings="",
        reduce="",
        improve="",
        findings="results were most sensitive to how long the benefit lasted"
        "|savings depended on freeing beds rather than cutting staff"
        "|half of the costs fell outside the NHS budget"
        "|further research on adherence had the highest expected value",
        keywords="health economics|cost-effectiveness|decision modelling|QALYs|budget impact",
    ),
)
