"""The import columns of CONTRACT.md ("Import columns"): names, synonyms, which are required, and the
cleaning of cells into text and dates. The import, the export and the template all read these lists,
so the column order of an export is the template's and an export re-imports unchanged.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.core.dates import DateError, MonthDate, parse_date
from dangjian.members.choices import EDUCATION_BY_TEXT, ETHNICITIES, Category, Education, Gender
from dangjian.orgs.models import Domain, OrgType


@dataclass(frozen=True)
class Column:
    name: str  # the Chinese header of the template and of exports
    key: str  # model field (or pseudo field) it feeds
    required: bool = False
    synonyms: tuple[str, ...] = ()
    kind: str = "text"  # text | date | code (NFKC-normalized: IDs, codes, phone numbers)
    choices: tuple[str, ...] = ()  # the values offered by the template's drop-down
    max_length: int | None = None
    note: str = ""  # the template's 说明 sheet
    example: str = ""


MEMBER_COLUMNS: list[Column] = [
    Column("姓名", "name", True, synonyms=("党员姓名",), max_length=50, note="党员姓名", example="张伟"),
    Column("性别", "gender", choices=tuple(Gender.labels), note="男或女；留空时按公民身份号码第17位确定", example="男"),
    Column("民族", "ethnicity", True, choices=tuple(ETHNICITIES), note="全称，如“汉族”“回族”", example="汉族"),
    Column("公民身份号码", "id_number", True, synonyms=("身份证号", "身份证号码", "身份证"), kind="code",
           note="18位，末位可为X；按此号码识别党员：已在本支部登记的更新，未登记的新增", example="110101199003070011"),
    Column("出生日期", "birth_date", synonyms=("出生年月", "出生时间"), kind="date",
           note="须与公民身份号码一致；留空时按号码确定；只写年月（如1990.03，或分“年”“月”两列）时核对号码中的年月", example="1990-03-07"),
    Column("学历", "education", True, synonyms=("文化程度", "最高学历"), choices=tuple(Education.labels),
           note="研究生、大学本科、大学专科、中专、高中、初中及以下（也接受“本科”“大专”“硕士”“在职研究生”等常见写法；"
                "党校学历按其层次，如“省委党校大学”记为大学本科）",
           example="大学本科"),
    Column("人员类别", "category", True, synonyms=("党员类别",), choices=tuple(Category.labels),
           note="正式党员或预备党员", example="正式党员"),
    Column("入党日期", "joined_on", True, synonyms=("入党时间",), kind="date",
           note="写到日（单元格格式只显示年月的，如“2012年7月”，请改为显示到日）；须在年满18周岁之后，不能晚于今天", example="2012-07-01"),
    Column("转正日期", "confirmed_on", synonyms=("转正时间",), kind="date",
           note="正式党员填写（写到日），须晚于入党日期；预备党员留空", example="2013-07-01"),
    Column("工作岗位", "job", synonyms=("工作单位及职务", "职业"), max_length=100, note="如：村民、教师、公务员",
           example="教师"),
    Column("联系电话", "phone", synonyms=("手机", "手机号", "手机号码", "电话", "电话号码", "联系方式"), kind="code", max_length=30,
           note="手机或固定电话；以1开头的须是11位手机号码", example="13800001234"),
    Column("所在党组织编码", "org", True, synonyms=("党组织编码", "所在支部编码", "支部编码"), kind="code",
           note="党员所在党支部（联合党支部、临时党支部）的编码；导入时指定了默认党组织的可留空；"
                "没有编码时可改用“所在党组织”（或“所在党支部”）列填写党组织全称",
           example="（本支部编码）"),
]

# The template's example row (grey, on row 2): an import skips a row that is it (members: its name and ID number;
# organizations: its code and name), so a filled-in template that still has it imports as meant.
EXAMPLE_NAME, EXAMPLE_ID = MEMBER_COLUMNS[0].example, MEMBER_COLUMNS[3].example

# Read by the import only, not written to the template or to exports: a branch's own sheet names its branch rather
# than giving its code. Used when the file has no 所在党组织编码 column; the name must be one organization's, exactly.
ORG_NAME = Column("所在党组织", "org_name", max_length=200,
                  synonyms=("所在党支部", "所在支部", "所在党组织名称", "党支部名称", "支部名称"),
                  note="党组织全称，与系统中的名称完全一致；也可写党支部简称（如“东村党支部”），"
                       "您管理范围内只有一个党支部的名称以它结尾时编入该支部；有“所在党组织编码”列时以编码为准")
MEMBER_INPUT_COLUMNS: list[Column] = [*MEMBER_COLUMNS, ORG_NAME]

ORG_COLUMNS: list[Column] = [
    Column("党组织编码", "code", True, synonyms=("组织编码",), kind="code", max_length=40,
           note="唯一编码；按此编码识别党组织：已有的更新，没有的新增", example="C01"),
    Column("党组织名称", "name", True, synonyms=("组织名称", "党组织全称"), max_length=200, note="全称", example="示范村党支部"),
    Column("上级党组织编码", "parent", synonyms=("上级组织编码", "上级编码"), kind="code",
           note="顶级党组织留空；上级可以在本文件中（任意行）或系统中已有；改填其他编码即调整隶属关系",
           example="C"),
    Column("党组织类别", "org_type", True, synonyms=("组织类别",), choices=tuple(OrgType.labels),
           note="党委、党工委、党总支、党支部、联合党支部、临时党支部", example="党支部"),
    Column("所属领域", "domain", True, synonyms=("领域",), choices=tuple(Domain.labels),
           note="农村、社区、机关、事业单位、国有企业、非公有制企业、社会组织、学校、医院、其他", example="农村"),
    Column("成立日期", "founded_on", synonyms=("成立时间",), kind="date", note="可留空", example="2005-07-01"),
]
EXAMPLE_ORG = (ORG_COLUMNS[0].example, ORG_COLUMNS[1].example)  # code and name of the template's example
# Read by the import only, as ORG_NAME for members: an organization list (党组织设置情况表) names the parent rather
# than giving its code. Used when the file has no 上级党组织编码 column.
PARENT_NAME = Column("上级党组织", "parent_name", max_length=200,
                     synonyms=("上级党组织名称", "上级组织", "上级组织名称", "上级党委", "隶属党组织", "隶属关系"),
                     note="上级党组织全称：本文件中的另一行，或系统中已有的党组织；也可按地名写党委，如“城关镇党委”"
                          "（系统中为“中共某县城关镇委员会”时，您管理范围内只有一个时认作该党委）；有“上级党组织编码”列时以编码为准")
ORG_INPUT_COLUMNS: list[Column] = [*ORG_COLUMNS, PARENT_NAME]


def org_codes_by_name(names, scope, *, batch: int = 2000) -> dict[str, list[str]]:
    """The codes of the organizations of each of these names (所在党组织, 上级党组织 given instead of a code) that
    `scope` sees (None: all); a name of no such organization is not in the answer."""
    return {name: [code for code, _name, _path in orgs] for name, orgs in orgs_called(names, scope, batch=batch).items()}


def orgs_called(names, scope, *, batch: int = 2000) -> dict[str, list[tuple[str, str, str]]]:
    """{name: [(code, name, path)]} of the organizations `scope` sees (None: all) called so, in tree order."""
    from dangjian.orgs.models import Org

    names = sorted(set(names))
    found: dict[str, list[tuple[str, str, str]]] = {}
    for i in range(0, len(names), batch):
        qs = Org.objects.filter(name__in=names[i:i + batch])
        if scope is not None:
            qs = qs.filter(scope.path_q("path", "view"))
        for org in qs.order_by("path").values_list("code", "name", "path"):
            found.setdefault(org[1], []).append(org)
    return found


def org_name_error(name: str, found: int, code_column: str, scoped: bool) -> str:
    """Why an organization named in place of its code (所在党组织, 上级党组织) is not taken: `found` organizations
    have that name (0 or several); `scoped` when only the user's scope was searched."""
    if found:
        return f"有{found}个党组织名为“{name}”，请改用“{code_column}”列"
    unseen = "（或不在您的管理范围内）" if scoped else ""
    return f"没有名为“{name}”的党组织{unseen}，请核对全称或改用“{code_column}”列"

