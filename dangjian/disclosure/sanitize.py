"""An allow-list HTML sanitiser for disclosure bodies, on the standard library's html.parser.

Disclosure bodies are shown to the public, so anything not on the list goes: unknown tags are
dropped (their text kept), script/style-like elements are dropped with their content, every
attribute is dropped except a link's http(s)/mailto href and a table cell's numeric spans. Text is
re-escaped, so the output is well-formed whatever came in (tags are closed in order).

Plain text (no "<") becomes paragraphs and line breaks, so the API can take a simple string.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "h5", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
})
VOID_TAGS = frozenset({"br", "hr"})
# Their content is code or layout, never text a reader should see.
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                               "svg", "math", "textarea", "select", "head", "title"})
URL_SCHEMES = ("http://", "https://", "mailto:")


class _Sanitiser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skip_depth = 0  # > 0 while inside a dropped element

    def handle_starttag(self, tag, attrs):
        if tag in DROP_WITH_CONTENT:
            self.skip_depth += 1
            return
        if self.skip_depth or tag not in ALLOWED_TAGS:
            return
        kept = []
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), "")
            href = "".join(href.split())  # "java\nscript:" tricks
            if href.lower().startswith(URL_SCHEMES):
                kept.append(("href", href))
                kept.append(("rel", "nofollow noopener"))
        elif tag in ("td", "th"):
            for k, v in attrs:
                if k in ("colspan", "rowspan") and v and v.isdigit() and 0 < int(v) <= 50:
                    kept.append((k, v))
        rendered = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in kept)
        self.out.append(f"<{tag}{rendered}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and not self.skip_depth and tag in ALLOWED_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROP_WITH_CONTENT:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth or tag not in self.stack:
            return  # a stray end tag: ignore rather than unbalance the output
        while self.stack:
            open_tag = self.stack.pop()
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.skip_depth:
            self.out.append(escape(data, quote=False))

    # Comments, doctypes and processing instructions are dropped by not handling them.

    def result(self) -> str:
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def _plain_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs)


def sanitize(html: str) -> str:
    """The body as safe HTML (see module docstring)."""
    html = (html or "").strip()
    if not html:
        return ""
    if "<" not in html:
        return _plain_to_html(html)
    parser = _Sanitiser()
    parser.feed(html)
    parser.close()
    return parser.result().strip()


_TAG = re.compile(r"<[^>]*>")


def text_of(html: str) -> str:
    """Visible text of sanitised HTML (for checks and summaries)."""
    from html import unescape

    return unescape(_TAG.sub(" ", html or ""))
