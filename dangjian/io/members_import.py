"""Member roster import (党员名册导入): file -> check -> one transaction.

`import_members(path, ...)` is a pure function of the file and the database, so the command line,
the web page and a background task call the same thing. It runs in two phases:

1. Check (no transaction open): the file is streamed in chunks of CHUNK rows; each chunk is cleaned,
   looked up against the registry with set-based queries (orgs by code, active members by ID number)
   and validated. Every invalid row is reported. Valid rows go to a spool (a temporary file), not to
   memory, so a million-row file checks in bounded memory; per-row outcomes are kept only when the
   web preview asks for them (`keep_rows`).
2. Write, only when no row was invalid: the spool is replayed inside one transaction (on PostgreSQL
   with hand-written COPY text for new members and their history rows, and a COPY into a temporary
   table plus one UPDATE per chunk for changed members). An invalid row or an interruption leaves the
   database as it was; a member changed by someone else between the phases aborts the import.

On PostgreSQL outside any transaction (the command line, the background job) the two phases overlap
(`_Pipe`): a second connection, in its own thread and its own transaction, writes chunk k while chunk
k+1 is checked, so the database's work (index upkeep, constraint checks) runs on another core beside
the check. The first invalid row stops the writing and rolls that transaction back (the check goes on
to report every invalid row); it commits only after the last row checked clean. Inside a caller's
transaction (tests, a caller that wants the import in its own unit) a second connection could not see
the caller's rows, so there the phases run one after the other as above. Outside a transaction, too, the
registered members of chunk k+1's ID numbers are looked up on a third connection (`_Checker.start_lookahead`)
while chunk k is checked: a file of members already registered (a branch's roster sent back) waits for no lookup.

A row's checks are the member form's (`members.validation.validate_member`), plus the roster's own:
unknown or non-branch organization, an ID repeated in the file, an ID held by an active member of
another organization (moving a member is a transfer, not an import), enumerated values, required cells.
Rows on the common path are checked by `_quick_valid`, a transcription of `validate_member` that only
says "valid" (tests keep the two in agreement); any row it does not pass goes through
`validate_member` itself, so every message is the form's. The common row as a whole (all cells parsed, a
new member or one registered in that branch, valid, its ID not yet in the file) is taken by
`_Checker.quick`; every other row by `_Checker.row`, which finds and words what is wrong (a test runs a
varied file both ways and compares everything).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import itertools
import operator
import pickle
import queue
import re
import tempfile
import threading
from collections import defaultdict
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from dangjian.core import audit, idcard
from dangjian.core import phone as phones
from dangjian.core.dates import DateError, PartialDate, add_years
from dangjian.core.names import normalize_name
from dangjian.core.scope import scope_for
from dangjian.members.choices import Category, Education, Gender, Status, education_from_text
from dangjian.members.models import Member
from dangjian.members.search import pinyin_keys
from dangjian.members.validation import validate_member
from dangjian.orgs.models import Org
from dangjian.rules import membership
from dangjian.rules.base import value as rule_value

from . import columns as C
from .named_branches import (
    Fits,
    Unnamed,
    branches_ending,
    branches_named,
    listed,
    said_unnamed,
    sheet_places,
    sheet_texts,
    short_names,
    told_apart,
)
from .readers import ReadError, read_sheets
from .result import CREATE, ERROR, UNCHANGED, UPDATE, ImportResult, RowOutcome, place

CHUNK = 5000  # rows checked together (one lookup round) and written together (one COPY)
LOOKUP = 2000  # IN-list size of lookups and batch size of the ORM writes (well under SQLite's limits)
_ROW_BITS = 32  # a row number and, above it, the index of its sheet: `_Checker.first_row_of`
_ROW_MASK = (1 << _ROW_BITS) - 1
BY_NAME = {c.name: c for c in C.MEMBER_INPUT_COLUMNS}
COLUMN_OF_FIELD = {c.key: c.name for c in C.MEMBER_COLUMNS}
# Model fields a roster row can set (the import never touches status, address, mobility, user).
ROW_FIELDS = ["name", "gender", "ethnicity", "id_number", "birth_date", "education", "category", "joined_on",
              "confirmed_on", "job", "phone", "org"]
VALUE_FIELDS = ROW_FIELDS[:-1]  # what an update may change (a member changes organization by a transfer)
# What a new member gets for a column the file does not have (gender and birth date come from the ID).
NEW_DEFAULTS = {"gender": None, "birth_date": None, "confirmed_on": None, "job": "", "phone": "", "ethnicity": "汉族"}
_values_of = operator.itemgetter(*VALUE_FIELDS)
_CURRENT = ["id", "updated_at", "org_id", *VALUE_FIELDS]
_ID_AT = _CURRENT.index("id_number")
MESSAGE_CONFLICT = "导入期间名册已被他人修改，未写入任何数据，请重新导入"


class ImportConflict(Exception):
    """A member changed between the check and the write; the transaction is rolled back."""


def import_members(path, *, file_name: str | None = None, default_org: str | None = None, user=None, by=None,
                   dry_run: bool = False, source: str = "cli", progress=None, keep_rows: bool = True,
                   sink=None) -> ImportResult:
    """Check `path` and, when every row is valid and not `dry_run`, write it.

    `user`: whose scope limits the rows (None = the operator at the command line: everything).
    `by`: the actor recorded in history and the event log. `default_org`: code used for rows that
    name no organization. `progress(stage, done, total)`: called after every CHUNK rows with stage
    "check" (total None: the file is streamed) and once with "write" before the one transaction.
    `keep_rows`: keep every row's outcome in `result.rows` (the web preview); the counts and the
    errors are always kept. `sink(outcomes)`: where the kept outcomes go every ImportResult.FLUSH rows
    instead of all staying in `result.rows` (the caller flushes the last ones: `result.flush()`).
    """
    result = ImportResult(kind="members", file_name=file_name or Path(path).name, keep_rows=keep_rows, sink=sink)
    if dry_run:
        check_members(path, result, None, default_org=default_org, user=user, progress=progress)
        return result
    now = timezone.now()
    reason = f"导入：{result.file_name}"[:100]
    copy_format = _CopyFormat(now, reason, by) if connection.vendor == "postgresql" else None
    piped = copy_format is not None and not connection.in_atomic_block
    with (_Pipe(copy_format) if piped else Spool(copy_format)) as spool:
        check_members(path, result, spool, default_org=default_org, user=user, progress=progress)
        if result.ok:
            if progress is not None:
                progress("write", 0, spool.rows)
            try:
                if piped:
                    spool.commit(result, by=by, source=source)
                else:
                    write_members(spool, result, by=by, source=source, now=now, reason=reason)
            except (IntegrityError, ImportConflict):
                # Someone registered or changed one of these members between the check and the write;
                # the transaction rolled back, so the file can simply be imported again.
                result.errors = [C.error(1, "公民身份号码", "", MESSAGE_CONFLICT)]
    return result


# ------------------------------------------------------------------------------------------ the spool
class Spool:
    """Valid rows between the phases, pickled to a temporary file one chunk at a time, and what the
    write needs besides them (counter deltas per org, the span of touched org paths). On PostgreSQL
    new members are spooled as their COPY text already (`_CopyFormat`), so the write only streams."""

    def __init__(self, copy_format: _CopyFormat | None = None):
        self.file = tempfile.TemporaryFile(prefix="dangjian-import-")  # noqa: SIM115 - closed in __exit__
        self.copy_format = copy_format
        self.rows = 0
        self.direct: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # org pk -> [full, probationary]
        self.paths: dict[int, str] = {}
        self.lo: str | None = None
        self.hi: str | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def put(self, creates: list[tuple], updates: list[tuple]) -> None:
        if creates or updates:
            self.rows += len(creates) + len(updates)
            if creates and self.copy_format is not None:
                creates = self.copy_format.lines(creates)
            pickle.dump((creates, updates), self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self):
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def count(self, org: Org, category: str, sign: int) -> None:
        """A member of `org` in `category` comes (+1), goes (-1) or changes in place (0)."""
        if sign:
            self.direct[org.id][0 if category == Category.FULL else 1] += sign
        path = self.paths[org.id] = org.path
        if self.lo is None or path < self.lo:
            self.lo = path
        if self.hi is None or path > self.hi:
            self.hi = path


class _Pipe(Spool):
    """The spool of an overlapped import (PostgreSQL, no transaction open): each checked chunk goes
    through a short queue to a writer thread, which has its own connection and holds one transaction
    open from the first chunk to `commit`. Leaving the `with` block without `commit` (an invalid row,
    an error while checking) rolls that transaction back; so does a killed process, as PostgreSQL
    ends the transaction of a lost connection."""

    DEPTH = 3  # chunks waiting for the writer: the check runs at most this far ahead, memory stays bounded
    _ABORT = object()

    def __init__(self, copy_format: _CopyFormat):
        super().__init__(copy_format)
        self.queue: queue.Queue = queue.Queue(self.DEPTH)
        self.thread: threading.Thread | None = None
        self.failed: BaseException | None = None

    def put(self, creates: list[tuple], updates: list[tuple]) -> None:
        if self.failed is not None or not (creates or updates):
            return  # the write has failed: nothing more to send, commit() reports it
        if self.thread is None:
            self.thread = threading.Thread(target=self._write, name="dangjian-import-writer", daemon=True)
            self.thread.start()
        self.rows += len(creates) + len(updates)
        # The COPY text is finished here, primary keys and all (drawn on this thread's connection: a
        # sequence is not transactional), so that the writer only streams and its database never
        # waits for Python between two chunks.
        self.queue.put((self.copy_format.texts(self.copy_format.lines(creates)) if creates else None, updates))

    def commit(self, result: ImportResult, *, by=None, source: str = "cli") -> None:
        """Every row checked clean: the counters and the event, then the writer's commit."""
        if self.thread is None:  # no row to write (every row unchanged): only the event
            with transaction.atomic():
                _finish_write(self, result, by=by, source=source)
        else:
            self.queue.put(("commit", result, by, source))
            self.thread.join()
            self.thread = None  # ended: nothing for __exit__ to abort
            if self.failed is not None:
                raise self.failed
        result.written = True

    def __exit__(self, *exc):
        if self.thread is not None:
            self.queue.put(self._ABORT)
            self.thread.join()
        super().__exit__(*exc)

    def _write(self) -> None:
        """The writer thread (its own database connection: Django keeps one per thread)."""
        ended = False  # the check has sent its last message (commit or abort): nothing more will come
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    # The organization foreign key is checked with each COPY, beside the check, not all
                    # at the commit after it.
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                writer = _CopyWriter(self.copy_format)
                while True:
                    item = self.queue.get()
                    if item is self._ABORT:
                        ended = True
                        raise _Aborted
                    if item[0] == "commit":
                        ended = True
                        _finish_write(self, item[1], by=item[2], source=item[3])
                        return
                    texts, updates = item
                    if texts:
                        writer.copy(*texts)
                    if updates:
                        writer.update(updates)
        except _Aborted:
            pass
        except BaseException as e:  # noqa: BLE001 - handed to the checking thread, which raises it
            self.failed = e
            # Drain what the check still sends until it stops, so that it never waits on a full queue (and
            # wait for nothing when the failure came with its last message: it is waiting for this thread).
            while not ended:
                item = self.queue.get()
                ended = item is self._ABORT or item[0] == "commit"
        finally:
            connection.close()


