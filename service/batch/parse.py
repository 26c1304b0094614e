"""Step 1 of a batch run: read a call file and turn each row into a brief for the search path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.ingest.calls import parse_call
from matcher.briefs import make_brief
from matcher.errors import InvalidRecordError, MatcherError
from matcher.model import Brief, CallBrief

#: Candidates fetched per kind for each brief (more when a brief wants many partners).
CANDIDATES_PER_KIND = 30


@dataclass(frozen=True, slots=True)
class ParsedCall:
    """A call file's usable rows, each with its brief, and the rows that could not be used.

    Attributes:
        calls: the usable rows, in file order.
        briefs: ``briefs[i]`` is the brief of ``calls[i]``.
        errors: rows the reader rejected and rows whose text is not a valid brief.
    """

    calls: list[CallBrief]
    briefs: list[Brief]
    errors: list[InvalidRecordError]


def parse_briefs(path: Path, *, max_chars: int) -> ParsedCall:
    """Read a call file and make a brief of each row.

    A row whose text is not a valid brief (empty, too long) becomes a row error on ``text``; it
    does not stop the others.

    Args:
        path: a call file (CSV, JSON Lines or XLSX).
        max_chars: the longest brief text accepted.

    Raises:
        IngestError: the call file cannot be read at all.
    """
    parsed = parse_call(path)
    errors = list(parsed.errors)
    calls: list[CallBrief] = []
    briefs: list[Brief] = []
    for number, call in enumerate(parsed.briefs, start=1):
        try:
            briefs.append(
                make_brief(
                    call.text,
                    purpose=call.purpose.value,
                    kinds=[k.value for k in call.kinds],
                    requester_organisation=call.requester_organisation,
                    top=max(CANDIDATES_PER_KIND, call.partners * 5),
                    max_chars=max_chars,
                )
            )
            calls.append(call)
        except MatcherError as error:
            errors.append(InvalidRecordError(str(path), number, "text", str(error)))
    return ParsedCall(calls=calls, briefs=briefs, errors=errors)
