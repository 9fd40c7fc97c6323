"""Which branch a roster without an organization column is: what its title, sheet name or file name says.

A branch's own roster often has no 所在党组织编码 column. Its title (城关镇东村党支部党员花名册), its file's name
(城关镇东村党支部.xlsx) or, at a town or county office, its file's name inside the folders it came in
(城关镇党委/东村党支部.xlsx) says whose it is. `branches_named` reads those texts against the organizations the
user sees; `sheet_texts` gives a sheet's texts, `said_unnamed` the error of a sheet that could not be placed.

A folder's place must agree with the branch found: a file in 河口镇党委/ is not put in 城关镇's 东村党支部 because the
user sees only that one, when 河口镇 names a committee the user sees. A folder that names none (新建文件夹, 收到的名册)
is passed over.

The member import also reads a 所在党支部 cell that is no organization's full name as a short name through
`short_names` and `branches_ending`, and its sheet's folders or town (`sheet_places`, `Fits`) pick among several."""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q
from django.db.models.functions import Right

from dangjian.core.scope import scope_for
from dangjian.orgs.models import BRANCH_TYPES, Org

from . import columns as C
from .readers import BUNDLE_SHEET_SEP, TABLE_SUFFIXES
from .result import is_bundle

_BRANCH_END = re.compile(r"支部")
_NAME_SPAN = 40  # the longest organization name looked for inside a title or a file name
# What a file, sheet or title says around a branch's short name (2026年东村党支部党员花名册 → 东村党支部), and what a
# folder says after its committee's place (城关镇党委 → 城关镇), so that the folder and the file join up into the
# branch's name as it is usually formed (城关镇 + 东村党支部).
_YEAR = re.compile(r"[（(\[【]?\d{4}(年度?|年)?[）)\]】]?")
_PARTY = re.compile(r"^(中共|中国共产党)")
_ROSTER_WORDS = re.compile(r"(党员)?(花名册|名册|名单|信息采集表|信息表|基本信息|信息|台账|统计表)$")
_COMMITTEE_ENDS = ("党工委", "党委", "党总支", "总支部", "总支", "工作委员会", "委员会")
_COMMITTEE_END = re.compile(f"({'|'.join(_COMMITTEE_ENDS)})$")
_SHORT_MIN = 2  # characters before 党支部 in a short name: 东村党支部, not 村党支部
# A number before a file's name (01.东村党支部, （三）东村党支部, 复件 东村党支部): with a separator, then digits alone
_NUMBERING = (re.compile(r"^((复件|副本)|[（(\[【]?(\d+|[一二三四五六七八九十]+)[）)\]】.．、,，\-_—]+)+"),
              re.compile(r"^\d+"))
_FORMAL = "支部委员会"  # a branch's formal name ends so (中共城关镇东村支部委员会); its short name in 党支部


@dataclass(frozen=True)
class InFolders:
    """A file's name (without its suffix) inside folders whose names are places, outermost first:
    城关镇党委/东村党支部.xlsx is InFolders(("城关镇",), "东村党支部", ("城关镇党委",)). `folders` are the folders'
    names as they are, for messages (the .zip's own name counts as the outermost folder)."""

    places: tuple[str, ...]
    name: str
    folders: tuple[str, ...] = ()

    def readings(self) -> list[str]:
        """The file's name with its places joined in front, fullest first: 城关镇东村党支部, then 东村党支部."""
        return ["".join(self.places[k:]) + self.name for k in range(len(self.places) + 1)]

    def folder_of(self, place: str) -> str:
        return dict(zip(self.places, self.folders)).get(place, place)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace(_FORMAL, "党支部")


def _branch_candidates(text: str) -> set[str]:
    """Every piece of `text` that ends as a branch's name does (…支部): the names it may hold. 支部委员会 is read as
    党支部 (中共东村支部委员会 is the 东村党支部)."""
    text = _plain(text)
    out = set()
    for m in _BRANCH_END.finditer(text):
        end = m.end()
        out.update(text[start:end] for start in range(max(0, end - _NAME_SPAN), m.start()))
    return out