class _Aborted(Exception):
    """The check found an invalid row (or failed): the writer rolls back."""


# ------------------------------------------------------------------------------------------ the check
def _label(name: str, number: str) -> str:
    return f"{name}（{idcard.mask(number)}）" if number else name


def _display(field: str, value) -> str:
    if value is None or value == "":
        return ""
    if field == "gender":
        return Gender(value).label
    if field == "education":
        return Education(value).label
    if field == "category":
        return Category(value).label
    if field == "org":
        return value.code if isinstance(value, Org) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _parse_row(number: int, raw: dict, default_org: str | None) -> tuple[dict, list[dict]]:
    """Cells -> model values, with a message for every bad cell. Only the columns present in the file
    appear in the result. (`_Checker._cell` is the same for cells it takes.)"""
    data: dict = {}
    errors: list[dict] = []

    def err(col: C.Column, value, message):
        errors.append(C.error(number, col.name, value, message))

    # A birth year and month, checked against the ID below: (year, the months it may mean, the cell as typed, the
    # date to keep when the ID disagrees: None for a written 1990.03, the cell's date for an Excel date on the 1st).
    birth_month = None
    for name, cell in raw.items():
        col = BY_NAME[name]
        if col.kind == "date":
            text = C.clean_text(cell)
            try:
                value = C.clean_date(cell)
            except PartialDate as e:
                if col.key == "birth_date":  # “出生年月” columns: checked against the ID below
                    birth_month = (e.year, e.months, text, None)
                else:
                    err(col, text, str(e))
                continue
            except DateError as e:
                err(col, text, str(e))
                continue
            if col.key == "birth_date" and _may_be_year_month(cell, value):
                # Excel stores a typed 1990-3 (shown 1990年3月, 1990.03) as the date 1990-03-01: a year and month
                # too, but a month that disagrees with the ID is the full date's error, not the year and month's.
                birth_month = (value.year, (value.month,), text, value)
        elif col.kind == "code":
            if (lost := C.lost_digits(cell)) is not None:
                err(col, *lost)
                continue
            text = value = C.clean_code(cell)
            if col.key == "phone" and "*" in text:
                err(col, text, idcard.MASKED)
                continue
        else:
            text = value = C.clean_text(cell)
            if col.key == "name" and text:
                text = value = normalize_name(text)
        if value in ("", None):
            if col.key == "org" and default_org:
                data["org"] = default_org
                continue
            if col.required:
                err(col, "", f"请填写{col.name}")
                continue
            data[col.key] = None if col.kind == "date" or col.key == "gender" else ""
            continue
        if col.max_length and len(text) > col.max_length:
            err(col, text, f"{col.name}不能超过{col.max_length}个字")
            continue
        if col.key == "gender":
            value = C.GENDER_BY_LABEL.get(text)
            if value is None:
                err(col, text, "性别应为“男”或“女”")
                continue
        elif col.key == "category":
            value = C.CATEGORY_BY_LABEL.get(text)
            if value is None:
                err(col, text, "人员类别应为“正式党员”或“预备党员”")
                continue
        elif col.key == "education":
            value = education_from_text(text)
            if value is None:
                err(col, text, "无法识别的学历，请填写：" + "、".join(Education.labels))
                continue
        elif col.key == "ethnicity":
            if text not in C.ETHNICITY_SET and text + "族" in C.ETHNICITY_SET:
                value = text + "族"  # “汉” for 汉族
            elif text not in C.ETHNICITY_SET:
                err(col, text, "无法识别的民族，请填写全称，如“汉族”“回族”")
                continue
        data[col.key] = value
    if "org" not in data and default_org:
        data["org"] = default_org
    if birth_month is not None:
        # A birth year and month (2003.10) is enough: the day comes from the ID, as for an empty cell, once the
        # two agree. A bad or missing ID has its own message; the birth cell then adds none.
        year, months, text, as_date = birth_month
        info = id_birth_sex(idcard.normalize(data.get("id_number") or ""))  # None: the ID cell has its own error
        data["birth_date"] = as_date
        if info is not None:
            if info[0].year == year and info[0].month in months:
                data["birth_date"] = info[0]
            elif as_date is None:
                err(BY_NAME["出生日期"], text, f"出生年月与公民身份号码不符（号码中为{info[0].year}年{info[0].month}月）")
    return data, errors


