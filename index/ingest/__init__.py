"""Ingestion: files and requests in, validated domain objects out.

:mod:`~index.ingest.readers` turns bytes into text and text into rows (JSON Lines, CSV),
:mod:`~index.ingest.records` validates a row as an organisation or profile record and converts
it to the domain, :mod:`~index.ingest.profiles` runs an ingestion into the catalogue, and
:mod:`~index.ingest.calls` reads call files (one brief a row) for batch matching.
"""

from __future__ import annotations

from index.ingest.calls import (
    MAX_CALL_BYTES,
    MAX_CALL_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    CallRecord,
    ParsedCall,
    parse_call,
)
from index.ingest.profiles import IngestReport, ingest_files
from index.ingest.readers import (
    EVIDENCE_COLUMNS,
    MAX_FILE_BYTES,
    PROFILE_COLUMNS,
    ParsedFile,
    csv_rows,
    decode_text,
    has_nul,
    parse_csv,
    parse_file,
    parse_jsonl,
    read_text,
)
from index.ingest.records import (
    ID_PATTERN,
    MAX_FIELD_CHARS,
    EvidenceRecord,
    OrganisationRecord,
    ProfileRecord,
    record_error,
    to_organisation,
    to_profile,
)

__all__ = [  # noqa: RUF022  (grouped by theme, not sorted)
    # readers: bytes and text to rows
    "MAX_FILE_BYTES",
    "PROFILE_COLUMNS",
    "EVIDENCE_COLUMNS",
    "ParsedFile",
    "read_text",
    "decode_text",
    "has_nul",
    "csv_rows",
    "parse_jsonl",
    "parse_csv",
    "parse_file",
    # records: validation and conversion to the domain
    "ID_PATTERN",
    "MAX_FIELD_CHARS",
    "OrganisationRecord",
    "EvidenceRecord",
    "ProfileRecord",
    "record_error",
    "to_organisation",
    "to_profile",
    # profiles: an ingestion run into the catalogue
    "IngestReport",
    "ingest_files",
    # calls: call files for batch matching
    "MAX_CALL_BYTES",
    "MAX_CALL_ROWS",
    "MAX_XLSX_UNPACKED_BYTES",
    "CallRecord",
    "ParsedCall",
    "parse_call",
]
