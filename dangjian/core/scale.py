"""Synthetic scale data (`dangjian gen_scale`): a province-shaped organization tree and its members.

The tree has the shape of a real one: 省委 → 市委 → 县委/区委 → 乡镇党委/街道党工委 → 村/社区 (党支部,
large ones 党总支 or 党委 with branches below), plus the units each level runs (机关工委 with 机关 branches,
教育/卫健系统, 国有企业, 两新组织 with 联合党支部). Generation walks that template depth first and stops
at exactly `orgs` organizations; `members` members are spread over the branch-type organizations
(weighted by the kind of branch, so a village branch is larger than a firm's). Everything comes from
one `random.Random(seed)` and a fixed reference date, so the same seed gives the same rows on any day.

What is written is what the actions would have kept: valid treebeard paths (steplen 4, depth,
numchild), member `org_path` copies, pinyin keys, valid 公民身份号码 (unique among active members),
dates that pass validate_member, and the org counters. simple-history versions are *not* written for
generated data (it doubles the load for rows no one edited); "as of" lists are empty on it.

PostgreSQL loads with COPY (psycopg 3); other databases with bulk_create in batches.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import idcard
from dangjian.demo import names
from dangjian.members.models import Member
from dangjian.members.search import pinyin_keys
from dangjian.orgs.models import Org

# Dates are relative to this day, not to "today": the same seed gives the same data on any day.
REFERENCE_DATE = dt.date(2026, 6, 30)
PROVINCE_AREA = "99"  # not a real GB/T 2260 province code: generated people are nobody's neighbours
ROOT_CODE = "99"
_ALPHABET = Org.alphabet
_STEP = Org.steplen
_BRANCHES = frozenset({"branch", "joint_branch", "temp_branch"})
_SQLITE_BATCH = 500


class ScaleError(ValueError):
    """A Chinese message: why the data cannot be generated."""


def _step(n: int) -> str:
    """The n-th child's path segment (1-based), as treebeard writes it: base 36, zero-padded to 4."""
    if n >= len(_ALPHABET) ** _STEP:
        raise ScaleError("同一上级下的党组织数量超出树路径的容量")
    out = ""
    while n:
        n, r = divmod(n, len(_ALPHABET))
        out = _ALPHABET[r] + out
    return out.rjust(_STEP, _ALPHABET[0])


@dataclass(slots=True, eq=False)
class Node:
    id: int
    parent: Node | None
    path: str
    depth: int
    code: str
    name: str
    org_type: str
    domain: str
    founded_on: dt.date
    area: str
    place: str
    unit_name: str = ""
    numchild: int = 0
    counts: list = field(default_factory=lambda: [0, 0, 0, 0])  # direct full, prob; subtree full, prob


class _Full(Exception):
    """The organization budget is used up."""


class TreeBuilder:
    def __init__(self, rng: random.Random, limit: int):
        self.rng = rng
        self.limit = limit
        self.nodes: list[Node] = []

    def add(
        self,
        parent: Node | None,
        name: str,
        org_type: str,
        domain: str,
        *,
        width: int = 2,
        area: str | None = None,
        place: str | None = None,
        unit_name: str = "",
    ) -> Node:
        if len(self.nodes) >= self.limit:
            raise _Full
        if parent is None:
            path, depth, code = _step(1), 1, ROOT_CODE
        else:
            parent.numchild += 1
            k = parent.numchild
            if k >= 10**width:
                raise ScaleError(f"“{parent.name}”的下级超过{10**width - 1}个，编码位数不够")
            path, depth, code = parent.path + _step(k), parent.depth + 1, f"{parent.code}{k:0{width}d}"
        founded_base = parent.founded_on if parent is not None else dt.date(1949, 10, 1)
        span = max(1, (REFERENCE_DATE - founded_base).days - 400)
        founded = founded_base + dt.timedelta(days=self.rng.randrange(min(span, 365 * 30)))
        node = Node(
            id=len(self.nodes) + 1,
            parent=parent,
            path=path,
            depth=depth,
            code=code,
            name=name,
            org_type=org_type,
            domain=domain,
            founded_on=founded,
            area=area or (parent.area if parent else PROVINCE_AREA + "0000"),
            place=place if place is not None else (parent.place if parent else ""),
            unit_name=unit_name,
        )
        self.nodes.append(node)
        return node