def _may_be_year_month(cell, value) -> bool:
    """A date cell (not text) on the first of a month: what Excel makes of a year and month typed in."""
    return isinstance(cell, dt.date) and value is not None and value.day == 1


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ZERO = 48 * sum(_WEIGHTS)  # the weighted sum of seventeen "0" characters' code points
_CHECK = "10X98765432"
_DIGITS17 = frozenset("0123456789")


@functools.lru_cache(maxsize=100_000)
def _birth_of(ymd: str) -> dt.date | None:
    try:
        birth = dt.date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    except ValueError:
        return None
    return birth if birth.year >= 1900 else None


def id_birth_sex(number: str) -> tuple[dt.date, str] | None:
    """(birth date, sex) of a well-formed 公民身份号码 (already `idcard.normalize`d), or None when
    `idcard.parse` would refuse it. The same checks as `idcard.parse`, without building its result:
    this runs once per row."""
    if len(number) != 18 or not _DIGITS17.issuperset(number[:17]):
        return None
    birth = _birth_of(number[6:14])
    if birth is None:
        return None
    if _CHECK[(sum(map(operator.mul, number[:17].encode(), _WEIGHTS)) - _ZERO) % 11] != number[17]:
        return None
    return birth, ("M" if ord(number[16]) & 1 else "F")  # "0" is 48: odd code point, odd digit


@functools.lru_cache(maxsize=50_000)
def _adult_on(birth: dt.date, years: int) -> dt.date:
    return add_years(birth, years)


def _quick_valid(m: dict, org: Org | None, today: dt.date, min_age: int, stored_phone: str | None = None) -> bool:
    """True only when `validate_member(m, stored_phone=stored_phone)` would find nothing; then it also fills
    in what that fills in (normalized ID number, birth date and sex from the ID). False means: ask
    validate_member."""
    number = m.get("id_number") or ""
    if not (number.isascii() and number.isalnum()) or "x" in number:  # the import hands it in normalized
        number = idcard.normalize(number)
    info = id_birth_sex(number)
    if info is None:
        return False
    birth, sex = info
    b = m.get("birth_date")
    if b is not None and b != birth:
        return False
    g = m.get("gender")
    if g and g != sex:
        return False
    if birth > today:
        return False
    joined = m.get("joined_on")
    if joined is None or joined > today or joined < _adult_on(birth, min_age):
        return False
    confirmed = m.get("confirmed_on")
    if confirmed is not None and (confirmed > today or confirmed <= joined
                                  or m.get("category") == Category.PROBATIONARY):
        return False
    if org is not None and not org.is_branch:
        return False
    if phones.new_problem(m.get("phone") or "", stored_phone) is not None:
        return False
    m["id_number"], m["birth_date"] = number, birth
    if not g:
        m["gender"] = sex
    return True