def codes_with_zeros(codes, scope) -> dict[str, tuple[str, str]]:
    """For each all-digit code that is no organization's, the one organization `scope` sees (None: all) whose code
    is it with leading zeros put back: {code: (that code, its name)}. Excel keeps a code typed into a numeric cell
    (001002) as the number 1002, and a CSV saved from it says 1002."""
    from dangjian.orgs.models import Org

    width = Org._meta.get_field("code").max_length
    candidates = {"0" * k + code: code for code in set(codes) if code.isdigit() for k in range(1, width - len(code) + 1)}
    found: dict[str, list[tuple[str, str]]] = {}
    keys = list(candidates)
    for i in range(0, len(keys), 2000):
        qs = Org.objects.filter(code__in=keys[i:i + 2000])
        if scope is not None:
            qs = qs.filter(scope.path_q("path", "view"))
        for padded, name in qs.values_list("code", "name"):
            found.setdefault(candidates[padded], []).append((padded, name))
    return {code: hits[0] for code, hits in found.items() if len(hits) == 1}


def lost_zeros(code: str, padded: str) -> str:
    """The words for a code that looks like `padded` without its leading zeros."""
    return f"，是否应为“{padded}”？Excel会去掉数字开头的0，{_RETYPE}"


GENDER_BY_LABEL = {label: value for value, label in Gender.choices} | {"男性": "M", "女性": "F"}
CATEGORY_BY_LABEL = {label: value for value, label in Category.choices} | {"正式": "full", "预备": "probationary"}
EDUCATION_BY_LABEL = EDUCATION_BY_TEXT
ORG_TYPE_BY_LABEL = {label: value for value, label in OrgType.choices}
DOMAIN_BY_LABEL = {label: value for value, label in Domain.choices}
ETHNICITY_SET = frozenset(ETHNICITIES)

