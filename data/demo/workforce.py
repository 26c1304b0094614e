"""Write ``workforce.jsonl``: the demo's workforce-development records and its needs in themes
that the demo academics serve badly (``python data/demo/workforce.py``; standard library only,
no randomness: every run writes the same bytes).

- Educators: academics whose evidence is ``course`` items (CPD and teaching offers).
- Clinical teams whose evidence is ``training_need`` items (education and workforce needs); each
  is answered by at least one course above.
- Clinical teams and SMEs asking for expertise on topics that no demo academic covers
  (sickle cell disease, teledermatology, anaesthetic gases and net zero, hepatitis C in prisons,
  veterinary-style zoonotic surveillance): the capability-gap report's unserved needs.

Everything is fictional, as in the rest of ``data/demo`` (organisations from
``organisations.csv``; ``.example`` e-mail addresses).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

EDUCATORS: list[dict[str, Any]] = [
    {
        "id": "edu-0001",
        "name": "Dr Rowenna Calderbrook",
        "organisation": "org-northmoor-uni",
        "unit": "School of Nursing and Midwifery",
        "summary": "Nurse educator: falls prevention and frailty education for ward staff.",
        "keywords": ["nurse education", "falls prevention", "frailty", "CPD"],
        "courses": [
            (
                "Falls prevention and post-fall care for ward nurses (CPD short course)",
                "A two-day CPD course for registered nurses and healthcare support workers on "
                "multifactorial falls risk assessment, lying and standing blood pressure, safe "
                "post-fall checks and hip fracture prevention on acute and community wards, "
                "taught with simulation and case review.",
            ),
            (
                "Postgraduate certificate in frailty and older people's care",
                "A part-time postgraduate certificate for nurses and allied health "
                "professionals: comprehensive geriatric assessment, delirium, polypharmacy and "
                "falls, with work-based learning in the student's own service.",
            ),
        ],
    },
    {
        "id": "edu-0002",
        "name": "Professor Idris Penhallow",
        "organisation": "org-glenmoran-uni",
        "unit": "Clinical Skills and Simulation Centre",
        "summary": "Simulation-based education for recognising and escalating deterioration.",
        "keywords": ["simulation", "deteriorating patient", "NEWS2", "sepsis", "CPD"],
        "courses": [
            (
                "Recognising the deteriorating patient: NEWS2 and sepsis simulation training",
                "High-fidelity simulation training for newly qualified nurses and resident "
                "doctors on early warning scores (NEWS2), recognising sepsis, structured "
                "escalation with SBAR and the first hour of treatment, delivered on site for "
                "ward teams.",
            ),
            (
                "Human factors and team communication in emergencies (simulation CPD)",
                "Interprofessional simulation for emergency department and acute medical teams: "
                "situational awareness, closed-loop communication and debriefing.",
            ),
        ],
    },
    {
        "id": "edu-0003",
        "name": "Dr Saoirse Blackthorn",
        "organisation": "org-fellside-uni",
        "unit": "Faculty of Health and Social Care",
        "summary": "Respiratory education for nurses and physiotherapists.",
        "keywords": ["respiratory education", "COPD", "inhaler technique", "CPD"],
        "courses": [
            (
                "COPD and home non-invasive ventilation: a CPD module for respiratory nurses "
                "and physiotherapists",
                "A 20-credit module on the assessment of breathlessness, pulmonary "
                "rehabilitation, inhaler technique, oxygen and home non-invasive ventilation "
                "for community respiratory teams.",
            ),
        ],
    },
    {
        "id": "edu-0004",
        "name": "Dr Caspian Mereweather",
        "organisation": "org-ravensholm-uni",
        "unit": "Centre for Digital Health Education",
        "summary": "Digital skills and data literacy for health and care staff.",
        "keywords": ["digital skills", "data literacy", "electronic patient record", "CPD"],
        "courses": [
            (
                "Digital health literacy and data skills for clinical staff (online CPD)",
                "An online course for nurses, allied health professionals and managers on "
                "using the electronic patient record, dashboards and remote monitoring data "
                "safely, information governance, and leading digital change in a team.",
            ),
        ],
    },
    {
        "id": "edu-0005",
        "name": "Professor Tamsin Ollerenshaw",
        "organisation": "org-northmoor-uni",
        "unit": "Department of Psychology",
        "summary": "Mental health education for primary care and community staff.",
        "keywords": ["mental health training", "suicide prevention", "CPD"],
        "courses": [
            (
                "Suicide prevention and safety planning for community and primary care staff",
                "A one-day training course for GPs, practice nurses, community mental health "
                "and social care staff on asking about suicide, collaborative safety planning "
                "and follow-up after self-harm, with refresher e-learning.",
            ),
        ],
    },
]

TRAINING_NEEDS: list[dict[str, Any]] = [
    {
        "id": "clin-tn-0001",
        "name": "Care of the Elderly nursing team, Fellside General Hospital",
        "organisation": "org-fellside-trust",
        "unit": "Care of the Elderly",
        "title": "Falls prevention training for our ward nurses and support workers",
        "text": "Our new healthcare support workers and registered nurses need training in "
        "falls risk assessment, lying and standing blood pressure and safe checks after a "
        "fall; we want a short CPD course that fits around shifts on the ward.",
    },
    {
        "id": "clin-tn-0002",
        "name": "Acute Medical Unit, Kilbraddan General Hospital",
        "organisation": "org-glenmoran-board",
        "unit": "Acute Medicine",
        "title": "Newly qualified nurses need training to recognise the deteriorating patient",
        "text": "Recent incidents showed late escalation of rising NEWS2 scores and missed "
        "sepsis; we need simulation training for newly qualified nurses and resident doctors "
        "on recognising deterioration and escalating with SBAR.",
    },
    {
        "id": "clin-tn-0003",
        "name": "Community Respiratory Team, Riverbank HSCP",
        "organisation": "org-riverbank-hscp",
        "unit": "Respiratory",
        "title": "CPD in home non-invasive ventilation for community respiratory staff",
        "text": "We are taking on patients with COPD on home non-invasive ventilation and our "
        "nurses and physiotherapists need CPD on ventilation, oxygen and inhaler technique.",
    },
    {
        "id": "clin-tn-0004",
        "name": "Primary Care Mental Health Team, Eastfield HSCP",
        "organisation": "org-eastfield-hscp",
        "unit": "Mental Health",
        "title": "Suicide prevention training for practice nurses and link workers",
        "text": "Our practice nurses and community link workers ask for training in talking "
        "about suicide, safety planning and follow-up after self-harm.",
    },
]

#: Needs and challenges on topics that no demo academic works on.
GAP_NEEDS: list[dict[str, Any]] = [
    {
        "id": "clin-gap-0001",
        "kind": "clinical_team",
        "name": "Haematology Day Unit, Northmoor General Hospital",
        "organisation": "org-northmoor-trust",
        "unit": "Haematology",
        "type": "need",
        "title": "Faster exchange transfusion for adults with sickle cell crisis",
        "text": "Adults with sickle cell disease in acute painful crisis wait hours for red "
        "cell exchange transfusion; we want partners to study apheresis scheduling, "
        "transfusion alloimmunisation and extended red cell genotyping for our patients.",
    },
    {
        "id": "clin-gap-0002",
        "kind": "clinical_team",
        "name": "Dermatology Service, Fellside Teaching Hospitals",
        "organisation": "org-fellside-trust",
        "unit": "Dermatology",
        "type": "need",
        "title": "Teledermatology triage of suspected skin cancer referrals",
        "text": "Two-week-wait referrals for suspected melanoma and squamous cell carcinoma "
        "have doubled; we want to evaluate dermoscopy photographs taken in GP practices for "
        "teledermatology triage of skin lesions.",
    },
    {
        "id": "clin-gap-0003",
        "kind": "clinical_team",
        "name": "Theatres and Anaesthesia, Kilbraddan General Hospital",
        "organisation": "org-glenmoran-board",
        "unit": "Anaesthesia",
        "type": "need",
        "title": "Cutting the carbon footprint of anaesthetic gases",
        "text": "Desflurane and nitrous oxide manifolds leak and dominate our theatres' "
        "greenhouse gas emissions; we want help measuring nitrous oxide waste and switching to "
        "total intravenous anaesthesia towards net zero.",
    },
    {
        "id": "clin-gap-0004",
        "kind": "clinical_team",
        "name": "Prison Healthcare Team, Greymere",
        "organisation": "org-greymere-mh",
        "unit": "Prison Healthcare",
        "type": "need",
        "title": "Hepatitis C test and treat in a men's prison",
        "text": "We want to run opt-out dried blood spot testing for hepatitis C at reception "
        "and start direct-acting antivirals before release from prison.",
    },
    {
        "id": "sme-gap-0001",
        "kind": "sme",
        "name": "Harrowgill Zoonotics (fictional)",
        "organisation": "org-harrowgill-zoonotics",
        "unit": "One Health diagnostics",
        "type": "challenge",
        "title": "Surveillance of zoonotic tick-borne infections in farm workers",
        "text": "We make a lateral flow test for Lyme borreliosis and tick-borne encephalitis "
        "and seek academic partners in veterinary epidemiology and One Health surveillance of "
        "livestock and farm workers.",
    },
]


def _educator(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "record": "profile",
        "id": e["id"],
        "kind": "academic",
        "name": e["name"],
        "organisation": e["organisation"],
        "unit": e["unit"],
        "summary": e["summary"],
        "keywords": e["keywords"],
        "capacity": 4,
        "contact": f"{e['id']}@education.example",
        "consent": True,
        "evidence": [
            {"id": f"{e['id']}-c{n}", "type": "course", "title": title, "text": text}
            for n, (title, text) in enumerate(e["courses"], 1)
        ],
    }


def _team(t: dict[str, Any], kind: str, item_type: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": f"{t['id']}-1", "type": item_type, "title": t["title"]}
    item["text"] = t["text"]
    if item_type == "challenge":
        item["sector"] = t["unit"]
    else:
        item["specialty"] = t["unit"]
    return {
        "record": "profile",
        "id": t["id"],
        "kind": kind,
        "name": t["name"],
        "organisation": t["organisation"],
        "unit": t["unit"],
        "summary": "",
        "keywords": [],
        "capacity": 3,
        "contact": f"{t['id']}@teams.example",
        "consent": True,
        "evidence": [item],
    }


#: The one organisation these records add (the SME of the zoonoses challenge).
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "record": "organisation",
        "id": "org-harrowgill-zoonotics",
        "name": "Harrowgill Zoonotics Ltd (fictional)",
        "type": "sme",
        "region": "North West",
    }
]


def records() -> list[dict[str, Any]]:
    """Every record of ``workforce.jsonl``, in file order (organisations first)."""
    return [
        *ORGANISATIONS,
        *(_educator(e) for e in EDUCATORS),
        *(_team(t, "clinical_team", "training_need") for t in TRAINING_NEEDS),
        *(_team(g, g["kind"], g["type"]) for g in GAP_NEEDS),
    ]


def main() -> None:
    """Write ``workforce.jsonl`` beside this file."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records()]
    (HERE / "workforce.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
