"""Reading roster spreadsheets as people send them: .xlsx/.xls/.xlsb/.ods (python-calamine) and .csv in
UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030/GBK; and a .zip of such files (the rosters
of many branches in one upload), whose files are read one after another as if they were sheets of one workbook.

`read_table` yields raw rows with the spreadsheet's own row numbers (the first row is 1), so every
error message can point at the row a person sees in Excel. Cell values stay as the reader gives
them (str, float, int, date, datetime); `columns.clean_*` turns them into text or dates.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import logging
import re
import shutil
import tempfile
import weakref
import zipfile
from collections.abc import Iterator
from pathlib import Path

from dangjian.core.dates import MonthDate

from . import markup

logger = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
MHTML_SUFFIXES = {".mht", ".mhtml"}  # a web archive: Excel's “单个文件网页”
# the files a roster can be: what a .zip's files are read as
TABLE_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES | MHTML_SUFFIXES
ARCHIVE_SUFFIXES = {".zip"}
SUPPORTED_SUFFIXES = TABLE_SUFFIXES | ARCHIVE_SUFFIXES
# Between a .zip's file and a sheet of it in the sheet's name (“东村.xlsx / 党员”); never in an Excel sheet's name.
BUNDLE_SHEET_SEP = " / "
# A .zip of rosters: at most this many files, and this much unpacked (a bomb of a small upload is refused unread).
BUNDLE_MAX_FILES = 5_000
BUNDLE_MAX_BYTES = 2 << 30
BUNDLE_MAX_DEPTH = 3  # a .zip in a .zip in the upload (a county's towns' villages); deeper is refused


class ReadError(ValueError):
    """The file as a whole cannot be read (Chinese message)."""


def suffix_of(name: str) -> str:
    return Path(name).suffix.lower()


def kind_of(path: Path, name: str | None = None) -> str:
    """The suffix of the reader `path` needs: its name's, unless its content is of another kind (a web page or Excel
    2003 XML named .xls, an .xlsx renamed .xls, …: `markup.kind_of`). A file no roster can be (a Word document,
    a PDF, a workbook with an open password) is a ReadError saying what it is."""
    suffix = suffix_of(name or path.name)
    if suffix not in TABLE_SUFFIXES:
        return suffix
    try:
        return markup.kind_of(path, suffix)
    except markup.NotATable as e:
        raise ReadError(str(e)) from None


_KINDS_READ = ".xlsx、.xls、.xlsb、.ods、.csv、.mht 文件或它们的 .zip 压缩包"
_SAVE_AS = "请在 Excel 或 WPS 表格中打开（或把名册复制进去），另存为 .xlsx 后上传"
UNSUPPORTED_HINTS = {
    ".et": "WPS 表格自己的 .et 格式无法读取：请在 WPS 中“另存为” Excel 文件（.xlsx）后上传",
    ".ett": "这是 WPS 表格模板（.ett）：请在 WPS 中“另存为” Excel 文件（.xlsx）后上传",
    ".numbers": "Numbers 表格无法读取：请在 Numbers 中“导出为” Excel（.xlsx）后上传",
    ".rar": "RAR 压缩包无法读取：请解压后改用 .zip 压缩，或直接选择其中的表格文件",
    ".7z": "7z 压缩包无法读取：请解压后改用 .zip 压缩，或直接选择其中的表格文件",
    **dict.fromkeys((".doc", ".docx", ".wps", ".pdf", ".ofd", ".jpg", ".jpeg", ".png"),
                    f"这是文档或图片，不是表格：{_SAVE_AS}"),
}


def unsupported(suffix: str) -> str:
    """Why a file of this name's kind cannot be imported, and what to do (the upload forms say it too)."""
    hint = UNSUPPORTED_HINTS.get(suffix)
    if hint:
        return f"不支持“{suffix}”文件。{hint}"
    return f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 {_KINDS_READ}"


def read_table(path: str | Path, name: str | None = None) -> Iterator[tuple[int, list]]:
    """Yield (row_number, cells) for every row of the first worksheet (or of the CSV file)."""
    path = Path(path)
    return _first_sheet(path, kind_of(path, name))