# Place-name syllables for cities, counties and townships (two characters each, deterministic by index).
_FIRST = (
    "青安平宁东西南北长永新丰兴泰和清阳庆宝昌德华嘉金临龙鹿洛梅明南宁蒲秀石松桃天通文武仙祥兴延玉云枣章紫"
)
_SECOND = "山河阳平城州源江川林水原安宁台丘陵泉湖溪峰岭口坪冈关桥"


def _place(i: int, salt: int) -> str:
    a = _FIRST[(i * 7 + salt) % len(_FIRST)]
    b = _SECOND[(i * 13 + salt * 3) % len(_SECOND)]
    return a + b


_ORDINALS = "一二三四五六七八九十"


def _nth(i: int) -> str:
    if i <= 10:
        return _ORDINALS[i - 1]
    if i < 20:
        return "十" + _ORDINALS[i - 11]
    return str(i)


def build_tree(rng: random.Random, limit: int) -> list[Node]:
    """The organizations, depth first, exactly `limit` of them (the last subtree may be cut short)."""
    b = TreeBuilder(rng, limit)
    try:
        province = b.add(None, "中共华中省委员会", "committee", "government", place="华中省")
        for c in range(1, 1000):
            _city(b, province, c)
        raise ScaleError("市级党组织超过999个：请减少 --orgs")
    except _Full:
        pass
    return b.nodes


def _city(b: TreeBuilder, province: Node, c: int) -> None:
    rng = b.rng
    name = _place(c, 1) + "市"
    area = f"{PROVINCE_AREA}{c % 100:02d}00"
    city = b.add(
        province, f"中共{name}委员会", "committee", "government", width=3, area=area, place=f"华中省{name}"
    )
    for k in range(1, rng.randint(10, 14) + 1):
        _county(b, city, c, k)
    # City-level systems: 机关工委, 国资委, 教育, 卫健, 两新.
    organs = b.add(city, f"{name}市直机关工委", "work_committee", "government")
    for i in range(1, rng.randint(30, 60) + 1):
        b.add(organs, f"{name}{_dept(i)}机关党支部", "branch", "government", unit_name=f"{name}{_dept(i)}")
    soe = b.add(city, f"{name}国资委党委", "committee", "soe")
    for i in range(1, rng.randint(3, 6) + 1):
        firm = b.add(
            soe, f"{name}第{_nth(i)}工业集团党委", "committee", "soe", unit_name=f"{name}第{_nth(i)}工业集团"
        )
        for j in range(1, rng.randint(5, 15) + 1):
            b.add(firm, f"第{_nth(j)}车间党支部", "branch", "soe")
    edu = b.add(city, f"{name}教育工委", "work_committee", "school")
    for i in range(1, rng.randint(10, 20) + 1):
        school = b.add(
            edu,
            f"{name}第{_nth(i)}中学党总支",
            "general_branch",
            "school",
            unit_name=f"{name}第{_nth(i)}中学",
        )
        for j in range(1, rng.randint(2, 4) + 1):
            b.add(school, f"第{_nth(j)}教工党支部", "branch", "school")
    health = b.add(city, f"{name}卫健工委", "work_committee", "hospital")
    for i in range(1, rng.randint(4, 8) + 1):
        hosp = b.add(
            health,
            f"{name}第{_nth(i)}人民医院党委",
            "committee",
            "hospital",
            unit_name=f"{name}第{_nth(i)}人民医院",
        )
        for j in range(1, rng.randint(4, 10) + 1):
            b.add(hosp, f"第{_nth(j)}临床党支部", "branch", "hospital")
    two_new = b.add(city, f"{name}两新工委", "work_committee", "private")
    for i in range(1, rng.randint(20, 40) + 1):
        kind = rng.random()
        if kind < 0.5:
            b.add(two_new, f"{name}{_place(i, 9)}科技有限公司党支部", "branch", "private")
        elif kind < 0.8:
            b.add(two_new, f"{name}{_place(i, 11)}商圈联合党支部", "joint_branch", "private")
        else:
            b.add(two_new, f"{name}{_place(i, 13)}协会党支部", "branch", "social")