def _bare(text: str) -> str:
    """`text` without its years, a leading 中共 and trailing roster words."""
    return _ROSTER_WORDS.sub("", _PARTY.sub("", _YEAR.sub("", _plain(text))))


def short_names(text: str) -> list[str]:
    """The branch's names a whole file name, sheet name or title may be, the fullest first: without its year,
    中共 and roster words (“2026年东村党支部党员花名册” → 东村党支部), without what follows the last 党支部 (a copy's
    “东村党支部 - 副本”, a second download's “东村党支部(1)”, “东村党支部（11月更新）”), then also without a leading
    number (“01.东村党支部”, “（三）东村党支部”, “03东村党支部”, “复件 东村党支部”: a branch called 8号楼党支部 is
    still tried as it is first). Each must end in 党支部 with at least two characters before it; [] when none
    does."""
    text = _bare(text)
    end = text.rfind("党支部")
    if end < 0:
        return []
    text = text[:end + len("党支部")]
    out = [text]
    for numbering in _NUMBERING:  # with a separator, else digits alone
        bare = numbering.sub("", text)
        if bare != text:
            out.append(bare)
            break
    return [t for t in out if len(t) >= len("党支部") + _SHORT_MIN]


def place_of(folder: str) -> str | None:
    """A folder's name as the start of its branches' names: 中共东县城关镇委员会, 城关镇党委, 1.城关镇党委 → 东县城关镇,
    城关镇, 城关镇; None for a name that is no place (it names a branch, or a file: the web's “东村.xlsx等3个文件”)."""
    place = _COMMITTEE_END.sub("", _bare(folder))
    for numbering in _NUMBERING:  # 1.城关镇党委, 01城关镇
        place = numbering.sub("", place)
    return None if "支部" in place or "." in place else place


def _places(folders) -> list[tuple[str, str]]:
    """(place, folder) of the innermost folders up to the first that is no place, outermost first."""
    out: list[tuple[str, str]] = []
    for folder in reversed(folders):
        place = place_of(folder)
        if place is None:
            break
        if place:
            out.insert(0, (place, folder))
    return out


def sheet_texts(name: str, title: str, file_name: str) -> list:
    """Where a roster without an organization column names its branch: its title rows, its sheet's name, its file's
    name (the .zip's file for a sheet of a bundle, with its folders and the .zip's own name as the outermost folder:
    InFolders for 城关镇/东村党支部.xlsx)."""
    parts = [title, *name.split(BUNDLE_SHEET_SEP)]
    if not is_bundle(file_name):
        parts.append(file_name)
    outer = [Path(file_name).stem] if is_bundle(file_name) else []  # a town's 城关镇.zip: the outermost folder
    texts: list = []
    for p in filter(None, parts):
        path = Path(p.replace("\\", "/"))
        if path.suffix.lower() not in TABLE_SUFFIXES:
            texts.append(p)
            continue
        places = _places([*outer, *path.parts[:-1]])
        if places:
            found, folders = zip(*places)
            texts.append(InFolders(found, path.stem, folders))
        else:
            texts.append(path.stem)
    return texts


def sheet_places(texts: list) -> tuple[str, ...]:
    """The places a sheet's texts (`sheet_texts`) name: its file's folders', outermost first, then a title, sheet
    name or file name that is a place as a whole (2026年城关镇党员花名册, 城关镇.xlsx → 城关镇)."""
    places = [p for t in texts if isinstance(t, InFolders) for p in t.places]
    places += [p for t in texts if isinstance(t, str) and (p := place_of(t))]
    return tuple(dict.fromkeys(places))


@dataclass
class Unnamed:
    """Why a sheet that says a short name was placed nowhere: several branches the user sees end with `short`
    (`names`), or those that do are not under its `folder`'s place."""

    short: str
    branches: list[Branch]
    folder: str = ""
    names: list[str] = field(default_factory=list)  # the branches' names, told apart by `_tell_apart`