def _first_sheet(path: Path, suffix: str) -> Iterator[tuple[int, list]]:
    """The rows of the first visible sheet of `path`, read as a file of kind `suffix` (`kind_of`)."""
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path, suffix)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    if suffix == markup.HTML:
        return _read_markup(markup.html_rows(path))
    if suffix == markup.SPREADSHEETML:
        sheets = _spreadsheetml_sheets(path)
        return _read_markup(markup.spreadsheetml_rows(path, sheets[0][1] if sheets else 0))
    if suffix in MHTML_SUFFIXES:
        return _read_markup(markup.text_rows(_archive_sheets(path)[0][1].chunks()))
    raise ReadError(unsupported(suffix))


def read_sheets(path: str | Path, name: str | None = None) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    """(sheet name, its rows as `read_table` gives them) for every visible worksheet, in the workbook's order; a
    CSV file, and a workbook without a visible worksheet, are one sheet named "". A sheet is read only when its rows
    are; when the first is large enough to be streamed, every sheet is."""
    path = Path(path)
    return _sheets_of(path, kind_of(path, name))


def _sheets_of(path: Path, suffix: str) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    """`read_sheets` of `path` read as a file of kind `suffix` (`kind_of`)."""
    if suffix in ARCHIVE_SUFFIXES:
        yield from _bundle_sheets(path)
        return
    if suffix == markup.SPREADSHEETML and len(sheets := _spreadsheetml_sheets(path)) > 1:
        for sheet_name, index in sheets:
            yield sheet_name, _read_markup(markup.spreadsheetml_rows(path, index))
        return
    if suffix in MHTML_SUFFIXES:
        pages = _archive_sheets(path)
        for sheet_name, page in pages:
            yield (sheet_name if len(pages) > 1 else ""), _read_markup(markup.text_rows(page.chunks()))
        return
    if suffix not in SPREADSHEET_SUFFIXES:
        yield "", _first_sheet(path, suffix)
        return
    if _streamed(path, suffix):
        yield from _streamed_sheets(path)
        return
    wb, visible = _open_workbook(path, suffix)
    if not visible:
        yield "", _sheet_rows(wb, None, path, suffix)
        return
    for sheet_name in visible:
        yield sheet_name, _sheet_rows(wb, sheet_name, path, suffix)