_DATE_CACHE: dict[str, dt.date] = {}
_HEADER_JUNK = re.compile(r"[\s*＊:：()（）]|必填")


def header_key(text) -> str:
    """A header as typed, reduced for matching: no spaces (姓  名), no required marks (*姓名, 姓名(必填))."""
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", str(text or "")))


@dataclass
class HeaderMap:
    row: int  # the header's (first) row number
    index: dict[str, int] = field(default_factory=dict)  # column name -> cell index
    errors: list[dict] = field(default_factory=list)
    last_row: int = 0  # the header's last row: row + 1 for a two-level header
    # A date split into 年, 月 (and 日) columns under its heading: {the 年 cell's index (the column's, in `index`):
    # the indexes of its 年, 月 and 日 cells (None: no 日)}. `joined_dates` makes each one cell.
    parts: dict[int, tuple[int, int, int | None]] = field(default_factory=dict)
    title: str = ""  # the text of the rows above the header (“城关镇东村党支部党员花名册”)

    def __post_init__(self):
        self.last_row = self.last_row or self.row

    def lacks(self, name: str) -> bool:
        """No column of this name, and no error about it already (an ambiguous two-level heading)."""
        return name not in self.index and all(e["column"] != name for e in self.errors)

    @property
    def rows_text(self) -> str:
        return f"第{self.row}行" if self.last_row == self.row else f"第{self.row}–{self.last_row}行"


def _lookup(columns: list[Column]) -> dict[str, Column]:
    return {header_key(name): col for col in columns for name in (col.name, *col.synonyms)}


def match_headers(row_number: int, cells: list, columns: list[Column]) -> HeaderMap:
    lookup = _lookup(columns)
    hm = HeaderMap(row=row_number)
    for i, cell in enumerate(cells):
        col = lookup.get(header_key(cell))
        if col is None:
            continue  # extra columns (序号, 备注, ...) are ignored
        if col.name in hm.index:
            hm.errors.append(error(row_number, col.name, clean_text(cell),
                                   f"“{col.name}”列出现了不止一次（含同义列名），请只保留一列"))
            continue
        hm.index[col.name] = i
    return hm


def find_header(rows, columns: list[Column], *, look_ahead: int = 10):
    """The header is the first row naming at least two known columns, among the first `look_ahead`
    rows (rosters often carry a title row such as “XX党委党员名册” above it). A second header row under it
    (`_two_level`), and rows numbering the columns (1 2 3 …) or of notes (必填, 选填, 格式：…) are read as part of
    the header. Returns
    (HeaderMap, the rows iterator positioned after it) or (None, None)."""
    it = iter(rows)
    above: list[str] = []
    for _ in range(look_ahead):
        try:
            number, cells = next(it)
        except StopIteration:
            return None, None
        hm = match_headers(number, cells, columns)
        if len(hm.index) >= 2:
            hm, rest = _rest_of_header(hm, cells, it, columns)
            hm.title = " ".join(above)
            return hm, (joined_dates(rest, hm.parts) if hm.parts else rest)
        above += [t for t in (clean_text(c) for c in cells[:20]) if t]
    return None, None


