"""``Page(html)``: what the HTML tests read from a served page: its links, its language, its text."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """A page's links (``hrefs``), its ``lang`` and its text, white space folded (``text``)."""
    def __init__(self, text: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.text_parts: list[str] = []
        self.lang = None
        self.feed(text)
        self.text = " ".join(" ".join(self.text_parts).split())

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"])
        if tag == "html":
            self.lang = found.get("lang")

    def handle_data(self, data):
        self.text_parts.append(data)