# Files of a .zip that are not rosters: macOS's resource forks, Office's lock files, Windows' thumbnails.
_JUNK = re.compile(r"(^|/)(__MACOSX/|\._|~\$|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The file's name as its maker wrote it: a .zip made by Windows' own compressed folders on a Chinese system
    stores GBK names without the UTF-8 flag, which zipfile reads as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


class _Unpacked:
    """A directory the files of a .zip are unpacked into; removed once the last sheet read from it is gone (the
    sheets' rows are read after all the sheets' headers, so it must outlive the loop that yields them)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="dangjian-zip-"))
        weakref.finalize(self, shutil.rmtree, self.dir, ignore_errors=True)


def _bundle_files(path: Path) -> Iterator[tuple[str, Path | None, _Unpacked]]:
    """(the file's name in the .zip, the unpacked file or None for a file that is not a roster's kind, the
    directory holding it) for every file of the .zip, in its order; a folder all files share is left out of the
    names. A .zip inside it (a county's bundle of its towns' bundles) is opened in its place, its files named as in a
    folder of the .zip's name (“城关镇/东村.xlsx”), up to BUNDLE_MAX_DEPTH levels; the limits count every level's
    files together."""
    unpacked = _Unpacked()
    yield from _zip_files(path, "", unpacked, _Budget(), 1)


class _Budget:
    """Files and unpacked bytes seen so far, over a .zip and the ones inside it (so that nesting cannot multiply
    the limits)."""

    def __init__(self):
        self.files = self.bytes = self.number = 0


def _zip_files(path: Path, name: str, unpacked: _Unpacked, budget: _Budget,
               depth: int) -> Iterator[tuple[str, Path | None, _Unpacked]]:
    """`_bundle_files` of the .zip at `path`: the upload (`name` "") or one inside it, by its name there."""
    prefix = name[:-len(suffix_of(name))] + "/" if name else ""  # its files' names: as in a folder of its name
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        if name:
            raise ReadError(f"压缩文件中的“{name}”无法读取（{type(e).__name__}）") from None
        raise ReadError(f"无法读取该压缩文件（{type(e).__name__}），请确认是有效的 .zip 文件") from None
    with z:
        infos = [(i, _member_name(i)) for i in z.infolist() if not i.is_dir()]
        infos = [(i, n) for i, n in infos if not _JUNK.search(n)]
        if not infos and not name:
            raise ReadError("压缩文件中没有文件")
        budget.files += len(infos)
        budget.bytes += sum(i.file_size for i, _ in infos)
        if budget.files > BUNDLE_MAX_FILES:
            raise ReadError(f"压缩文件中有{budget.files}个文件，一次最多导入{BUNDLE_MAX_FILES}个，请分批上传")
        if budget.bytes > BUNDLE_MAX_BYTES:
            raise ReadError(f"压缩文件解压后超过{BUNDLE_MAX_BYTES >> 30} GB，请分批上传")
        folders = {n.split("/", 1)[0] for _, n in infos}
        cut = len(folders.pop()) + 1 if len(folders) == 1 and all("/" in n for _, n in infos) else 0
        for info, member in infos:
            member = prefix + member[cut:]
            suffix = suffix_of(member)
            if suffix not in TABLE_SUFFIXES and suffix not in ARCHIVE_SUFFIXES:
                yield member, None, unpacked
                continue
            if suffix in ARCHIVE_SUFFIXES and depth >= BUNDLE_MAX_DEPTH:
                raise ReadError(f"压缩文件中的“{member}”是第{depth + 1}层压缩包，最多{BUNDLE_MAX_DEPTH}层，"
                                "请解压后重新打包")
            budget.number += 1
            target = unpacked.dir / f"{budget.number}{suffix}"
            try:
                with z.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, _BLOCK)
            except RuntimeError:  # zipfile: "File … is encrypted, password required"
                raise ReadError(f"压缩文件中的“{member}”有密码，请去掉密码后重新打包") from None
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
                raise ReadError(f"压缩文件中的“{member}”无法解压（{type(e).__name__}）") from None
            if suffix in ARCHIVE_SUFFIXES:
                yield from _zip_files(target, member, unpacked, budget, depth + 1)
                target.unlink()  # its files are unpacked beside it
                continue
            yield member, target, unpacked


def _bundle_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    """Every sheet of every file of the .zip, named by its file (“东村.xlsx”) or, in a workbook of several visible
    sheets, by its file and sheet (“东村.xlsx / 党员”); a file of another kind is a sheet without rows (passed over,
    and said)."""
    for name, target, unpacked in _bundle_files(path):
        if target is None:
            yield name, iter(())
            continue
        try:
            sheets = list(read_sheets(target, name))  # their names; no row is read yet
            for sheet, rows in sheets:
                label = f"{name}{BUNDLE_SHEET_SEP}{sheet}" if sheet and len(sheets) > 1 else name
                yield label[:100], _kept(rows, name, unpacked)
        except ReadError as e:
            raise _in_bundle(name, e) from None


def _kept(rows, name: str, unpacked: _Unpacked) -> Iterator[tuple[int, list]]:
    """The rows; the unpacked directory lives while this generator does. An error names the file."""
    try:
        yield from rows
    except ReadError as e:
        raise _in_bundle(name, e) from None


def _in_bundle(name: str, e: ReadError) -> ReadError:
    """A file of a .zip that cannot be read (when its sheets are listed, or later, while its rows are), named."""
    return ReadError(f"压缩文件中的“{name}”：{e}")


def _unreadable(e: Exception) -> ReadError:
    if "password" in f"{type(e).__name__} {e}".lower():  # calamine's PasswordError, an .xls's FILEPASS
        return ReadError(markup.PASSWORD_MESSAGE)
    return ReadError(f"无法读取该表格文件（{type(e).__name__}），请确认是有效的 Excel 文件")


def _open_workbook(path: Path, suffix: str):
    """(the calamine workbook, the names of its visible worksheets: not hidden ones such as a template's lists, not
    charts). calamine picks its reader by the name's suffix; a file whose content is of another kind (`kind_of`:
    an .xlsx renamed .xls) is opened through a link named with the kind's suffix (`_named_as`). Given as bytes
    instead (from_filelike), calamine could not tell a password-protected .xls from no workbook at all."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        if suffix_of(path.name) == suffix:
            wb = CalamineWorkbook.from_path(str(path))
        else:
            wb = _named_as(path, suffix, CalamineWorkbook)
        return wb, [m.name for m in wb.sheets_metadata
                    if str(m.visible).endswith("Visible") and not str(m.typ).endswith("ChartSheet")]
    except (CalamineError, OSError, IndexError, ValueError) as e:
        raise _unreadable(e) from None