def joined_dates(rows, parts: dict[int, tuple[int, int, int | None]]):
    """The rows with each date split into 年/月/日 cells (`HeaderMap.parts`) written in its 年 cell as one text,
    2012年7月1日 (2012年7月 without a 日 column), which the date column then reads as any written date. A row
    with all of them empty keeps an empty cell; one with some empty gets what it has (1990年月7日), which is that
    cell's error."""
    for number, cells in rows:
        for at, (y, m, d) in parts.items():
            texts = [clean_text(cells[i]) if i is not None and i < len(cells) else "" for i in (y, m, d)]
            if at >= len(cells):
                if not any(texts):
                    continue
                cells += [""] * (at + 1 - len(cells))  # the readers' rows are lists of their own
            year, month, day = texts
            cells[at] = "" if not any(texts) else f"{year}年{month}月" + (f"{day}日" if d is not None else "")
        yield number, cells


def roster_sheets(sheets, columns: list[Column], passed_over: list[str] | None = None
                  ) -> list[tuple[str, HeaderMap, object]]:
    """(sheet name, its header, its rows after the header) of every sheet that has a header (`find_header`): the
    sheets of a workbook that hold a roster, as a town's workbook with one sheet per village has them. Sheets
    without one (a cover, the template's 说明) are passed over, and their names added to `passed_over`."""
    found = []
    for name, rows in sheets:
        header, rest = find_header(rows, columns)
        if header is not None:
            found.append((name, header, rest))
        elif passed_over is not None:
            passed_over.append(name)
    return found


def stamp(errors: list[dict], start: int, sheet: str) -> None:
    """The sheet's name on the errors from `start` on (only in a workbook whose sheets are imported together):
    the error dict gains "sheet", and its row number is that sheet's."""
    if sheet:
        for e in errors[start:]:
            e.setdefault("sheet", sheet)


def _rest_of_header(hm: HeaderMap, cells: list, it, columns: list[Column]):
    for _ in range(3):  # a second header row, then rows numbering the columns or of notes
        try:
            number, below = next(it)
        except StopIteration:
            return hm, iter(())
        if _is_numbering(below) or _is_notes(below):
            hm.last_row = number
            continue
        two = _two_level(hm, cells, number, below, columns) if hm.last_row == hm.row else None
        if two is None:
            return hm, itertools.chain([(number, below)], it)
        hm = two
    return hm, it


_GROUP_NOTE = re.compile(r"^[(（]")


# Sub-headings that name a column only under their group heading. 入党时间 split into 预备 and 正式 (or 转正) is
# the day the member was admitted as a probationary member, which is the 入党日期 (党章第七条), and the day of
# becoming a full member (转正日期).
_UNDER_GROUP = {
    group: {sub: column for column, subs in columns.items() for sub in subs}
    for group, columns in {
        "入党时间": {"入党日期": ("预备", "预备党员", "接收为预备党员", "成为预备党员"),
                 "转正日期": ("正式", "转正", "正式党员", "转为正式党员", "成为正式党员")},
    }.items()
}
_UNDER_GROUP["入党日期"] = _UNDER_GROUP["入党时间"]


def _under_group(heading: str, sub: str, lookup: dict) -> str | None:
    """The lookup key `sub` names under the group heading `heading` (`_UNDER_GROUP`), if its column is one of
    `lookup`'s."""
    name = _UNDER_GROUP.get(heading, {}).get(sub)
    return name if name is not None and name in lookup else None