def _tell_apart(unnamed: list[Unnamed]) -> None:
    """Each Unnamed's `names`: its branches' names, told apart (`told_apart`) within it."""
    labels = [told_apart([(b[0], b[1]) for b in why.branches]) for why in unnamed]
    for why, label in zip(unnamed, labels):
        why.names = [label.get(b[0], b[1]) for b in why.branches]


def told_apart(branches: list[tuple[str, str]]) -> dict[str, str]:
    """{code: label} of those of these (code, name) pairs whose name another of them has too: the name with its
    superior's (东县河口镇党委下的东村党支部), as a county sees three towns' 东村党支部. Two queries, none when all the
    names differ."""
    counts = Counter(name for _code, name in branches)
    alike = {code: name for code, name in branches if counts[name] > 1}
    if not alike:
        return {}
    paths = dict(Org.objects.filter(code__in=sorted(alike)).values_list("code", "path"))
    parents = dict(Org.objects.filter(path__in=sorted({p[:-Org.steplen] for p in paths.values()}))
                   .values_list("path", "name"))
    return {code: f"{parents[paths[code][:-Org.steplen]]}下的{name}" for code, name in alike.items()
            if code in paths and paths[code][:-Org.steplen] in parents}


Branch = tuple[str, str, str]  # code, name, path


def branches_named(texts: dict[str, list], user, unnamed: dict | None = None) -> dict[str, tuple[str, str]]:
    """{sheet: (code, name)} of the sheets whose title rows, sheet name or file name (`texts[sheet]`: strings, or
    InFolders for a file's name in folders) name one branch the user can see.

    A branch's name in full, anywhere in a text, comes first: “城关镇东村党支部党员花名册”, a file
    “城关镇东村党支部.xlsx”. A name inside a longer matched one (东村党支部 in 城关镇东村党支部) gives way to it; a
    sheet naming two branches names none.

    Without one, a text that is a short name as a whole (“东村党支部.xlsx”, “2026年东村党支部党员名册”) names the one
    branch the user can see whose name ends with it (城关镇东村党支部, or 中共城关镇东村支部委员会): each text's
    fullest reading that any branch ends with decides, and two such branches, or two texts naming different ones,
    name none. A village's file sent to its town is named so; at the county the town's folder joins it
    (城关镇/东村党支部.xlsx), and where two towns each have a branch named just 东村党支部, the folder picks the one
    under it.

    A file's folders must agree with the branch: each folder's place that names a committee the user sees is in the
    branch's name or in one of its superiors' names (those that are are preferred to those that pass because a
    place names nothing). `unnamed` (when given) gets {sheet: Unnamed} of the sheets
    left unplaced because several branches end with their short name or none of those is under the folder.
    A handful of queries for all the sheets."""
    readings = {sheet: [t.readings() if isinstance(t, InFolders) else [t] for t in parts]
                for sheet, parts in texts.items()}
    places = {sheet: list(dict.fromkeys(p for t in parts if isinstance(t, InFolders) for p in t.places))
              for sheet, parts in texts.items()}
    scope = scope_for(user) if user is not None else None
    candidates = {sheet: set().union(*(_branch_candidates(r) for g in gs for r in g)) for sheet, gs in readings.items()}
    found = C.orgs_called(set().union(*candidates.values()), scope)
    out: dict[str, Branch] = {}
    shortened = []
    for sheet, names in candidates.items():
        matched = [n for n in names if n in found]
        matched = [n for n in matched if not any(n != other and n in other for other in matched)]
        if len(matched) == 1 and len(found[matched[0]]) == 1:
            out[sheet] = found[matched[0]][0]
        elif not matched or len(matched) == 1:
            shortened.append(sheet)  # no full name, or one that several branches have: their short names decide
    # a sheet in folders may go from its full name's branch to its short name's (the folder's), so its short names
    # are looked for too: one query for all, and one for the lineages of every branch a folder is held against
    shorts = {sheet: [[s for r in g for s in short_names(r)] for g in readings[sheet]] for sheet in texts}
    ending = branches_ending({s for sheet, gs in shorts.items() if sheet in shortened or places[sheet]
                               for g in gs for s in g}, scope)
    fits = Fits([b for sheet, b in out.items() if places[sheet]]
                 + [b for sheet, gs in shorts.items() if places[sheet] for g in gs for s in g for b in ending.get(s, ())],
                 scope)
    for sheet, branch in list(out.items()):
        if not all(fits(branch, p) for p in places[sheet]):
            del out[sheet]  # a full name, but of a branch not under the file's folder
            shortened.append(sheet)
    for sheet in shortened:
        picks, why = set(), None
        for g in shorts[sheet]:
            for short in g:
                hits = ending.get(short)
                if not hits:
                    continue
                held = ([h for h in hits if all(fits.under(h, p) for p in places[sheet])]
                        or [h for h in hits if all(fits(h, p) for p in places[sheet])])
                if not held:  # none under the folder: a shorter reading may be
                    outside = next(p for p in places[sheet] if not all(fits(h, p) for h in hits))
                    folder = next(t.folder_of(outside) for t in texts[sheet]
                                  if isinstance(t, InFolders) and outside in t.places)
                    why = why or Unnamed(short, hits, folder)
                    continue
                if len(held) > 1:
                    why = Unnamed(short, held)
                picks.update(held if len(held) == 1 else [None])
                break
        if len(picks) == 1 and None not in picks:
            out[sheet] = picks.pop()
        elif why is not None and unnamed is not None:
            unnamed[sheet] = why
    if unnamed:
        _tell_apart(list(unnamed.values()))
    return {sheet: (code, name) for sheet, (code, name, _path) in out.items()}


