"""Which of a resource's labels a reader sees: the one in their language, else a fallback that says
which language it is in (pages, the graph view and its canvas share this rule)."""

from __future__ import annotations

from dataclasses import dataclass

# When a label is missing in the reader's language: English, then Vietnamese (the documents'
# language), then German (the first source's), then an untagged literal.
FALLBACK_ORDER = ("en", "vi", "de", "")


@dataclass(frozen=True)
class Label:
    """A label for the reader: its text and language, and whether it is in the reader's language."""
    text: str
    lang: str
    fallback: bool            # True: not in the reader's language (the page says which it shows)


def pick_label(labels: dict[str, str] | dict[str, list[str]], lang: str) -> Label | None:
    """The label in ``lang``, else the first of :data:`FALLBACK_ORDER`, else any; ``None`` if none."""
    def first(value):
        return value[0] if isinstance(value, list) else value
    for candidate in (lang, *FALLBACK_ORDER):
        if labels.get(candidate):
            return Label(first(labels[candidate]), candidate, candidate not in (lang, ""))
    for candidate, value in sorted(labels.items()):
        if value:
            return Label(first(value), candidate, candidate != lang)
    return None