def _two_level(hm: HeaderMap, top_cells: list, number: int, sub_cells: list, columns: list[Column]) -> HeaderMap | None:
    """A header in two rows, as printed rosters are laid out: a group heading merged across the columns it
    covers (“入党时间” over “入党日期” and “转正日期”, or over “预备” and “正式”; “基本情况” over 姓名…), and the columns without sub-headings
    merged down both rows. Returns the combined header, or None when the row under the header is not part of it.

    Each column takes its second-row name when that names a column, alone or joined to its group heading
    (“联系” + “电话”); otherwise its first-row name if the heading is its own (not shared with other columns).
    The row is a second header row only if at least one of its cells names a column this way and it has nothing
    (or its first row's text again, as a filled vertical merge gives, or a note in brackets) under every column
    the first row named by itself: a member's row always has a name or number there."""
    lookup = _lookup(columns)
    width = max(len(top_cells), len(sub_cells))
    top = [header_key(top_cells[i]) if i < len(top_cells) else "" for i in range(width)]
    sub = [header_key(sub_cells[i]) if i < len(sub_cells) else "" for i in range(width)]
    raw_sub = [clean_text(sub_cells[i]) if i < len(sub_cells) else "" for i in range(width)]
    if not any(sub):
        return None
    group_of: list[int | None] = [None] * width  # the column whose first-row cell heads column i
    start = None
    for i in range(width):
        if top[i]:
            start = i
        elif not (start is not None and sub[i] and sub[start]):
            start = None  # a blank under a blank first-row cell ends the group
        group_of[i] = start
    shared = {g for i, g in enumerate(group_of) if g is not None and g != i}
    names = [""] * width
    named_below = False
    split = _split_dates(top, sub, group_of, shared, lookup)
    for i in range(width):
        g = group_of[i]
        heading = top[g] if g is not None else ""
        if g in split:
            names[i] = heading if i == split[g][0] else ""
            named_below = True
            continue
        own = g == i and g not in shared
        below = next((c for c in (sub[i], heading + sub[i], sub[i] + heading) if c in lookup),
                     _under_group(heading, sub[i], lookup)) if sub[i] else None
        if below is not None:
            names[i] = below
            named_below = True
            continue
        if own and sub[i] and sub[i] != top[i] and not _GROUP_NOTE.match(raw_sub[i]) and top[i] in lookup:
            return None  # a value under a column the first row names by itself: a member's row
        names[i] = top[i] if own else ""
    if not named_below:
        return None
    two = match_headers(hm.row, names, columns)
    two.last_row = number
    two.parts = {parts[0]: parts for parts in split.values()}
    for g in sorted(shared):
        col = lookup.get(top[g])
        if col is not None and col.name not in two.index:
            under = "、".join(f"“{raw_sub[i]}”" for i in range(width) if group_of[i] == g)
            two.errors.append(error(hm.row, col.name, clean_text(top_cells[g]), (
                f"两层表头中“{clean_text(top_cells[g])}”下分为{under}几列，无法确定哪一列是“{col.name}”："
                f"请把是{col.name}的那一列第{number}行的表头改为“{col.name}”；都不是的，"
                f"请把第{hm.row}行的“{clean_text(top_cells[g])}”改为其他名称")))
    return two


def _split_dates(top: list[str], sub: list[str], group_of: list, shared: set, lookup: dict
                 ) -> dict[int, tuple[int, int, int | None]]:
    """The groups that are a date split into 年, 月 and perhaps 日 columns, in that order, under a heading naming
    a date column (出生年月 over 年 | 月, 入党时间 over 年 | 月 | 日): {the group: (its 年, 月, 日 indexes)}."""
    out = {}
    for g in shared:
        col = lookup.get(top[g])
        if col is None or col.kind != "date":
            continue
        members = [i for i, owner in enumerate(group_of) if owner == g]
        subs = [sub[i] for i in members]
        if subs in (["年", "月"], ["年", "月", "日"]):
            out[g] = (members[0], members[1], members[2] if len(members) == 3 else None)
    return out


_NUMBERING_MARKS = "甲乙丙丁戊己庚辛壬癸"


def _texts(cells) -> list[str]:
    """A row's non-empty cells as text."""
    return [t for c in cells if (t := clean_text(c))]


# What templates write under their headings: 必填/选填 marks, bracketed notes, formats and examples.
_NOTE = re.compile(r"^[(（]?(?:必填|选填|非必填|可选|可不填|必填项|选填项|必须填写)[)）]?$|^[(（].*[)）]$|^(?:格式|如|例|填写)[:：]")


def _is_notes(cells: list) -> bool:
    """A row of notes under the header (必填, 选填, （18位）, 格式：2020-01-05 …): part of the header, not a member."""
    texts = _texts(cells)
    return len(texts) >= 2 and all(_NOTE.match(t) for t in texts)


def _is_numbering(cells: list) -> bool:
    """A row numbering the columns under the header, as statistical forms have: 1 2 3 … or (1) (2) …, perhaps
    after 甲 乙 丙."""
    texts = _texts(cells)
    numbers = [int(t.strip("()（）")) for t in texts if t.strip("()（）").isdigit()]
    marks = [t for t in texts if t in _NUMBERING_MARKS]
    return (len(numbers) >= 3 and len(numbers) + len(marks) == len(texts)
            and numbers == list(range(numbers[0], numbers[0] + len(numbers))))


def missing(header: HeaderMap, col: Column) -> dict:
    """A required column the header does not have, with the names it may go by."""
    names = "、".join(f"“{n}”" for n in (col.name, *col.synonyms))
    message = f"缺少“{col.name}”列（{header.rows_text}表头中应有一列名为{names}{'之一' if col.synonyms else ''}）"
    if col.key == "org":  # a member file
        message += "；也可用“所在党组织”列填写党组织全称，或在导入时指定默认党组织"
    return error(header.row, col.name, "", message)


