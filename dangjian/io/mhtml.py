"""Web archives (MHTML): Excel's and WPS's “单个文件网页” (.mht), and the “.xls” that the common browser-side
“导出Excel” of many web systems writes to get several sheets into one file. Such a file is a MIME message
(multipart/related) whose parts are pages: one page per worksheet, a main page listing them
(`<x:ExcelWorksheet><x:Name>…</x:Name><x:WorksheetSource HRef="…"/>`), often a frameset and a tab strip besides.

`sheets` gives each worksheet's name and its page, in the workbook's order; its rows are `markup.text_rows` of the
page's text (`chunks()`), numbered as Excel shows the sheet.
"""

from __future__ import annotations

import codecs
import email.parser
import email.policy
import html
import re
from pathlib import Path
from urllib.parse import unquote

from .markup import choose_encoding


class NoSheet(ValueError):
    """The archive holds no page with a table."""


_WORKSHEET = re.compile(r"<(?:\w+:)?ExcelWorksheet\b[^>]*>(.*?)</(?:\w+:)?ExcelWorksheet\s*>", re.IGNORECASE | re.DOTALL)
_NAME = re.compile(r"<(?:\w+:)?Name\s*>(.*?)</(?:\w+:)?Name\s*>", re.IGNORECASE | re.DOTALL)
_SOURCE = re.compile(r"""<(?:\w+:)?WorksheetSource\b[^>]*?HRef\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_HIDDEN = re.compile(r"<(?:\w+:)?Visible\s*>\s*Sheet(?:Very)?Hidden\s*<", re.IGNORECASE)
_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_ROW = re.compile(r"<tr[\s>/]", re.IGNORECASE)
_CHARSET = re.compile(r"""<meta[^>]*?charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


_TABLE_BYTES = re.compile(rb"<table\b", re.IGNORECASE)
_ROW_BYTES = re.compile(rb"<tr[\s>/]", re.IGNORECASE)
_BODY_BYTES = re.compile(rb"<(?:body|frameset)\b", re.IGNORECASE)
_BLOCK = 1 << 20


class _Page:
    """A page of the archive: its decoded bytes (what the part's transfer encoding hid), and their encoding. The
    text is made block by block as the rows are read: a sheet of 200,000 rows is not held as text too."""

    def __init__(self, part):
        self.location = unquote(str(part.get("Content-Location", "") or "")).strip().replace("\\", "/")
        self.cid = str(part.get("Content-ID", "") or "").strip().strip("<>")
        self.data = data = part.get_payload(decode=True) or b""
        m = _CHARSET.search(data[:4096].decode("latin-1"))
        declared = (m.group(1) if m else None) or part.get_content_charset()
        self.encoding = choose_encoding(data[:4], declared, lambda: _decodes(data, "utf-8"))
        self._wide = self.encoding.startswith("utf-16")  # then tags are not ASCII bytes: looked for in the text

    def chunks(self):
        """The page's text, block by block."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        view = memoryview(self.data)
        for start in range(0, len(view), _BLOCK):
            text = decoder.decode(view[start:start + _BLOCK])
            yield text[1:] if start == 0 and text.startswith("\ufeff") else text
        yield decoder.decode(b"", final=True)

    @property
    def head(self) -> str:
        """The text before the body (or frameset), where Excel writes its worksheets' list and options."""
        if self._wide:
            text = "".join(self.chunks())
            m = re.search(r"<(?:body|frameset)\b", text, re.IGNORECASE)
            return text[: m.start() if m else 4096]
        m = _BODY_BYTES.search(self.data)
        return self.data[: m.start() if m else 4096].decode(self.encoding, errors="replace")

    @property
    def has_table(self) -> bool:
        if self._wide:
            return any(_TABLE.search(text) for text in self.chunks())
        return bool(_TABLE_BYTES.search(self.data))

    def count_rows(self) -> int:
        """The page's rows, counted by their tags."""
        if self._wide:
            return sum(len(_ROW.findall(text)) for text in self.chunks())
        return sum(1 for _ in _ROW_BYTES.finditer(self.data))

    def named_by(self, href: str) -> bool:
        """Whether a main page's link `href` (relative, absolute or cid:) names this page."""
        href = unquote(href).strip().replace("\\", "/")
        if href.lower().startswith("cid:"):
            return bool(self.cid) and href[4:] == self.cid
        if not self.location or not href:
            return False
        if self.location == href or self.location.endswith("/" + href.lstrip("./")):
            return True
        # the folder in a location may be written otherwise than in the link (a Chinese name, in another encoding);
        # a sheet's own file name (sheet001.htm) is unique in its archive
        return self.location.rsplit("/", 1)[-1].lower() == href.rsplit("/", 1)[-1].lower()

    @property
    def tab_strip(self) -> bool:
        return self.location.lower().rsplit("/", 1)[-1] == "tabstrip.htm"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.decode(data, encoding)
    except UnicodeDecodeError:
        return False
    return True


def _pages(path: Path) -> list[_Page]:
    with open(path, "rb") as f:
        message = email.parser.BytesParser(policy=email.policy.compat32).parse(f)
    return [_Page(part) for part in message.walk() if part.get_content_type() == "text/html"]


def sheets(path: Path) -> list[tuple[str, _Page]]:
    """(sheet name, its page) of each visible worksheet of the archive. The main page's list of worksheets gives
    their names and order; without one, every page with a table is a sheet (named "" when it is the only one).
    Raises NoSheet when no page holds a table."""
    pages = _pages(path)
    found: list[tuple[str, _Page]] = []
    for main in pages:
        entries = _WORKSHEET.findall(main.head)
        if not entries:
            continue
        for entry in entries:
            name_match = _NAME.search(entry)
            name = html.unescape(name_match.group(1)).strip() if name_match else ""
            source = _SOURCE.search(entry)
            if source:
                page = next((p for p in pages if p is not main and p.named_by(source.group(1))), None)
            else:  # a one-sheet archive: the table is on the main page itself
                page = main if len(entries) == 1 else None
            if page is None or not page.has_table or _HIDDEN.search(entry) or _HIDDEN.search(page.head):
                continue  # a sheet's own page may say in its head that it is hidden
            found.append((name, page))
        break  # only the first page that lists worksheets is the main page
    if not found:
        tables = [p for p in pages if not p.tab_strip and p.has_table]
        found = [(_stem(p.location) if len(tables) > 1 else "", p) for p in tables]
    if not found:
        raise NoSheet("该网页存档（.mht）中没有表格，无法导入：请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再上传")
    return found


def _stem(location: str) -> str:
    name = location.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name