def _named_as(path: Path, suffix: str, workbook):
    """The workbook at `path` opened by calamine as a file of kind `suffix`: through a symbolic link of that name in
    a temporary directory, removed once it is open (calamine has read what it needs, or holds the file open)."""
    with tempfile.TemporaryDirectory(prefix="dangjian-kind-") as tmp:
        link = Path(tmp) / f"book{suffix}"
        try:
            link.symlink_to(path.resolve())
        except OSError:  # no links on this file system: as bytes
            with open(path, "rb") as f:
                return workbook.from_filelike(f)
        return workbook.from_path(str(link))


def _streamed_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    from .xlsx_stream import XlsxError, visible_sheets

    try:
        sheets = visible_sheets(path)
    except (XlsxError, KeyError, ValueError, OSError, SyntaxError) as e:
        raise _unreadable(e) from None
    if len(sheets) <= 1:
        yield "", _read_xlsx_streamed(path)
        return
    for sheet_name, part in sheets:
        yield sheet_name, _read_xlsx_streamed(path, part)


def _streamed(path: Path, suffix: str) -> bool:
    from .xlsx_stream import sheet_bytes

    return suffix in (".xlsx", ".xlsm") and sheet_bytes(path) > STREAM_XLSX_ABOVE


# Above this much worksheet XML (uncompressed; ~300,000 rows of the member template) an .xlsx is streamed by
# `xlsx_stream` in bounded memory instead of being read whole by calamine (~1.4 bytes of memory per byte of
# XML: a million rows took ~900 MB). calamine is about three times faster, so smaller files keep it.
STREAM_XLSX_ABOVE = 200 << 20


def _read_spreadsheet(path: Path, suffix: str) -> Iterator[tuple[int, list]]:
    if _streamed(path, suffix):
        yield from _read_xlsx_streamed(path)
        return
    wb, visible = _open_workbook(path, suffix)
    yield from _sheet_rows(wb, visible[0] if visible else None, path, suffix)


def _sheet_rows(wb, sheet_name: str | None, path: Path, suffix: str) -> Iterator[tuple[int, list]]:
    """One worksheet's rows (None: the first), vertical merges filled, a date shown without its day a MonthDate."""
    from python_calamine import CalamineError

    try:
        sheet = wb.get_sheet_by_index(0) if sheet_name is None else wb.get_sheet_by_name(sheet_name)
    except (CalamineError, OSError, IndexError, ValueError) as e:
        raise _unreadable(e) from None
    # iter_rows starts at the sheet's first row (absolute row 0), so enumerate gives Excel's numbers;
    # columns start at the first used column, which is harmless because headers are matched by name.
    rows = enumerate(sheet.iter_rows(), start=1)
    if no_day := _no_day_cells(path, suffix, sheet_name):
        rows = _month_dates(rows, no_day, _first_column(sheet))
    merged = _vertical_merges(sheet)
    yield from (_filled(rows, merged) if merged else ((number, list(cells)) for number, cells in rows))


def _first_column(sheet) -> int:
    try:
        return sheet.start[1] if sheet.start else 0
    except (AttributeError, TypeError, IndexError):
        return 0


