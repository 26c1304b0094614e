"""The settings table of the README, generated from :class:`service.settings.Settings`.

Each row is one ``KE_MATCHER_*`` variable: its default (as the field declares it) and its meaning
(from the class docstring's ``Attributes`` section). ``python -m service.settings_doc`` prints the
table; a test fails when the README's copy differs, so the two cannot drift apart.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path

from pydantic_core import PydanticUndefined

from service.settings import Settings

START = "<!-- settings-table:start -->"
END = "<!-- settings-table:end -->"
_ENTRY = re.compile(r"^ {8}(?P<names>[a-z_]+(?:, [a-z_]+)*): (?P<text>.*)$")


def attribute_docs(doc: str) -> dict[str, str]:
    """The ``Attributes`` section of a Google-style docstring: name → text (continuation lines
    joined; an entry ``host, port: text`` gives both names the text)."""
    docs: dict[str, str] = {}
    names: list[str] = []
    in_section = False
    for line in doc.splitlines():
        if line.strip() == "Attributes:":
            in_section = True
            continue
        if not in_section:
            continue
        match = _ENTRY.match(line)
        if match:
            names = match["names"].split(", ")
            for name in names:
                docs[name] = match["text"].strip()
        elif line.startswith(" " * 12) and names:
            for name in names:
                docs[name] += " " + line.strip()
        elif line.strip():
            break
    return docs


def _default(name: str) -> str:
    value = Settings.model_fields[name].default
    if value is PydanticUndefined or value is None:
        return "(unset)"
    if value == "":
        return "(empty)"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "`1`" if value else "`0`"
    if isinstance(value, Path):
        return f"`{value}/`" if value.suffix == "" else f"`{value}`"
    return f"`{value}`"


def settings_table() -> str:
    """Every setting as a Markdown table: variable, default, meaning.

    Raises:
        ValueError: a field without an entry in the ``Attributes`` section of the docstring.
    """
    docs = attribute_docs(Settings.__doc__ or "")
    prefix = str(Settings.model_config.get("env_prefix", ""))
    missing = sorted(set(Settings.model_fields) - set(docs))
    if missing:
        raise ValueError(f"Settings fields without a docstring entry: {', '.join(missing)}")
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name in Settings.model_fields:
        meaning = docs[name].replace("``", "`").replace("|", "\\|")
        rows.append(f"| `{prefix}{name.upper()}` | {_default(name)} | {meaning} |")
    return "\n".join(rows)


def readme_table(readme: str) -> str:
    """The table between the README's settings-table markers (empty when they are missing)."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        return ""
    return readme[start + len(START) : end].strip()


if __name__ == "__main__":
    print(settings_table())