_DEPTS = [
    "组织部",
    "宣传部",
    "发展改革委",
    "教育局",
    "科技局",
    "工信局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人社局",
    "自然资源局",
    "生态环境局",
    "住建局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文旅局",
    "卫健委",
    "应急管理局",
    "审计局",
    "市场监管局",
    "统计局",
    "医保局",
    "信访局",
    "政务服务中心",
]


def _dept(i: int) -> str:
    base = _DEPTS[(i - 1) % len(_DEPTS)]
    return base if i <= len(_DEPTS) else f"{base}第{_nth((i - 1) // len(_DEPTS) + 1)}分局"


def _county(b: TreeBuilder, city: Node, c: int, k: int) -> None:
    rng = b.rng
    district = rng.random() < 0.3
    cname = _place(c * 17 + k, 3) + ("区" if district else "县")
    area = f"{PROVINCE_AREA}{c % 100:02d}{k:02d}"
    county = b.add(city, f"中共{cname}委员会", "committee", "government", area=area, place=city.place + cname)
    for t in range(1, rng.randint(10, 18) + 1):
        street = district or rng.random() < 0.15
        tname = _place(c * 101 + k * 31 + t, 5) + ("街道" if street else "镇")
        town = b.add(
            county,
            f"{tname}{'党工委' if street else '党委'}",
            "work_committee" if street else "committee",
            "community" if street else "rural",
            place=county.place + tname,
        )
        units = rng.randint(6, 15) if street else rng.randint(15, 30)
        used: set[str] = set()
        for _ in range(units):
            if street:
                word = names.pick_unique(rng, names.COMMUNITY_WORDS, used) + "社区"
                domain = "community"
            else:
                word = names.village_name(rng, used)
                domain = "rural"
            size = rng.random()
            place = town.place + word
            if size < 0.85:
                b.add(town, f"{word}党支部", "branch", domain, place=place)
            elif size < 0.95:
                general = b.add(town, f"{word}党总支", "general_branch", domain, place=place)
                for j in range(1, rng.randint(2, 4) + 1):
                    b.add(general, f"{word}第{_nth(j)}党支部", "branch", domain)
            else:
                big = b.add(town, f"{word}党委", "committee", domain, place=place)
                for j in range(1, rng.randint(3, 6) + 1):
                    b.add(big, f"{word}第{_nth(j)}党支部", "branch", domain)
        b.add(
            town,
            f"{tname}机关党支部",
            "branch",
            "government",
            unit_name=f"{tname}{'办事处' if street else '人民政府'}",
        )
        for j in range(1, rng.randint(2, 8) + 1):
            if rng.random() < 0.5:
                b.add(town, f"{tname}第{_nth(j)}联合党支部", "joint_branch", "private")
            else:
                b.add(town, f"{tname}{_place(j, 7)}实业有限公司党支部", "branch", "private")
        b.add(town, f"{tname}中心学校党支部", "branch", "school")
        b.add(town, f"{tname}卫生院党支部", "branch", "hospital")
    organs = b.add(county, f"{cname}直机关工委", "work_committee", "government")
    for i in range(1, rng.randint(20, 50) + 1):
        b.add(organs, f"{cname}{_dept(i)}党支部", "branch", "government", unit_name=f"{cname}{_dept(i)}")
    edu = b.add(county, f"{cname}教育局党委", "committee", "school")
    for i in range(1, rng.randint(10, 25) + 1):
        b.add(edu, f"{cname}第{_nth(i)}小学党支部", "branch", "school")
    health = b.add(county, f"{cname}卫健局党委", "committee", "hospital")
    for i in range(1, rng.randint(5, 10) + 1):
        b.add(health, f"{cname}{'人民医院' if i == 1 else f'第{_nth(i)}卫生院'}党支部", "branch", "hospital")