def _no_day_cells(path: Path, suffix: str, sheet_name: str | None) -> dict[int, list[int]]:
    """The cells formatted as a date without a day: {row number: [column index from A]}, which calamine, giving
    values only, cannot say. Read by `xlsx_stream`, `xlsb`, `xls` (xlrd) or `ods`."""
    from . import ods, xls, xlsb, xlsx_stream

    reader = {".xlsx": xlsx_stream.no_day_cells, ".xlsm": xlsx_stream.no_day_cells, ".xlsb": xlsb.no_day_cells,
              ".xls": xls.no_day_cells, ".ods": ods.no_day_cells}.get(suffix)
    if reader is None:
        return {}
    try:
        return reader(path, sheet_name)
    except Exception:  # noqa: BLE001 -- calamine read the values; formats that cannot be read leave the dates as dates
        logger.warning("could not read the number formats of %s", path.name, exc_info=True)
        return {}


def _month_dates(rows, no_day: dict[int, list[int]], first_col: int) -> Iterator[tuple[int, list]]:
    """The rows with each date on the 1st of a month in a cell formatted without a day made a MonthDate."""
    for number, cells in rows:
        if number in no_day:
            cells = list(cells)
            for col in no_day[number]:
                i = col - first_col
                if 0 <= i < len(cells) and type(cells[i]) is dt.date and cells[i].day == 1:
                    cells[i] = MonthDate(cells[i].year, cells[i].month, 1)
        yield number, cells


def _vertical_merges(sheet) -> dict[int, list[tuple[int, int]]]:
    """Cells merged down one column (a branch's code merged over its members' rows, as rosters often are):
    {first row number: [(cell index, last row number)]}. Merges across columns (titles) are left alone."""
    try:
        ranges = sheet.merged_cell_ranges or ()
    except (AttributeError, TypeError, ValueError):
        return {}
    first_col = _first_column(sheet)
    spans: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        if c0 == c1 and r1 > r0 and c0 >= first_col:
            spans.setdefault(r0 + 1, []).append((c0 - first_col, r1 + 1))
    return spans


def _filled(rows, merged: dict[int, list[tuple[int, int]]]) -> Iterator[tuple[int, list]]:
    """The rows with every vertically merged cell holding the merge's value, as the sheet shows it."""
    active: dict[int, tuple[int, object]] = {}  # cell index -> (last row of the merge, its value)
    for number, cells in rows:
        cells = list(cells)
        for index, last in merged.get(number, ()):
            active[index] = (last, cells[index] if index < len(cells) else "")
        for index, (last, value) in list(active.items()):
            if number > last:
                del active[index]
            elif index < len(cells):
                cells[index] = value
            else:
                cells.extend([""] * (index - len(cells)) + [value])
        yield number, cells


def _spreadsheetml_sheets(path: Path) -> list[tuple[str, int]]:
    try:
        return markup.spreadsheetml_sheets(path)
    except (ValueError, OSError) as e:
        raise _unreadable(e) from None


def _archive_sheets(path: Path) -> list:
    from . import mhtml

    try:
        return mhtml.sheets(path)
    except mhtml.NoSheet as e:
        raise ReadError(str(e)) from None
    except (ValueError, OSError, LookupError) as e:
        raise _unreadable(e) from None


def _read_markup(rows) -> Iterator[tuple[int, list]]:
    try:
        yield from rows
    except (ValueError, OSError, LookupError) as e:
        raise _unreadable(e) from None