def branches_ending(shorts: set[str], scope, *, batch: int = 1000) -> dict[str, list[Branch]]:
    """{short name: [(code, name, path)]} of the branches `scope` sees (None: all) whose names end with it, or with
    its formal form (东村党支部: …东村支部委员会), in tree order. By the names' last characters, one length at a time
    (`RIGHT(name, 5) IN (…)`, which PostgreSQL hashes), not by `LIKE '%…'` per short name: over a million branches,
    1,900 short names take ~0.5 s that way and 100 take ~17 s by LIKE."""
    tails = {}
    for short in shorts:
        tails[short] = short
        tails[short.removesuffix("党支部") + _FORMAL] = short
    return _ending(tails, Org.objects.filter(org_type__in=BRANCH_TYPES), scope, batch)


def committees_called(names: set[str], scope, *, batch: int = 1000) -> dict[str, list[Branch]]:
    """{name: [(code, name, path)]} of the committees (党委, 党工委, 党总支) `scope` sees (None: all) that a name
    given for one, but no organization's in full, calls by its place: 城关镇党委 is 东县城关镇党委 or
    中共东县城关镇委员会 (…城关镇 and a committee's ending), in tree order. The same RIGHT() lookup as
    `branches_ending`."""
    places = {name: place for name in names if (place := place_of(name)) and len(place) >= _SHORT_MIN}
    tails = {place + end: place for place in places.values() for end in _COMMITTEE_ENDS}
    found = _ending(tails, Org.objects.exclude(org_type__in=BRANCH_TYPES), scope, batch)
    return {name: found[place] for name, place in places.items() if place in found}