# Relative branch sizes by domain (a village branch has about three times a firm's members).
_DOMAIN_WEIGHT = {
    "rural": 1.4,
    "community": 0.9,
    "government": 1.0,
    "institution": 1.0,
    "soe": 1.3,
    "private": 0.45,
    "social": 0.4,
    "school": 1.1,
    "hospital": 1.6,
    "other": 1.0,
}


def allocate(rng: random.Random, branches: list[Node], total: int) -> list[int]:
    """How many members each branch gets: proportional to a weight, summing to exactly `total`."""
    weights = [_DOMAIN_WEIGHT.get(n.domain, 1.0) * rng.uniform(0.4, 1.6) for n in branches]
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    counts = [int(q) for q in quotas]
    rest = total - sum(counts)
    # largest remainders first; ties broken by position so the result is deterministic
    order = sorted(range(len(branches)), key=lambda i: (counts[i] - quotas[i], i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def _table(pairs) -> list:
    """A list where each value appears in proportion to its weight: rng.choice on it is a weighted pick."""
    out = []
    for value, weight in pairs:
        out.extend([value] * weight)
    return out


# Age of members at the reference date (党内统计公报 2023, rounded; rules-reference §8.2), 20-92.
_AGES = _table(
    [(a, 4) for a in range(20, 31)]
    + [(a, 8) for a in range(31, 41)]
    + [(a, 7) for a in range(41, 51)]
    + [(a, 8) for a in range(51, 61)]
    + [(a, 6) for a in range(61, 76)]
    + [(a, 2) for a in range(76, 93)]
)
_PROB_AGES = _table([(a, 5) for a in range(19, 31)] + [(a, 2) for a in range(31, 46)])
_JOIN_AGES = _table(
    [(a, 3) for a in range(18, 23)] + [(a, 4) for a in range(23, 31)] + [(a, 1) for a in range(31, 50)]
)
_EDU_YOUNG = _table(
    [
        ("postgraduate", 10),
        ("bachelor", 45),
        ("college", 25),
        ("vocational", 8),
        ("high_school", 7),
        ("junior", 5),
    ]
)
_EDU_OLD = _table(
    [
        ("postgraduate", 2),
        ("bachelor", 15),
        ("college", 20),
        ("vocational", 13),
        ("high_school", 20),
        ("junior", 30),
    ]
)
_EDU_RURAL = _table(
    [("bachelor", 5), ("college", 12), ("vocational", 13), ("high_school", 25), ("junior", 45)]
)
_MINORITIES = _table([(e, int(w)) for e, w in names.MINORITIES])
_JOBS = {
    "rural": _table([("村民", 10), ("种植户", 4), ("养殖户", 2), ("个体经营", 2), ("外出务工", 2)]),
    "community": _table([("社区工作者", 3), ("个体经营", 3), ("企业职工", 4), ("自由职业", 2)]),
    "government": _table([("公务员", 8), ("科员", 4), ("科长", 2), ("事业编工作人员", 2)]),
    "soe": _table([("技术员", 4), ("工程师", 3), ("管理人员", 3), ("工人", 6)]),
    "private": _table([("企业职工", 6), ("技术人员", 3), ("管理人员", 2)]),
    "social": _table([("社会组织工作人员", 3), ("志愿者", 1)]),
    "school": _table([("教师", 8), ("行政人员", 2)]),
    "hospital": _table([("医生", 5), ("护士", 4), ("医技人员", 2), ("行政人员", 1)]),
}
_STATUSES = [
    ("deceased", "病故", 50),
    ("transferred_out", "组织关系转出", 40),
    ("suspended", "停止党籍", 5),
    ("expelled", "开除党籍", 5),
]


def _left(x: float) -> tuple[str, str]:
    """The status of a member who left, for x uniform in [0, 0.01)."""
    for status, reason, weight in _STATUSES:
        x -= weight / 10000
        if x < 0:
            return status, reason
    return _STATUSES[-1][0], _STATUSES[-1][1]


class NamePool:
    """A fixed pool of names with their pinyin keys, computed once (pypinyin per row would dominate)."""

    def __init__(self, rng: random.Random, per_group: int = 400):
        self.groups: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
        surnames, weights = zip(*names.SURNAMES, strict=True)
        cache: dict[str, tuple[str, str]] = {}
        for (sex, cohort), (two, one) in sorted(names.GIVEN.items()):
            pool = []
            for _ in range(per_group):
                surname = rng.choices(surnames, weights=weights)[0]
                given = rng.choice(one) if len(surname) == 1 and rng.random() < 0.25 else rng.choice(two)
                name = surname + given
                if name not in cache:
                    cache[name] = pinyin_keys(name)
                pool.append((name, *cache[name]))
            self.groups[(sex, cohort)] = pool

    def pick(self, rng: random.Random, sex: str, birth_year: int):
        cohort = (
            1955 if birth_year < 1955 else 1975 if birth_year < 1975 else 1990 if birth_year < 1990 else 9999
        )
        return rng.choice(self.groups[(sex, cohort)])


MEMBER_COLUMNS = [
    "id",
    "org_id",
    "org_path",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "confirmed_on",
    "job",
    "phone",
    "address",
    "status",
    "status_reason",
    "status_changed_on",
    "lost_contact",
    "lost_contact_on",
    "is_mobile",
    "mobile_destination",
    "user_id",
    "created_at",
    "updated_at",
]
ORG_COLUMNS = [
    "id",
    "path",
    "depth",
    "numchild",
    "code",
    "name",
    "org_type",
    "domain",
    "founded_on",
    "unit_name",
    "unit_credit_code",
    "contact_person",
    "contact_phone",
    "address",
    "direct_full",
    "direct_probationary",
    "subtree_full",
    "subtree_probationary",
    "created_at",
    "updated_at",
]


def _columns(model, mine: list[str]) -> tuple[list[str], tuple]:
    """The model's columns: ours first, then any column another app added since, at its default
    (a new NOT NULL column without a default then fails loudly instead of being guessed)."""
    extra = [f for f in model._meta.concrete_fields if f.attname not in mine]
    known = {f.attname for f in model._meta.concrete_fields}
    missing = [c for c in mine if c not in known]
    if missing:
        raise ScaleError(f"{model._meta.label} 没有这些列：{', '.join(missing)}")
    return mine + [f.attname for f in extra], tuple(f.get_default() for f in extra)


class MemberRows:
    """Generates member rows branch by branch (tuples in MEMBER_COLUMNS order) and counts them."""

    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.pool = NamePool(rng)
        self.ref = REFERENCE_DATE.toordinal()
        self.seq: dict[tuple[str, int], int] = {}  # (area, birth ordinal) -> numbers used: IDs stay unique
        self.next_id = 1
        self.dues = None  # a scale_activity.DuesRows when dues are generated too

    def _id_number(self, area: str, birth_ord: int, male: bool) -> tuple[str, dt.date]:
        while True:
            used = self.seq.get((area, birth_ord), 0)
            if used < 500:
                self.seq[(area, birth_ord)] = used + 1
                birth = dt.date.fromordinal(birth_ord)
                return idcard.make(area, birth, used * 2 + (1 if male else 0)), birth
            birth_ord += 1  # 500 people of one sex born the same day in one county: next day

    def for_branch(self, node: Node, n: int):
        rng, ref, now = self.rng, self.ref, self.now
        r = rng.random
        jobs = _JOBS.get(node.domain, _JOBS["community"])
        rural = node.domain == "rural"
        counts = node.counts
        for _ in range(n):
            male = r() >= 0.3
            probationary = r() < 0.025
            age = rng.choice(_PROB_AGES if probationary else _AGES)
            birth_ord = ref - age * 365 - rng.randrange(365) - age // 4
            id_number, birth = self._id_number(node.area, birth_ord, male)
            birth_ord = birth.toordinal()
            if probationary:
                joined_ord = ref - rng.randrange(20, 360)
                confirmed = None
            else:
                earliest = birth_ord + 18 * 365 + 5  # on or after the 18th birthday
                joined_ord = min(
                    earliest + (rng.choice(_JOIN_AGES) - 18) * 365 + rng.randrange(365), ref - 370
                )
                confirmed = dt.date.fromordinal(joined_ord + 365 + rng.randrange(5))
            joined = dt.date.fromordinal(joined_ord)
            name, pinyin, initials = self.pool.pick(rng, "M" if male else "F", birth.year)
            if rural:
                education = rng.choice(_EDU_RURAL if age > 35 else _EDU_OLD)
            else:
                education = rng.choice(_EDU_YOUNG if age < 50 else _EDU_OLD)
            status, reason, changed = "normal", "", None
            x = r()
            if x < 0.01 and not probationary:  # about 1 % have left: 去世, 转出, 停止党籍, 出党
                status, reason = _left(x)
                changed = min(
                    dt.date.fromordinal(max(joined_ord + 400, ref - rng.randrange(1, 3000))), REFERENCE_DATE
                )
            elif probationary:
                counts[1] += 1
            else:
                counts[0] += 1
            mobile = age < 60 and r() < (0.06 if rural else 0.01)
            lost = r() < 0.001
            yield (
                self.next_id,
                node.id,
                node.path,
                name,
                pinyin,
                initials,
                "M" if male else "F",
                rng.choice(_MINORITIES) if r() < 0.075 else "汉族",
                id_number,
                birth,
                education,
                "probationary" if probationary else "full",
                joined,
                confirmed,
                "退休" if age >= 62 and not rural else rng.choice(jobs),
                rng.choice(names.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                f"{node.place}{rng.randrange(1, 300)}号",
                status,
                reason,
                changed,
                lost,
                dt.date.fromordinal(max(joined_ord + 1, ref - rng.randrange(30, 700))) if lost else None,
                mobile,
                rng.choice(names.MOBILE_DESTINATIONS) if mobile else "",
                None,
                now,
                now,
            )
            self.next_id += 1


def _subtree_counts(nodes: list[Node]) -> None:
    for node in nodes:
        full, prob = node.counts[0], node.counts[1]
        if not (full or prob):
            continue
        up = node
        while up is not None:
            up.counts[2] += full
            up.counts[3] += prob
            up = up.parent


def _org_row(n: Node, now) -> tuple:
    return (
        n.id,
        n.path,
        n.depth,
        n.numchild,
        n.code,
        n.name,
        n.org_type,
        n.domain,
        n.founded_on,
        n.unit_name,
        "",
        "",
        "",
        n.place,
        n.counts[0],
        n.counts[1],
        n.counts[2],
        n.counts[3],
        now,
        now,
    )


def existing_rows() -> tuple[int, int]:
    return Org.objects.count(), Member.objects.count()


def generate(*, orgs: int, members: int, seed: int = 1, years: int = 0, progress=None) -> dict:
    """Write the synthetic tree and its members into an empty database; with `years`, also their dues
    (bases, exemptions, ledger, payments) and their branches' meetings over the last `years` calendar years
    through the reference month (see scale_activity). Returns a summary."""
    if years < 0 or years > 10:
        raise ScaleError("--years 须在0至10之间")
    if orgs < 1:
        raise ScaleError("--orgs 至少为1")
    if members < 0:
        raise ScaleError("--members 不能为负数")
    n_orgs, n_members = existing_rows()
    if n_orgs or n_members:
        raise ScaleError(
            f"数据库不是空的（已有{n_orgs}个党组织、{n_members}名党员）：规模数据只能生成到空数据库"
        )
    started = time.monotonic()
    rng = random.Random(seed)
    nodes = build_tree(rng, orgs)
    branches = [n for n in nodes if n.org_type in _BRANCHES]
    if members and not branches:
        raise ScaleError("党组织太少，没有党支部可以容纳党员：请增大 --orgs")
    sizes = allocate(rng, branches, members) if branches else []
    now = timezone.now()
    rows = MemberRows(rng, now)
    if years:
        from dangjian.core.scale_activity import DuesRows, period

        rows.dues = DuesRows(seed, *period(years, REFERENCE_DATE), now)
    say = progress or (lambda msg: None)
    say(f"树：{len(nodes)}个党组织，其中{len(branches)}个党支部（用时{time.monotonic() - started:.1f}秒）")
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        if pg:
            _load_postgres(nodes, branches, sizes, rows, now, say)
        else:
            _load_bulk(nodes, branches, sizes, rows, now)
        activity = {}
        if years:
            from dangjian.core.scale_activity import write_activity

            if pg:
                with connection.cursor() as cur:
                    cur.execute(f"ANALYZE {Org._meta.db_table}, {Member._meta.db_table}")
            activity = write_activity(rows.dues, seed, say)
        from dangjian.core import audit

        audit.record("scale.generate", detail={"orgs": len(nodes), "members": members, "seed": seed,
                                                "years": years})
    if pg:
        from dangjian.dues.models import DuesBase, DuesExemption, DuesLedger, DuesPayment
        from dangjian.orglife.models import Meeting

        tables = [Org, Member] + ([DuesBase, DuesExemption, DuesLedger, DuesPayment, Meeting] if years else [])
        with connection.cursor() as cur:
            cur.execute("ANALYZE " + ", ".join(t._meta.db_table for t in tables))
    root = nodes[0]
    return {
        "orgs": len(nodes),
        "branches": len(branches),
        "members": members,
        "seed": seed,
        "active_members": root.counts[2] + root.counts[3],
        "max_depth": max(n.depth for n in nodes),
        "years": years,
        **activity,
        "seconds": round(time.monotonic() - started, 1),
    }


def _load_postgres(nodes, branches, sizes, rows: MemberRows, now, say) -> None:
    q = connection.ops.quote_name
    mcols, mextra = _columns(Member, MEMBER_COLUMNS)
    ocols, oextra = _columns(Org, ORG_COLUMNS)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED: members may go in before their orgs, so the
        # counters are known when the orgs are written.
        with cur.cursor.copy(
            f"COPY {q(Member._meta.db_table)} ({', '.join(map(q, mcols))}) FROM STDIN"
        ) as copy:
            write = copy.write_row
            dues = rows.dues
            for node, n in zip(branches, sizes, strict=True):
                for row in rows.for_branch(node, n):
                    write(row + mextra if mextra else row)
                    if dues is not None:
                        dues.add(row[0], row[1], row[2], node.domain, row[14], row[12], row[17], row[19])
        say(f"党员：{rows.next_id - 1}行（用时{time.monotonic() - t0:.1f}秒）")
        _subtree_counts(nodes)
        with cur.cursor.copy(f"COPY {q(Org._meta.db_table)} ({', '.join(map(q, ocols))}) FROM STDIN") as copy:
            for node in nodes:
                copy.write_row(_org_row(node, now) + oextra)
        for model, last in ((Org, len(nodes)), (Member, rows.next_id - 1)):
            if last:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, last]
                )
    say(f"写入完成（用时{time.monotonic() - t0:.1f}秒），提交中（检查外键）")


def _load_bulk(nodes, branches, sizes, rows: MemberRows, now) -> None:
    mcols, mextra = _columns(Member, MEMBER_COLUMNS)
    ocols, oextra = _columns(Org, ORG_COLUMNS)
    batch = []
    for node, n in zip(branches, sizes, strict=True):
        for row in rows.for_branch(node, n):
            batch.append(Member(**dict(zip(mcols, row + mextra, strict=True))))
            if rows.dues is not None:
                rows.dues.add(row[0], row[1], row[2], node.domain, row[14], row[12], row[17], row[19])
    _subtree_counts(nodes)
    Org.objects.bulk_create(
        [Org(**dict(zip(ocols, _org_row(n, now) + oextra, strict=True))) for n in nodes],
        batch_size=_SQLITE_BATCH,
    )
    Member.objects.bulk_create(batch, batch_size=_SQLITE_BATCH)