def _read_xlsx_streamed(path: Path, part: str | None = None) -> Iterator[tuple[int, list]]:
    from xml.etree.ElementTree import ParseError

    from .xlsx_stream import XlsxError, rows, vertical_merges

    try:
        merged = vertical_merges(path, part)
        yield from _filled(rows(path, part), merged) if merged else rows(path, part)
    except (XlsxError, ParseError, KeyError, ValueError, IndexError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise _unreadable(e) from None


BOM_ENCODINGS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_BLOCK = 1 << 20


def decodes_as(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes, checked block by block (constant memory)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as f:
            while block := f.read(_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030 — a
    superset of GBK and GB2312, what Excel on Chinese Windows writes as "CSV"."""
    with open(path, "rb") as f:
        head = f.read(4)
    for bom, encoding in BOM_ENCODINGS:
        if head.startswith(bom):
            return encoding
    for encoding in ("utf-8", "gb18030"):
        if decodes_as(path, encoding):
            return encoding
    raise ReadError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件")


def _read_csv(path: Path) -> Iterator[tuple[int, list]]:
    # Streamed: the file is decoded and split as it is read, so a million-row CSV never sits in
    # memory as one string (the encoding is settled first by a cheap decoding pass).
    try:
        encoding = csv_encoding(path)
        f = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed below
    except OSError as e:
        raise ReadError(f"无法读取文件：{e.strerror}") from None
    with f:
        first_line = f.readline()
        f.seek(0)
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        reader = csv.reader(f, delimiter=delimiter)
        try:
            # A quoted cell may span lines; line_num after reading a record is its last physical line, so
            # count records instead: a roster row is one record, and that is what Excel numbers.
            yield from enumerate(reader, start=1)
        except csv.Error as e:
            raise ReadError(f"CSV 文件格式错误：{e}") from None


def count_rows(path: str | Path, name: str | None = None) -> int:
    """Rows of the file after the first (the header), to decide between a direct and a background
    import; a file that cannot be read counts 0 so that the direct import reports the reason. An .xlsx that
    declares the used range of each of its sheets is not read at all (`xlsx_stream.declared_rows`): counting a
    million-row workbook by reading it took longer than a web request may. A CSV without quotes is counted by its line
    breaks (`_unquoted_lines`), before its encoding is known: a large one that does not decode goes to the
    background job, which reports it."""
    try:
        suffix = kind_of(Path(path), name)
    except ReadError:
        return 0
    if suffix in ARCHIVE_SUFFIXES:  # each file as it would be counted alone
        try:
            return sum(count_rows(target, name) for name, target, _ in _bundle_files(Path(path)) if target)
        except ReadError:
            return 0
    if suffix in (".xlsx", ".xlsm"):
        declared = _declared_rows(Path(path))
        if declared is not None:
            return declared
    elif suffix in CSV_SUFFIXES:
        lines = _unquoted_lines(Path(path))
        if lines is not None:
            return max(lines - 1, 0)
    elif suffix in markup.MARKUP_KINDS:
        rows = markup.count_rows(Path(path), suffix)
        if rows is not None:
            return max(rows - 1, 0)
    elif suffix in MHTML_SUFFIXES:  # each sheet's page's rows, counted by their tags
        try:
            return sum(max(page.count_rows() - 1, 0) for _name, page in _archive_sheets(Path(path)))
        except ReadError:
            return 0
    try:  # a workbook of several sheets: all of them, each less its header
        return sum(max(sum(1 for _ in rows) - 1, 0) for _, rows in _sheets_of(Path(path), suffix))
    except ReadError:
        return 0


def _declared_rows(path: Path) -> int | None:
    """The rows after the header of every sheet `read_sheets` gives, as their used ranges declare them; None when
    one does not say (the caller then counts)."""
    from .xlsx_stream import XlsxError, declared_rows, visible_sheets

    try:
        parts = [part for _name, part in visible_sheets(path)] or [None]
    except (XlsxError, KeyError, ValueError, OSError, SyntaxError, zipfile.BadZipFile):
        return None
    total = 0
    for part in parts:
        declared = declared_rows(path, part)
        if declared is None:
            return None
        total += max(declared - 1, 0)
    return total


def _unquoted_lines(path: Path) -> int | None:
    """The records of a CSV file that has no quote character: its lines, counted in the bytes (about ten times
    faster than decoding and splitting it, which a web upload of a million rows waited ~2 s for). None when a
    quote could put a line break inside a cell, for UTF-16 (its line breaks are two bytes), or when unreadable.
    In UTF-8 and GB18030 the bytes of '"', CR and LF never occur inside a multibyte character."""
    try:
        with open(path, "rb") as f:
            if f.read(2) in (b"\xff\xfe", b"\xfe\xff"):
                return None
            f.seek(0)
            lf = cr = 0
            last = b""
            while block := f.read(_BLOCK):
                if b'"' in block:
                    return None
                lf += block.count(b"\n")
                cr += block.count(b"\r")
                last = block[-1:]
    except OSError:
        return None
    lines = lf or cr  # CRLF and LF files count their LFs; old Mac files have only CRs
    return lines + (1 if last and last not in b"\r\n" else 0)