def _array_literal(texts: list[str]) -> str:
    """PostgreSQL's text form of an array of `texts`; ID numbers (letters and digits) go in unquoted,
    anything else quoted and escaped (an unquoted NULL would be the null value)."""
    return "{" + ",".join([t if t.isascii() and t.isalnum() and t.upper() != "NULL" else
                           '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in texts]) + "}"


_FAIL = object()  # a cell the fast path cannot take: the row goes through `_parse_row`
_MISS = object()
_MEMO_MAX = 100_000  # distinct cell values remembered per column (dates, jobs, codes repeat)


class _Checker:
    """Checks one chunk of rows at a time; remembers across chunks what a file-wide check needs (ID
    numbers seen and on which row, organizations looked up, cells already parsed).

    Cells are parsed column by column (a roster's columns repeat: the same dates, codes, jobs and
    enumerated values), so the common row costs a few dictionary hits instead of a function call per
    cell. A cell the fast parse does not take sends its row through `_parse_row`, which says why."""

    def __init__(self, header: C.HeaderMap, result: ImportResult, spool: Spool | None, *, default_org, user):
        self.result, self.spool, self.default_org = result, spool, default_org
        self.codes_of_name: dict[str, list[str]] = {}
        self.alike_of_name: dict[str, tuple[str, list]] = {}  # short names several branches end with, and those
        self.places: tuple[str, ...] = ()  # the places of the sheet's folders (set per sheet)
        self.code_under_folders: dict[tuple, str | None] = {}
        self.alike_messages: dict[str, str] = {}
        self.fits: Fits | None = None  # the lineages read and the places known so far
        self.use_header(header)
        self.scope = scope_for(user) if user is not None else None
        self.today = timezone.localdate()
        self.min_age = rule_value(membership.MIN_AGE)
        self.orgs: dict[str, Org | None] = {}
        self.holders: dict[int, Org] = {}
        self.allowed: dict[int, bool] = {}  # org pk -> may `user` import members into it
        self.padded: dict[str, tuple[str, str] | None] = {}  # unknown code -> (the code with its zeros, name)
        # First row of every ID number in the file, keyed by the number's first 17 digits as an int
        # (the 18th follows from them): a million entries stay near 100 MB. In a workbook of several sheets the
        # sheet's index is in the bits above the row number (`where` reads it back).
        self.first_row_of: dict[int, int] = {}
        self.seen_rows = 0
        self.lookahead: concurrent.futures.ThreadPoolExecutor | None = None  # `start_lookahead`
        self.pending = None  # the chunk whose members the lookahead thread is looking up
        self.sheet_names: list[str] = []  # of a workbook whose sheets are imported together
        self.sheet_bits = 0

    def use_header(self, header: C.HeaderMap) -> None:
        """The columns of the sheet read next."""
        # Organizations named by their name (所在党组织) when the file gives no codes; with codes, names are not read.
        self.by_name = C.ORG_NAME.name in header.index and COLUMN_OF_FIELD["org"] not in header.index
        if C.ORG_NAME.name in header.index and not self.by_name:
            index = {n: i for n, i in header.index.items() if n != C.ORG_NAME.name}
            header = C.HeaderMap(row=header.row, index=index)
        self.names = list(header.index)
        self.keys = [BY_NAME[n].key for n in self.names]
        self.width = max(header.index.values()) + 1
        self.getter = operator.itemgetter(*header.index.values())
        self.specs = []
        for name in self.names:
            col = BY_NAME[name]
            table = {"gender": C.GENDER_BY_LABEL, "category": C.CATEGORY_BY_LABEL,
                     "education": C.EDUCATION_BY_LABEL}.get(col.key)
            memo = None if col.key in ("name", "id_number", "phone") else {}  # nearly unique per row
            self.specs.append((col.key, col.kind, col.max_length, col.required, table, memo))

    def use_sheet(self, index: int, names: list[str]) -> None:
        """Rows from here on are sheet `index` of the sheets `names` (imported together)."""
        self.sheet_names, self.sheet_bits = names, index << _ROW_BITS

    def where(self, at: int) -> str:
        """“第5行”, or “工作表“西村”第5行” for a row of another sheet than the one being read (`first_row_of`)."""
        index, row = at >> _ROW_BITS, at & _ROW_MASK
        return place(row, self.sheet_names[index] if index != self.sheet_bits >> _ROW_BITS else "")

    def cells(self, cells: list) -> tuple:
        if len(cells) < self.width:
            cells = list(cells) + [""] * (self.width - len(cells))
        got = self.getter(cells)
        return got if len(self.names) > 1 else (got,)

    def _cell(self, spec, v):
        """One cell as `_parse_row` would read it when it finds nothing wrong, else _FAIL."""
        key, kind, max_length, required, table, _memo = spec
        if kind == "date":
            if type(v) is str:
                v = v.strip()
                try:
                    value = C.clean_date(v) if v else None
                except DateError:
                    return _FAIL
            elif type(v) is dt.date or type(v) is dt.datetime:
                if key == "birth_date" and v.day == 1:
                    return _FAIL  # perhaps a year and month: `_parse_row` checks it against the ID
                value = v if type(v) is dt.date else v.date()
            else:
                return _FAIL  # numbers (Excel serials, 20200105): `_parse_row` knows them
            return _FAIL if value is None and required else value
        if kind == "code":
            if C.lost_digits(v) is not None:
                return _FAIL
            text = C.clean_code(v)
            if key == "id_number":
                text = idcard.normalize(text)
            elif key == "phone" and "*" in text:
                return _FAIL
        else:
            text = C.clean_text(v)
            if key == "name" and text:
                text = normalize_name(text)
        if not text:
            if key == "org" and self.default_org:
                return self.default_org
            if required:
                return _FAIL
            return None if key == "gender" else ""
        if max_length and len(text) > max_length:
            return _FAIL
        if table is not None:
            value = table.get(text)
            if value is None and key == "education":
                value = education_from_text(text)  # once per distinct cell: the column's memo keeps it
            return _FAIL if value is None else value
        if key == "ethnicity" and text not in C.ETHNICITY_SET:
            return _FAIL
        return text

    def _column(self, spec, column: tuple) -> list:
        cell, memo = self._cell, spec[5]
        if memo is None:
            key, kind, max_length = spec[:3]
            if key == "name":  # the one free-text column: strip it; anything unusual goes the long way
                return [t if type(v) is str and (t := v.strip()) and len(t) <= max_length and t.isalpha()
                        else cell(spec, v) for v in column]
            if kind == "code":
                # ID and phone numbers as they nearly always come: ASCII letters and digits only, which
                # `clean_code` leaves as they are (`idcard.normalize` upper-cases the X).
                limit = max_length or 1 << 30
                upper = key == "id_number"
                return [(v.upper() if upper else v) if type(v) is str and v.isascii() and v.isalnum()
                        and len(v) <= limit else cell(spec, v) for v in column]
            return [cell(spec, v) for v in column]
        get = memo.get
        out = [get(v, _MISS) for v in column]  # nearly every cell is one seen before
        if _MISS in out:
            for i, value in enumerate(out):
                if value is _MISS:
                    v = column[i]
                    value = get(v, _MISS)  # an earlier cell of this chunk may have had the same value
                    if value is _MISS:
                        value = cell(spec, v)
                        if len(memo) < _MEMO_MAX:
                            memo[v] = value
                    out[i] = value
        return out

    def _lookup_orgs(self, codes: set) -> None:
        new_codes = [c for c in codes if c not in self.orgs]
        for i in range(0, len(new_codes), LOOKUP):
            part = new_codes[i:i + LOOKUP]
            found = {o.code: o for o in Org.objects.filter(code__in=part)}
            for code in part:
                self.orgs[code] = org = found.get(code)
                if org is not None:
                    self.allowed[org.id] = self.scope is None or self.scope.covers(org.path, "change_member")

    @staticmethod
    def _existing(numbers: list) -> dict[str, dict]:
        """The active members with these ID numbers (on the calling thread's connection)."""
        existing: dict[str, dict] = {}
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of IN placeholders (Django prepares each one), sent as
            # one array literal (psycopg's adaptation of a list of 5,000 strings costs more than the query).
            # updated_at comes as text: it only goes back to the database (the write's changed-meanwhile guard),
            # and psycopg's timestamptz parsing was a fifth of the lookup of a file of known members.
            sql = (f"SELECT {', '.join('updated_at::text' if c == 'updated_at' else c for c in _CURRENT)} "
                   f"FROM {Member._meta.db_table} "
                   "WHERE id_number = ANY(%s::varchar[]) AND status = %s")
            with connection.cursor() as cur:
                for i in range(0, len(numbers), CHUNK):
                    cur.execute(sql, [_array_literal(numbers[i:i + CHUNK]), Status.NORMAL])
                    for values in cur.fetchall():
                        existing[values[_ID_AT]] = dict(zip(_CURRENT, values))
        else:
            for i in range(0, len(numbers), LOOKUP):
                qs = Member.objects.filter(id_number__in=numbers[i:i + LOOKUP], status=Status.NORMAL)
                for values in qs.values_list(*_CURRENT):
                    existing[values[_ID_AT]] = dict(zip(_CURRENT, values))
        return existing

    def chunk(self, rows: list[tuple[int, list]]) -> None:
        """Check `rows`. With a lookahead thread (`start_lookahead`) the existing members of these rows are looked
        up on it while the previous chunk's rows are checked, and these rows are checked on the next call (or
        `flush`)."""
        prepared = self._prepare(rows)
        if self.lookahead is None:
            if prepared is not None:
                self._finish(prepared, self._existing(prepared[-1]))
            return
        pending = (prepared, self.lookahead.submit(self._existing, prepared[-1])) if prepared is not None else None
        self.flush()
        self.pending = pending

    def flush(self) -> None:
        """Check the rows a lookahead chunk left (at the end of each sheet: the next has other columns)."""
        if self.pending is not None:
            (prepared, future), self.pending = self.pending, None
            self._finish(prepared, future.result())

    def start_lookahead(self) -> None:
        """Look existing members up on a thread of its own (its own connection), one chunk ahead: PostgreSQL
        answers while Python checks. Only outside a transaction, where any connection sees what this one does."""
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.lookahead = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-lookup")

    def close(self) -> None:
        if self.lookahead is not None:
            self.pending = None
            self.lookahead.submit(lambda: connection.close()).result()  # the thread's own connection (looked up there)
            self.lookahead.shutdown()
            self.lookahead = None

    def _prepare(self, rows: list[tuple[int, list]]):
        """A chunk's cells parsed, its rows' data; None when every row is blank."""
        cells = self.cells
        if len(self.names) > 1:
            getter, width = self.getter, self.width
            picked = [(number, getter(c) if len(c) >= width else cells(c)) for number, c in rows]
        else:
            picked = [(number, cells(c)) for number, c in rows]
        # Blank lines between blocks of a roster are skipped. The quick test: a first cell of printable
        # text that is not all spaces keeps text after clean_text, so its row is not blank.
        kept = [(number, vals) for number, vals in picked
                if (type(first := vals[0]) is str and first and first.isprintable() and not first.isspace())
                or (any(vals) and any(C.clean_text(v) for v in vals))]
        if not kept:
            return None
        self.seen_rows += len(kept)
        columns = [self._column(spec, col) for spec, col in zip(self.specs, zip(*[vals for _, vals in kept]))]
        keys, default_org = self.keys, self.default_org
        datas = [dict(zip(keys, values)) for values in zip(*columns)]
        if default_org and "org" not in keys:
            for data in datas:
                data["org"] = default_org
        errors_of: dict[int, list] = {}  # rows with a cell the fast parse did not take, and what is wrong
        for col in columns:
            if _FAIL in col:
                for i, v in enumerate(col):
                    if v is _FAIL and i not in errors_of:
                        number, vals = kept[i]
                        data, errors_of[i] = _parse_row(number, dict(zip(self.names, vals)), default_org)
                        if data.get("id_number"):
                            data["id_number"] = idcard.normalize(data["id_number"])
                        datas[i] = data
        if self.by_name:
            self._orgs_by_name(kept, datas, errors_of)
        example = self._examples(columns, datas)
        return kept, datas, errors_of, example, [n for d in datas if (n := d.get("id_number"))]

    def _finish(self, prepared, existing: dict[str, dict]) -> None:
        """A prepared chunk's rows checked, with `existing`: the active members of its ID numbers."""
        kept, datas, errors_of, example, _numbers = prepared
        codes = {d.get("org") for d in datas}
        codes.discard(None)
        codes.discard("")
        self._lookup_orgs(codes)
        pks = {m["org_id"] for m in existing.values() if m["org_id"] not in self.holders}
        if pks:
            self.holders.update(Org.objects.only("pk", "name", "path", "code").in_bulk(pks))
        creates, updates = [], []
        for i, ((number, vals), data) in enumerate(zip(kept, datas)):
            if i in errors_of and C.is_footer(vals) or i in example:
                self.seen_rows -= 1
                continue
            if i in errors_of or not self.quick(number, data, existing, creates, updates):
                self.row(number, vals, data, errors_of.get(i) or [], existing, creates, updates)
        if self.spool is not None:
            self.spool.put(creates, updates)

    def _examples(self, columns: list[list], datas: list[dict]) -> set[int]:
        """The rows that are the template's example (its name and ID number), left in by whoever filled it in:
        skipped. The ID column is scanned at C speed; rows are looked at only when the example's number is in it."""
        if "id_number" not in self.keys or C.EXAMPLE_ID not in columns[self.keys.index("id_number")]:
            return set()
        return {i for i, d in enumerate(datas) if d.get("id_number") == C.EXAMPLE_ID and d.get("name") == C.EXAMPLE_NAME}

    def _orgs_by_name(self, kept: list, datas: list[dict], errors_of: dict[int, list]) -> None:
        """Each row's 所在党组织 name -> its organization's code in `data["org"]` (a blank cell keeps the default
        organization); a name that is no organization the user can see, or that several share, is the row's
        error."""
        wanted = list({n for d in datas if (n := d.get("org_name")) and n not in self.codes_of_name})
        if wanted:
            found = C.org_codes_by_name(wanted, self.scope, batch=LOOKUP)
            for name in wanted:
                self.codes_of_name[name] = found.get(name, [])
            self._orgs_ending([name for name in wanted if not found.get(name)])
        for i, data in enumerate(datas):
            name = data.pop("org_name", None)
            if not name:
                if not data.get("org"):
                    message = "请填写所在党组织（党组织全称），或改用“所在党组织编码”列"
                    errors_of.setdefault(i, []).append(C.error(kept[i][0], C.ORG_NAME.name, "", message))
                continue
            codes = self.codes_of_name[name]
            if len(codes) == 1:
                data["org"] = codes[0]
                continue
            data["org"] = None
            if name in self.alike_of_name:
                if code := self._under_folders(name):
                    data["org"] = code
                    continue
                message = self._alike_message(name)
            else:
                message = C.org_name_error(name, len(codes), COLUMN_OF_FIELD["org"], self.scope is not None)
            errors_of.setdefault(i, []).append(C.error(kept[i][0], C.ORG_NAME.name, name, message))

    def _orgs_ending(self, names: list[str]) -> None:
        """The 所在党组织 cells that are no organization's full name read as a branch's short name, as a town's
        roster says its villages' (东村党支部, 东村支部, 01.东村党支部): the one branch the user sees whose name ends
        with it gives the code; several are kept in `alike_of_name` for the row's error to name them. One query
        for the chunk's names (`named_branches.branches_ending`)."""
        shorts = {}
        for name in names:
            text = name[:-2] + "党支部" if name.endswith("支部") and not name.endswith(("党支部", "总支部")) else name
            if found := short_names(text):
                shorts[name] = found
        if not shorts:
            return
        ending = branches_ending({s for found in shorts.values() for s in found}, self.scope)
        for name, found in shorts.items():
            short, hits = next(((s, ending[s]) for s in found if ending.get(s)), ("", []))
            if len(hits) == 1:
                self.codes_of_name[name] = [hits[0][0]]
            elif hits:
                self.alike_of_name[name] = (short, hits)

    def _alike_message(self, name: str) -> str:
        """The error of a row whose 所在党支部 short name several branches end with (once per name: a sheet's rows
        mostly repeat a few)."""
        if name not in self.alike_messages:
            short, hits = self.alike_of_name[name]
            labels = told_apart([(code, branch) for code, branch, _path in hits])
            names = [labels.get(code, branch) for code, branch, _path in hits]
            self.alike_messages[name] = (f"有{len(names)}个党支部的名称以“{short}”结尾（{listed(names)}），请写党支部全称"
                                         f"或改用“{COLUMN_OF_FIELD['org']}”列")
        return self.alike_messages[name]

    def _under_folders(self, name: str) -> str | None:
        """The code of the one branch among those ending with the short name `name` that the sheet's folders'
        places (`places`: a county's 城关镇党委/名册.xlsx) agree with (`named_branches.Fits`); None when not one."""
        if not self.places:
            return None
        key = (name, self.places)
        if key not in self.code_under_folders:
            hits = self.alike_of_name[name][1]
            if self.fits is None:
                self.fits = Fits([], self.scope)
            fits = self.fits
            fits.add(hits)
            held = ([h for h in hits if all(fits.under(h, p) for p in self.places)]
                    or [h for h in hits if all(fits(h, p) for p in self.places)])  # a place naming no committee
            self.code_under_folders[key] = held[0][0] if len(held) == 1 else None
        return self.code_under_folders[key]

    def quick(self, number: int, data: dict, existing: dict, creates: list, updates: list) -> bool:
        """The common row, taken without `row`: all its cells parsed, an organization the user may import
        into, a new member or one already registered there, valid after the merge (`_quick_valid`), an ID
        number the file has not had yet. False (nothing done) for any other row, which `row` then checks
        and words."""
        n = data.get("id_number")
        if not n:
            return False
        org = self.orgs.get(data.get("org"))
        if org is None or not self.allowed[org.id]:
            return False
        current = existing.get(n)
        if current is None:
            merged = {**NEW_DEFAULTS, **data}
        elif current["org_id"] != org.id:
            return False  # registered elsewhere: `row` says so
        else:
            merged = {**current, **data}  # the values the member will have (extra keys are never read)
        if not _quick_valid(merged, org, self.today, self.min_age, current["phone"] if current else None):
            return False
        key = int(merged["id_number"][:17])
        if key in self.first_row_of:
            return False
        self.first_row_of[key] = self.sheet_bits | number
        self._take(number, merged, current, org, creates, updates)
        return True

    def _zeros_hint(self, code: str) -> str:
        """For an unknown code: the words naming the organization it may be without its leading zeros, or ""."""
        if not code.isdigit() or code not in self.padded and len(self.padded) >= 500:
            return ""  # (each is an error already: a file of thousands of unknown codes is not searched for all)
        if code not in self.padded:
            self.padded[code] = C.codes_with_zeros([code], self.scope).get(code)
        found = self.padded[code]
        return C.lost_zeros(code, found[0]) if found else ""

    def row(self, number, vals, data, errors, existing, creates, updates) -> None:
        result, scope = self.result, self.scope
        bad_cols = {e["column"] for e in errors} if errors else set()

        def err(field, message):
            col = C.ORG_NAME.name if field == "org" and self.by_name else COLUMN_OF_FIELD.get(field, "公民身份号码")
            if col in bad_cols:
                return
            bad_cols.add(col)
            raw = dict(zip(self.names, vals))
            errors.append(C.error(number, col, C.clean_text(raw.get(col, data.get(field))), message))

        org = None
        code = data.get("org")
        if code:
            org = self.orgs.get(code)
            if org is None:
                err("org", f"党组织编码“{code}”不存在" + self._zeros_hint(code))
            elif not self.allowed[org.id]:
                err("org", "无权导入该党组织的党员")
                org = None
        number_ = data.get("id_number")
        current = existing.get(number_) if number_ else None
        # The form's checks, on the values the member will have after the import.
        if current:
            merged = {f: current[f] for f in VALUE_FIELDS}
            merged.update(data)
        else:
            merged = {**NEW_DEFAULTS, **data}
        if "gender" in data and not data["gender"]:
            merged["gender"] = None  # an empty cell means “as in the ID number”
        if "birth_date" in data and data["birth_date"] is None:
            merged["birth_date"] = None
        merged["org"] = org
        merged["status"] = Status.NORMAL
        stored_phone = current["phone"] if current else None
        if not _quick_valid(merged, org, self.today, self.min_age, stored_phone):
            for field, message in validate_member(merged, check_unique=False, stored_phone=stored_phone).items():
                if field == "org" and org is None:
                    continue
                err(field, message)
        if number_ and "公民身份号码" not in bad_cols:
            number_ = merged["id_number"]
            key = int(number_[:17])
            first = self.first_row_of.get(key)
            if first is not None:
                err("id_number", f"与{self.where(first)}的公民身份号码重复")
            else:
                self.first_row_of[key] = self.sheet_bits | number
                if current is not None and org is not None and current["org_id"] != org.id:
                    holder = self.holders.get(current["org_id"])
                    if scope is None or (holder is not None and scope.covers(holder.path, "view")):
                        err("id_number", f"该公民身份号码已登记为“{holder.name if holder else ''}”的党员"
                                         f"{current['name']}，组织关系转移请使用转接功能")
                    else:
                        err("id_number", "该公民身份号码已是其他党组织的在册党员，组织关系转移请使用转接功能")
        if errors:
            name = data.get("name") or C.clean_text(dict(zip(self.names, vals)).get("姓名"))
            result.errors.extend(errors)
            result.add(RowOutcome(row=number, kind=ERROR, label=_label(name, data.get("id_number", "")),
                                  errors=errors))
            return
        self._take(number, merged, current, org, creates, updates)

    def _take(self, number: int, merged: dict, current: dict | None, org: Org, creates: list, updates: list) -> None:
        """A valid row's outcome: new, unchanged, or changed (with what changed), and what the write needs."""
        result, spool = self.result, self.spool
        values = _values_of(merged)
        keep = result.keep_rows
        if current is None:
            if spool is not None:
                creates.append((*values, org.id, org.path))
                spool.count(org, merged["category"], +1)
            if keep:
                result.add(RowOutcome(row=number, kind=CREATE, label=_label(values[0], values[3]), org=org))
            else:
                result.tick(CREATE)
            return
        changed = [f for f, v in zip(VALUE_FIELDS, values) if v != current[f]]
        if not changed:
            if keep:
                result.add(RowOutcome(row=number, kind=UNCHANGED, label=_label(values[0], values[3]), org=org))
            else:
                result.tick(UNCHANGED)
            return
        if spool is not None:
            updates.append((current["id"], current["updated_at"], *values))
            if "category" in changed:
                spool.count(org, current["category"], -1)
                spool.count(org, merged["category"], +1)
            else:
                spool.count(org, merged["category"], 0)
        result.add(RowOutcome(row=number, kind=UPDATE, label=_label(values[0], values[3]) if keep else "",
                              org=org if keep else None, changes=[
            (COLUMN_OF_FIELD[f], _display(f, current[f]), _display(f, merged[f])) for f in changed]
            if result.keep_rows else []))


# Sheets a branch's workbook keeps beside its roster whose people are not members in the register: applicants and
# activists (发展党员 stages), and members who have left. By their name; only when the workbook has a roster sheet
# besides them (a file of one sheet is read, whatever its name).
_NOT_MEMBERS = re.compile(r"积极分子|发展对象|入党申请|申请入党|申请人|转出|去世|已故|逝世|死亡|停止党籍|出党|除名|开除|退党|劝退|"
                          r"历史|备份")


_NOT_A_ROSTER = 3  # required columns a sheet's header lacks that make it another table than a roster
_SUBSET_ROWS = 20_000  # sheets compared by their ID numbers (`_subset_sheets`) up to this many rows each


def _subset_sheets(sheets: list) -> tuple[list, list[str]]:
    """(the sheets to read, the names of those passed over): a sheet whose every member is on a larger sheet, as a
    branch keeps its 党小组 lists or its 流动党员 beside the whole roster, is a part of it, not more members (reading it
    would only repeat them, each an error). Sheets are compared by their ID numbers, the larger first; a workbook
    with a sheet over _SUBSET_ROWS rows is read as it is."""
    held = []
    for i, (name, header, rows) in enumerate(sheets):
        head = list(itertools.islice(rows, _SUBSET_ROWS + 1))
        held.append((name, header, head))
        if len(head) > _SUBSET_ROWS:  # too large to hold: every sheet read, the rows taken so far first
            return [(n, h, iter(r)) for n, h, r in held[:-1]] + [(name, header, itertools.chain(head, rows))] + list(
                sheets[i + 1:]), []
    numbers = []
    for _name, header, head in held:
        at = header.index.get(COLUMN_OF_FIELD["id_number"])
        numbers.append({idcard.normalize(C.clean_code(cells[at])) for _, cells in head
                        if at is not None and at < len(cells) and C.clean_text(cells[at])})
    covered: set[str] = set()
    parts = set()
    for i in sorted(range(len(held)), key=lambda i: -len(numbers[i])):
        if numbers[i] and numbers[i] <= covered:
            parts.add(i)
        else:
            covered |= numbers[i]
    return ([(n, h, iter(r)) for i, (n, h, r) in enumerate(held) if i not in parts],
            [held[i][0] for i in sorted(parts)])


def check_members(path, result: ImportResult, spool: Spool | None, *, default_org=None, user=None,
                  progress=None) -> None:
    """Phase 1: every row's outcome into `result`, the valid rows into `spool` (None: a dry run keeps
    nothing); writes nothing. Every sheet of a workbook that has a roster header is read, one after another
    (`C.roster_sheets`)."""
    file_name = result.file_name
    passed_over: list[str] = []
    try:
        sheets = C.roster_sheets(read_sheets(path, file_name), C.MEMBER_INPUT_COLUMNS, passed_over)
    except ReadError as e:
        result.errors.append(C.error(1, "", file_name, str(e)))
        return
    if not sheets:
        result.errors.append(C.error(1, "", "", "未找到表头：第一行应为列名，如“姓名”“公民身份号码”“所在党组织编码”"))
        return
    named: dict[str, tuple[str, str]] = {}  # sheets without an organization column whose title names their branch

    def lacking(header, sheet=None) -> list[C.Column]:
        return [col for col in C.MEMBER_COLUMNS if col.required and header.lacks(col.name) and not (
            col.key == "org" and (default_org or C.ORG_NAME.name in header.index or sheet in named))]

    # Beside its roster a branch's workbook keeps other tables: of applicants, of members who left (by the sheet's
    # name), or of another kind with a name column or two (党费, 培训: by a header that lacks most of a roster's
    # columns). Those are passed over and named, when a roster sheet remains; a file of one sheet is always read.
    not_members = [name for name, _, _ in sheets if _NOT_MEMBERS.search(name)] if len(sheets) > 1 else []
    not_roster = [name for name, header, _ in sheets if len(lacking(header)) >= _NOT_A_ROSTER
                  and name not in not_members] if len(sheets) > 1 else []
    if len(not_members) + len(not_roster) < len(sheets):
        sheets = [s for s in sheets if s[0] not in not_members and s[0] not in not_roster]
    else:
        not_members, not_roster = [], []
    subsets: list[str] = []
    if len(sheets) > 1:
        sheets, subsets = _subset_sheets(sheets)
    names = [name for name, _, _ in sheets] if len(sheets) > 1 else []
    if len(sheets) + len(passed_over) + len(not_members) + len(not_roster) + len(subsets) > 1:
        result.sheets = {"read": [], "passed_over": passed_over}
        if subsets:
            result.sheets["subsets"] = subsets
        if not_members:
            result.sheets["not_members"] = not_members
        if not_roster:
            result.sheets["not_roster"] = not_roster
    # A branch's own roster often has no organization column: its title (城关镇东村党支部党员花名册) or its file's name
    # says whose it is.
    unnamed: dict[str, Unnamed] = {}  # sheets whose short name several branches, or none under its folder, end with
    named.update(branches_named({name: sheet_texts(name, header.title, file_name) for name, header, _ in sheets
                                 if COLUMN_OF_FIELD["org"] not in header.index and C.ORG_NAME.name not in header.index},
                                user, unnamed))
    if named:
        apart = told_apart(sorted(set(named.values())))  # two towns' 东村党支部 each with its town
        result.sheets["named_org"] = [[name if names else file_name, apart.get(code, org_name)]
                                      for name, (code, org_name) in named.items()]
    for name, header, _ in sheets:  # every sheet's header first: a wrong one stops the import before any row
        mark = len(result.errors)
        result.errors += header.errors
        result.errors += [said_unnamed(C.missing(header, col), unnamed.get(name)) if col.key == "org"
                          else C.missing(header, col) for col in lacking(header, name)]
        C.stamp(result.errors, mark, name if names else "")
    if result.errors:
        return
    checker = _Checker(sheets[0][1], result, spool, default_org=default_org, user=user)
    checker.start_lookahead()
    try:
        # a sheet naming each row's branch by a short name several branches end with: its folders, or a town named
        # by its title or file name, may pick one
        places = {name: sheet_places(sheet_texts(name, header.title, file_name)) for name, header, _ in sheets
                  if C.ORG_NAME.name in header.index}
        if not _check_sheets(checker, sheets, names, result, progress, default_org, named, places):
            return  # the file could not be read to its end
    finally:
        checker.close()
    result.sheet = ""
    if not checker.seen_rows:
        result.errors.append(C.error(sheets[0][1].last_row + 1, "", "", "文件中没有党员数据"))


def _check_sheets(checker: _Checker, sheets: list, names: list[str], result: ImportResult, progress,
                  default_org, named: dict[str, tuple[str, str]], places: dict[str, tuple]) -> bool:
    """Every sheet's rows through `checker`, a sheet whose title names its branch (`named`) with that branch for the
    rows that name none; False when a sheet could not be read to its end (said in `result`)."""
    file_name = result.file_name
    for index, (name, header, rows) in enumerate(sheets):
        if index:
            checker.use_header(header)
        checker.default_org = named[name][0] if name in named else default_org
        checker.places = places.get(name, ())
        checker.use_sheet(index, names)
        result.sheet = name if names else ""
        mark, before = len(result.errors), checker.seen_rows
        chunk: list = []
        try:
            for item in rows:
                chunk.append(item)
                if len(chunk) == CHUNK:
                    checker.chunk(chunk)
                    chunk = []
                    if progress is not None:
                        progress("check", checker.seen_rows, None)
            if chunk:
                checker.chunk(chunk)
            checker.flush()
        except ReadError as e:
            result.errors.append(C.error(1, "", file_name, str(e)))
            C.stamp(result.errors, mark, result.sheet)
            return False
        result.errors[mark:] = sorted(result.errors[mark:], key=lambda e: e["row"])  # stable: in row order
        C.stamp(result.errors, mark, result.sheet)
        if "read" in result.sheets:
            result.sheets["read"].append([name, checker.seen_rows - before])
            if (default_org and name not in named and COLUMN_OF_FIELD["org"] not in header.index
                    and C.ORG_NAME.name not in header.index):
                # every row of this sheet goes to the default branch: said, as a town's village sheets would all
                # land in one branch this way
                result.sheets.setdefault("default_org", []).append(name)
    return True


# ------------------------------------------------------------------------------------------ the write
@functools.lru_cache(maxsize=200_000)
def _pinyin(name: str) -> tuple[str, str]:
    # Names repeat a lot in a roster (张伟, 王芳); the cache turns most lookups into a dict hit.
    return pinyin_keys(name)


@functools.lru_cache(maxsize=200_000)
def _pinyin_text(name: str) -> str:
    """The pinyin keys of a new member's COPY line (tab first)."""
    full, initials = _pinyin(name)
    return f"\t{copy_text(full)}\t{copy_text(initials)}"


def write_members(spool: Spool, result: ImportResult, *, by=None, source: str = "cli", now=None,
                  reason: str = "") -> None:
    """Phase 2: the spooled rows in one transaction, with history rows, counters and one event."""
    assert result.ok, "write_members needs a check without errors"
    now = now or timezone.now()
    reason = reason or f"导入：{result.file_name}"[:100]
    with transaction.atomic():
        if spool.copy_format is not None:
            writer = _CopyWriter(spool.copy_format)
        else:
            writer = _OrmWriter(now, reason, by)
        for creates, updates in spool.chunks():
            if creates:
                writer.create(creates)
            if updates:
                writer.update(updates)
        _finish_write(spool, result, by=by, source=source)
    result.written = True


def _finish_write(spool: Spool, result: ImportResult, *, by, source: str) -> None:
    """The end of a write, inside its transaction: the org counters and the one audit event."""
    _apply_counts(spool.direct, spool.paths)
    touched = [p for p in (spool.lo, spool.hi) if p is not None]
    audit.record("member.import", actor=by, org_path=_common_path(touched), detail={
        "file": result.file_name, "source": source, **result.counts()})


class _OrmWriter:
    """Any database: bulk_create/bulk_update with history, LOOKUP rows per statement."""

    def __init__(self, now, reason, by):
        self.now, self.reason, self.by = now, reason, by

    def create(self, creates: list[tuple]) -> None:
        new = []
        for row in creates:
            m = Member(**dict(zip(VALUE_FIELDS, row)), org_id=row[-2], org_path=row[-1], status=Status.NORMAL)
            m.name_pinyin, m.name_initials = _pinyin(m.name)
            new.append(m)
        bulk_create_with_history(new, Member, batch_size=LOOKUP, default_user=self.by,
                                 default_change_reason=self.reason, default_date=self.now)

    def update(self, updates: list[tuple]) -> None:
        members = Member.objects.in_bulk([u[0] for u in updates])
        changed = []
        for pk, updated_at, *values in updates:
            m = members.get(pk)
            if m is None or m.updated_at != updated_at or m.status != Status.NORMAL:
                raise ImportConflict(pk)
            for f, v in zip(VALUE_FIELDS, values):
                setattr(m, f, v)
            m.name_pinyin, m.name_initials = _pinyin(m.name)
            m.updated_at = self.now
            changed.append(m)
        bulk_update_with_history(changed, Member, [*VALUE_FIELDS, "name_pinyin", "name_initials", "updated_at"],
                                 batch_size=LOOKUP, default_user=self.by, default_change_reason=self.reason,
                                 default_date=self.now)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value.translate(_ESCAPES) if value.isprintable() is False or "\\" in value else value
    return str(value)


class _CopyFormat:
    """New members as PostgreSQL COPY text, built by hand: psycopg's per-value adaptation costs more
    than everything else the write does. One line holds the columns the member and its “+” history row
    share; the member adds its pinyin keys and updated_at, the history row its own four columns, so a
    new member is formatted once for both tables. The line leaves out the primary key, which is drawn
    from the sequence when the chunk is written."""

    EXCLUDED = ("name_pinyin", "name_initials", "updated_at")  # members columns history does not keep

    def __init__(self, now, reason: str, by):
        q = connection.ops.quote_name
        hist = Member.history.model
        fields = [f for f in Member._meta.concrete_fields if f.attname not in self.EXCLUDED]
        assert fields[0].attname == "id"
        tracked = {f.attname for f in hist._meta.concrete_fields}
        assert {f.attname for f in fields} <= tracked, "history must keep every member column it is given"
        variable = {f: i for i, f in enumerate([*VALUE_FIELDS, "org_id", "org_path"])}
        constants = {f.attname: f.get_default() for f in fields}
        constants.update(status=Status.NORMAL, created_at=now)
        parts = []
        for f in fields[1:]:
            if f.attname in variable:
                parts.append(f"{{{variable[f.attname]}}}")
            else:
                parts.append(copy_text(constants[f.attname]).replace("{", "{{").replace("}", "}}"))
        self.format = "\t".join(parts).format
        self.now, self.reason, self.by = now, reason, by
        self.columns = ", ".join(q(f.column) for f in fields)
        self.member_columns = self.columns + ", name_pinyin, name_initials, updated_at"
        self.hist_columns = self.columns + ", history_date, history_change_reason, history_type, history_user_id"
        self.hist_tail = "\t".join(["", now.isoformat(), copy_text(reason), "+", copy_text(by.pk if by else None)]) + "\n"
        self.member_tail = "\t" + now.isoformat() + "\n"
        self.history_select = ", ".join(f"m.{q(f.column)}" for f in fields)

    def lines(self, creates: list[tuple]) -> tuple[list[str], list[str]]:
        """(shared text, pinyin keys) of each new member."""
        fmt, shared, keys = self.format, [], []
        for (name, gender, ethnicity, number, birth, education, category, joined, confirmed, job, phone,
             org_id, org_path) in creates:
            keys.append(_pinyin_text(name))
            free = name + ethnicity + job + phone  # the only cells that may need COPY escapes (rarely do)
            if "\\" in free or not free.isprintable():
                name, ethnicity, job, phone = copy_text(name), copy_text(ethnicity), copy_text(job), copy_text(phone)
            shared.append(fmt(name, gender, ethnicity, number, birth.isoformat(), education, category,
                              joined.isoformat(), "\\N" if confirmed is None else confirmed.isoformat(),
                              job, phone, org_id, org_path))
        return shared, keys

    def texts(self, lines: tuple[list[str], list[str]]) -> tuple[str, str]:
        """The COPY text of the members table and of the history table for `lines`, with primary keys drawn
        for them (`draw_ids`, on the calling thread's connection: a sequence is not transactional)."""
        shared, keys = lines
        ids = draw_ids(len(shared))
        tail = self.member_tail
        members = "".join([f"{pk}\t{line}{key}{tail}" for pk, line, key in zip(ids, shared, keys)])
        tail = self.hist_tail
        return members, "".join([f"{pk}\t{line}{tail}" for pk, line in zip(ids, shared)])


def draw_ids(n: int) -> list[str]:
    """`n` new member primary keys from the sequence, as text, in one round trip."""
    with connection.cursor() as cur:
        cur.execute("SELECT string_agg(nextval(pg_get_serial_sequence(%s, 'id'))::text, ',') "
                    "FROM generate_series(1, %s)", [Member._meta.db_table, n])
        return cur.fetchone()[0].split(",")


class _CopyWriter:
    """PostgreSQL: new members and their “+” history rows are COPYed straight into the tables; changed
    members go into a temporary table, then one UPDATE … FROM (guarded by updated_at: a member changed
    since the check aborts the import) and one INSERT … SELECT of their “~” history rows per chunk."""

    def __init__(self, fmt: _CopyFormat):
        self.fmt = fmt
        q = connection.ops.quote_name
        self.table = q(Member._meta.db_table)
        self.hist_table = q(Member.history.model._meta.db_table)
        self.temp = None

    def create(self, lines: tuple[list[str], list[str]]) -> None:
        """New members from their spooled lines (`_CopyFormat.lines`)."""
        self.copy(*self.fmt.texts(lines))

    def copy(self, members_text: str, history_text: str) -> None:
        """New members and their history rows from finished COPY text (`_CopyFormat.texts`)."""
        fmt = self.fmt
        # wrap_database_errors: the raw cursor's COPY raises psycopg's errors; callers catch Django's
        # (a unique violation is IntegrityError: someone registered one of these people meanwhile).
        with connection.wrap_database_errors, connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy(f"COPY {self.table} ({fmt.member_columns}) FROM STDIN") as copy:
                copy.write(members_text)
            with raw.copy(f"COPY {self.hist_table} ({fmt.hist_columns}) FROM STDIN") as copy:
                copy.write(history_text)

    def update(self, updates: list[tuple]) -> None:
        fmt = self.fmt
        cols = ["id", "old_updated_at", *VALUE_FIELDS, "name_pinyin", "name_initials"]
        with connection.wrap_database_errors, connection.cursor() as cur:  # as in create
            if self.temp is None:
                self.temp = "_dangjian_import_update"
                select = ", ".join(["id", "updated_at AS old_updated_at", *VALUE_FIELDS, "name_pinyin",
                                    "name_initials"])
                cur.execute(f"CREATE TEMPORARY TABLE {self.temp} ON COMMIT DROP AS "
                            f"SELECT {select} FROM {self.table} WITH NO DATA")
            else:
                cur.execute(f"TRUNCATE {self.temp}")
            lines = ["\t".join([str(pk), updated_at if type(updated_at) is str else updated_at.isoformat(),
                                 *map(copy_text, values), *_pinyin(values[0])]) + "\n" for pk, updated_at, *values in updates]
            with cur.cursor.copy(f"COPY {self.temp} ({', '.join(cols)}) FROM STDIN") as copy:
                copy.write("".join(lines))
            sets = ", ".join(f"{f} = s.{f}" for f in [*VALUE_FIELDS, "name_pinyin", "name_initials"])
            cur.execute(f"UPDATE {self.table} m SET {sets}, updated_at = %s FROM {self.temp} s "
                        f"WHERE m.id = s.id AND m.updated_at = s.old_updated_at AND m.status = %s",
                        [fmt.now, Status.NORMAL])
            if cur.rowcount != len(updates):
                raise ImportConflict(len(updates) - cur.rowcount)
            cur.execute(f"INSERT INTO {self.hist_table} ({fmt.hist_columns}) "
                        f"SELECT {fmt.history_select}, %s, %s, %s, %s FROM {self.table} m "
                        f"JOIN {self.temp} s ON s.id = m.id", [fmt.now, fmt.reason, "~", fmt.by.pk if fmt.by else None])


def _apply_counts(direct: dict[int, list[int]], paths: dict[int, str]) -> None:
    """The org counters, incrementally: orgs that receive the same delta share one UPDATE, so the
    number of statements is bounded by the number of distinct deltas, not by the number of orgs."""
    by_delta: dict[tuple[int, int], list[int]] = defaultdict(list)
    subtree: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, (full, prob) in direct.items():
        if full or prob:
            by_delta[(full, prob)].append(org_id)
            path = paths[org_id]
            for i in range(Org.steplen, len(path) + 1, Org.steplen):
                s = subtree[path[:i]]
                s[0] += full
                s[1] += prob
    if connection.vendor == "postgresql":
        # Every org gets its own delta (a county's branches rarely receive the same number of members):
        # one UPDATE per counter kind, the deltas as arrays, instead of one statement per org.
        with connection.cursor() as cur:
            rows = [(org_id, full, prob) for org_id, (full, prob) in direct.items() if full or prob]
            cur.execute(f"UPDATE {Org._meta.db_table} o SET direct_full = o.direct_full + d.df, "
                        "direct_probationary = o.direct_probationary + d.dp "
                        "FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS d(id, df, dp) WHERE o.id = d.id",
                        [list(c) for c in zip(*rows)] if rows else [[], [], []])
            rows = [(path, full, prob) for path, (full, prob) in subtree.items() if full or prob]
            cur.execute(f"UPDATE {Org._meta.db_table} o SET subtree_full = o.subtree_full + d.df, "
                        "subtree_probationary = o.subtree_probationary + d.dp "
                        "FROM unnest(%s::text[], %s::int[], %s::int[]) AS d(path, df, dp) WHERE o.path = d.path",
                        [list(c) for c in zip(*rows)] if rows else [[], [], []])
        return
    for (full, prob), ids in by_delta.items():
        for i in range(0, len(ids), LOOKUP):
            Org.objects.filter(pk__in=ids[i:i + LOOKUP]).update(
                direct_full=F("direct_full") + full, direct_probationary=F("direct_probationary") + prob)
    by_sub: dict[tuple[int, int], list[str]] = defaultdict(list)
    for path, (full, prob) in subtree.items():
        if full or prob:
            by_sub[(full, prob)].append(path)
    for (full, prob), ps in by_sub.items():
        for i in range(0, len(ps), LOOKUP):
            Org.objects.filter(path__in=ps[i:i + LOOKUP]).update(
                subtree_full=F("subtree_full") + full, subtree_probationary=F("subtree_probationary") + prob)


def _common_path(paths: list[str]) -> str:
    """The deepest org path above everything the import touched (so the event shows in that subtree)."""
    if not paths:
        return ""
    lo, hi = min(paths), max(paths)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[: n - n % Org.steplen]