# Lines under (or between) the rows of a table such as “合计：42人”, “小计 12人” or “填表人：张三 … 审核人：李四”, and
# a total's count in a cell of its own (合计 | 42人).
_FOOTER = re.compile(r"^(?:合计|总计|小计|共计|[\u4e00-\u9fff]{2,8}[:：]|\d+\s*[人名个]$)")


def is_footer(vals) -> bool:
    """A row that only holds a total or “label：value” notes, no member or organization: skipped, not reported.
    Asked only of rows that failed the check (an ID number, a date or a code never starts with Chinese text and a
    colon)."""
    texts = _texts(vals)
    return 0 < len(texts) <= 4 and all(_FOOTER.match(t) for t in texts)


def error(row: int, column: str, value, message: str) -> dict:
    return {"row": row, "column": column, "value": "" if value is None else str(value), "message": message}


def clean_text(value) -> str:
    """A cell as text: numbers without a spurious “.0”, Excel dates as 2020-01-05, surrounding
    (also full-width and non-breaking) spaces and zero-width marks removed."""
    if type(value) is str:  # the common case first: CSV cells are all text
        if "\ufeff" in value or "\u200b" in value:
            value = value.replace("\ufeff", "").replace("\u200b", "")
        value = value.strip()
        return _unformula(value) if value[:2] == '="' else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if type(value) is MonthDate:
        return value.shown()  # as the sheet shows it
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\ufeff", "").replace("\u200b", "").strip()


def _unformula(text: str) -> str:
    """="110101199003070011" -> 110101199003070011: how systems write a CSV cell that Excel must keep as text (Excel
    shows what is between the quotes); the file as it comes, not saved again by Excel, holds the formula."""
    return text[2:-1].strip() if text[:2] == '="' and text[-1:] == '"' and len(text) > 2 else text


_SPACES = re.compile(r"\s+")


def clean_code(value) -> str:
    """IDs, codes and phone numbers: full-width letters and digits become ASCII, inner spaces go, and so does the
    apostrophe that exports from other systems put before a number to keep Excel from turning it into one
    ('110101199003070011: Excel hides it when typed, but it is in the cell of a CSV)."""
    text = clean_text(value)
    if text[:1] in ("'", "’", "‘"):
        text = text[1:].lstrip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text) if " " in text or "\t" in text or "\u3000" in text else text


_SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?[eE]\+[0-9]{2}$")  # as Excel writes it: 1.10101E+17
_RETYPE = "请把该列设为“文本”格式，重新录入后再导入"


def lost_digits(value) -> tuple[str, str] | None:
    """(the cell as Excel shows it, why) when a code cell (公民身份号码, 党组织编码) cannot be trusted, else None.
    Excel keeps 15 significant digits of a number: an 18-digit ID typed into a numeric cell comes back with its
    last digits gone, and about one in eleven such numbers still passes the checksum as somebody else's
    number, so it must never be taken. A CSV saved from such a sheet holds “1.10101E+17”."""
    if type(value) is float and abs(value) >= 1e15:
        shown = format(Decimal(f"{value:.15g}"), "f")
        return shown, f"单元格是数字格式，Excel只保留15位有效数字，后几位已丢失；{_RETYPE}"
    if type(value) is str and "+" in value and _SCIENTIFIC.match(value.strip()):
        return value.strip(), f"显示为科学计数法，后几位已丢失（Excel把该列当成了数字）；{_RETYPE}"
    return None


def clean_date(value) -> dt.date | None:
    """A date from an Excel date, an Excel serial number, or any written form core.dates accepts.
    A number such as 20200105 (typed into a numeric cell) is read as the written form."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 10000101:
        value = clean_text(value)
    if isinstance(value, str):
        value = value.strip()
        if value[:2] == '="':
            value = _unformula(value)
        if not value:
            return None
        hit = _DATE_CACHE.get(value)
        if hit is not None:
            return hit
        text = value if value.isascii() else unicodedata.normalize("NFKC", value)
        parsed = parse_date(text)  # DateError propagates with its Chinese message
        if len(_DATE_CACHE) < 100_000:  # a roster has at most a few tens of thousands of distinct dates
            _DATE_CACHE[value] = parsed
        return parsed
    try:
        return parse_date(value)
    except DateError:
        raise
    except (TypeError, ValueError, OverflowError):
        raise DateError(f"无法识别的日期：{clean_text(value)}") from None
