"""Importing OpenAlex works at scale (``make bench-import``): generated works in OpenAlex's
snapshot schema (seeded; authorships, institutions with lineage, ORCID iDs, abstracts as
inverted indexes) written to a temporary ``.jsonl.gz``, then imported: parse, identity, merge
into one item per work, write (catalogue + importers' tables). Embedding is not part of the
figure (``matcher import`` embeds afterwards through the index sync; its cost per text is the
encoder's, measured by ``make bench``).

Each size runs in its own process so that its peak resident memory (``ru_maxrss``) is its own:
a streamed import keeps it flat as the file grows.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import commit, machine, now, write_section

WORDS = (  # noqa: SIM905 -- readable lines of words
    "sepsis early warning scores emergency department lactate rural practice falls prediction "
    "community wearable sensors gait monitoring hip fracture delirium screening nurses wards "
    "antimicrobial stewardship alerts machine learning cohort trial randomised outcomes "
    "qualitative interviews primary care diabetes cardiology stroke rehabilitation imaging"
).split()
INSTITUTION = "I4210000001"
ROR = "https://ror.org/05nrh1k22"


def _orcid(n: int) -> str:
    base = f"{n:015d}"
    total = 0
    for char in base:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    digits = base + ("X" if check == 10 else str(check))
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _work(rng: random.Random, index: int, people: int) -> dict[str, object]:
    words = rng.choices(WORDS, k=rng.randint(60, 140))
    inverted: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        inverted.setdefault(word, []).append(position)
    authorships = []
    for position, author in enumerate(rng.sample(range(people * 3), rng.randint(3, 6))):
        ours = author < people
        institution = (
            {"id": f"https://openalex.org/{INSTITUTION}", "ror": ROR, "type": "education",
             "display_name": "University of Northhaven", "country_code": "GB",
             "lineage": [f"https://openalex.org/{INSTITUTION}"]}
            if ours else
            {"id": f"https://openalex.org/I{5000000 + author % 500}", "type": "healthcare",
             "display_name": f"Hospital {author % 500}", "country_code": "GB"}
        )  # fmt: skip
        authorships.append(
            {
                "author_position": "first" if position == 0 else "middle",
                "author": {
                    "id": f"https://openalex.org/A{5100000000 + author}",
                    "display_name": f"Person {author} Surname{author}",
                    "orcid": f"https://orcid.org/{_orcid(author + 1)}" if author % 2 else None,
                },
                "institutions": [institution],
                "is_corresponding": position == 0,
            }
        )
    year = rng.randint(2015, 2026)
    return {
        "id": f"https://openalex.org/W{4400000000 + index}",
        "doi": f"https://doi.org/10.9999/bench.{index}",
        "title": " ".join(rng.choices(WORDS, k=10)).capitalize(),
        "publication_year": year,
        "publication_date": f"{year}-03-01",
        "type": "article",
        "abstract_inverted_index": inverted if index % 5 else None,
        "authorships": authorships,
        "updated_date": "2026-01-01T00:00:00",
    }


def generate(path: Path, works: int, *, people: int, seed: int) -> None:
    """Write ``works`` generated OpenAlex works to ``path`` (gzip JSON Lines)."""
    rng = random.Random(seed)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for index in range(works):
            out.write(json.dumps(_work(rng, index, people)) + "\n")


def run_one(works: int, *, people: int, seed: int) -> dict[str, float]:
    """Generate and import ``works`` works in this process; returns the figures."""
    from index.db.catalogue import Catalogue
    from index.ingest.importer import ImportOptions, import_records
    from index.ingest.sources import InstitutionFilter, Source, read_openalex

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "works.jsonl.gz"
        generate(path, works, people=people, seed=seed)
        catalogue = Catalogue(f"sqlite:///{folder}/catalogue.db")
        options = ImportOptions(institutions=InstitutionFilter.parse([INSTITUTION]))
        start, cpu = time.perf_counter(), time.process_time()
        report = import_records(catalogue, Source.OPENALEX, read_openalex(path), options=options)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        again = time.perf_counter()
        second = import_records(catalogue, Source.OPENALEX, read_openalex(path), options=options)
        reimport = time.perf_counter() - again
        catalogue.close()
    return {
        "works": works,
        "seconds": seconds,
        "works_per_s": works / seconds,
        # on a shared host the wall clock counts other jobs' time too; the CPU time is ours
        "cpu_seconds": cpu_seconds,
        "works_per_cpu_s": works / cpu_seconds,
        "profiles": report.people_created,
        "reimport_seconds": reimport,
        "reimport_changed": second.people_created + second.people_updated,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    """Run every size in a child process and write the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--people", type=int, default=5_000, help="Our institution's authors.")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(run_one(args.one, people=args.people, seed=args.seed)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_import", "--one", str(size),
             "--people", str(args.people), "--seed", str(args.seed)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    lines = [
        "## Importing OpenAlex works",
        "",
        f"`make bench-import` (`python -m benchmarks.bench_import --sizes {args.sizes}`), "
        f"commit {commit()}, {now()}; {machine()}.",
        "",
        f"Generated works in OpenAlex's snapshot schema (seed {args.seed}; 3–6 authorships "
        f"each, of whom those among {args.people:,} authors are at our institution; 4 in 5 "
        "with an abstract), one `.jsonl.gz`; parse, identity, one item per work, write "
        "(SQLite). Embedding not included. Each size in its own process. CPU s: the process's "
        "own CPU time (user + system) for the first import, which on a loaded host says more "
        "than the wall clock.",
        "",
        "| works | seconds | works/s | CPU s | works/CPU s | profiles | peak RSS (MiB) "
        "| re-import s | re-import changed |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['works']:,} | {r['seconds']:.1f} | {r['works_per_s']:,.0f} | "
            f"{r['cpu_seconds']:.1f} | {r['works_per_cpu_s']:,.0f} | "
            f"{r['profiles']:,} | {r['peak_rss_mib']:.0f} | {r['reimport_seconds']:.1f} | "
            f"{r['reimport_changed']} |"
        )
    if args.out is not None:
        write_section(args.out, "import", "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