def _ending(tails: dict[str, str], base, scope, batch: int) -> dict[str, list[Branch]]:
    """{tails[tail]: [(code, name, path)]} of the organizations of `base` that `scope` sees whose names end with a
    tail, by RIGHT(name, n) IN (…) one length at a time, in tree order."""
    ordered = sorted(tails)
    found: dict[str, list[Branch]] = {}
    for i in range(0, len(ordered), batch):
        by_length: dict[int, set[str]] = defaultdict(set)
        for tail in ordered[i:i + batch]:
            by_length[len(tail)].add(tail)
        qs = base.annotate(**{f"tail{n}": Right("name", n) for n in by_length}).filter(
            functools.reduce(operator.or_, (Q(**{f"tail{n}__in": sorted(part)}) for n, part in by_length.items())))
        if scope is not None:
            qs = qs.filter(scope.path_q("path", "view"))
        for org in qs.order_by("path").values_list("code", "name", "path"):
            for n, part in by_length.items():
                if org[1][-n:] in part:
                    found.setdefault(tails[org[1][-n:]], []).append(org)
    for hits in found.values():
        hits.sort(key=lambda b: b[2])
    return found


class Fits:
    """Whether a folder's place agrees with a branch: it is in the branch's name or a superior's (`under`), or it
    names no committee the user sees (a folder such as 新建文件夹 or 农村 says nothing): no committee's name ends
    with it or with it and a committee's ending (河口镇 → …河口镇党委, …河口镇委员会). The lineages of the branches
    given are read in one query; whether a place names a committee, once per place and only when no branch's
    lineage has it (LIKE '%…' over the user's scope)."""

    def __init__(self, branches: list[Branch], scope):
        self.scope = scope
        self.lineage: dict[str, str] = {}
        self.known: dict[str, bool] = {}
        self.add(branches)

    def add(self, branches: list[Branch]) -> None:
        """Read the lineages of these branches too (one query, none for those read already)."""
        paths = {b[2] for b in branches} - self.lineage.keys()
        if not paths:
            return
        prefixes = {p[:i] for p in paths for i in range(Org.steplen, len(p) + 1, Org.steplen)}
        names = {}
        for part in _batches(sorted(prefixes), 2000):
            names.update(Org.objects.filter(path__in=part).values_list("path", "name"))
        for p in paths:
            self.lineage[p] = "|".join(_plain(names.get(p[:i], ""))
                                       for i in range(Org.steplen, len(p) + 1, Org.steplen))

    def under(self, branch: Branch, place: str) -> bool:
        return place in self.lineage.get(branch[2], "")

    def __call__(self, branch: Branch, place: str) -> bool:
        if self.under(branch, place):
            return True
        if place not in self.known:
            qs = Org.objects.exclude(org_type__in=BRANCH_TYPES).filter(functools.reduce(
                operator.or_, (Q(name__endswith=place + end) for end in ("", *_COMMITTEE_ENDS))))
            if self.scope is not None:
                qs = qs.filter(self.scope.path_q("path", "view"))
            self.known[place] = qs.exists()
        return not self.known[place]


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def listed(names: list[str], shown: int = 5) -> str:
    """The first `shown` names joined by 、, and 等 when there are more: what the errors name."""
    return "、".join(names[:shown]) + ("等" if len(names) > shown else "")


def said_unnamed(error: dict, why: Unnamed | None) -> dict:
    """The missing organization column's error of a roster whose short name several branches end with, or whose
    folder none of them is under: which, and the ways out, instead of the column's general message."""
    if why is None:
        return error
    shown = listed(why.names)
    if why.folder:
        error["message"] = (f"文件夹“{why.folder}”中的“{why.short}”：您可见的以它结尾的党支部（{shown}）都不在"
                            f"“{why.folder}”下，无法按文件名编入：请核对文件所在的文件夹，或在文件名或标题中写党支部全称，"
                            f"或在名册中加“{error['column']}”列")
    else:
        error["message"] = (f"标题或文件名中的“{why.short}”对应{len(why.names)}个党支部（{shown}），无法确定编入哪一个："
                            f"请在文件名或标题中写党支部全称（如“{why.names[0]}”），或把文件放进以乡镇命名的文件夹后"
                            f"打包，或在名册中加“{error['column']}”列")
    return error
