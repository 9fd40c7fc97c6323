"""Builds the whole demo city in memory from a seed, a size and a reference date. No database here.

Member attributes follow the published national shape (党内统计公报 2023/2024: women about 30 %,
ethnic minorities about 7.5 %, 大专及以上 about 56 %, 61 and over about 29 %) through per-unit
profiles: a village branch is older, more male and less schooled than a hospital's nursing branch,
and the mix of units brings the city's totals close to the national ones.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.core import idcard
from dangjian.core.dates import add_years, age_on
from dangjian.rules import terms as term_rules

from . import names, regions
from .regions import OrgSpec

SIZES = ("small", "city")
DEMO_PASSWORD = "demo12345"

EDU_LEVELS = ("postgraduate", "bachelor", "college", "vocational", "high_school", "junior")


@dataclass(frozen=True)
class Profile:
    female: float
    ages: tuple  # ((lo, hi, weight), ...)
    edu: tuple  # weights over EDU_LEVELS for ages <40, 40-59, 60+
    jobs: tuple  # ((job, weight), ...) below 60
    old_jobs: tuple = (("退休", 1),)  # 60 and over
    probationary: float = 0.03
    mobile: float = 0.0


_WORKING = ((23, 30, 22), (31, 35, 17), (36, 40, 16), (41, 45, 14), (46, 50, 13), (51, 55, 10), (56, 59, 8))
_RETIRED = ((60, 65, 26), (66, 70, 26), (71, 75, 20), (76, 80, 15), (81, 90, 13))

PROFILES = {
    "gov": Profile(0.30, _WORKING, ((22, 70, 8, 0, 0, 0), (8, 62, 26, 2, 2, 0), (2, 40, 40, 10, 8, 0)),
                   (("公务员", 85), ("事业编制人员", 15))),
    "police": Profile(0.16, _WORKING, ((12, 78, 10, 0, 0, 0), (4, 56, 36, 2, 2, 0), (0, 30, 50, 10, 10, 0)),
                      (("人民警察", 100),)),
    "town_office": Profile(0.26, _WORKING, ((6, 70, 22, 2, 0, 0), (2, 48, 38, 6, 6, 0), (0, 20, 40, 20, 20, 0)),
                           (("公务员", 70), ("事业编制人员", 30))),
    "gov_retired": Profile(0.30, _RETIRED, ((0,) * 6, (0,) * 6, (2, 32, 34, 14, 14, 4)), (("退休",  1),),
                           (("退休干部", 1),), probationary=0),
    "teacher": Profile(0.55, _WORKING, ((16, 76, 8, 0, 0, 0), (5, 68, 24, 3, 0, 0), (2, 50, 40, 8, 0, 0)),
                       (("教师", 86), ("学校行政人员", 10), ("学校后勤人员", 4))),
    "school_retired": Profile(0.50, _RETIRED, ((0,) * 6, (0,) * 6, (0, 30, 38, 28, 4, 0)), (("退休", 1),),
                              (("退休教师", 1),), probationary=0),
    "student": Profile(0.56, ((19, 20, 40), (21, 22, 50), (23, 24, 10)), ((0, 6, 94, 0, 0, 0),) * 3,
                       (("学生", 1),), probationary=0.30),
    "doctor": Profile(0.46, _WORKING, ((42, 58, 0, 0, 0, 0), (20, 72, 8, 0, 0, 0), (8, 70, 22, 0, 0, 0)),
                      (("医生", 92), ("科室主任", 8))),
    "nurse": Profile(0.90, _WORKING, ((1, 48, 46, 5, 0, 0), (0, 32, 48, 20, 0, 0), (0, 20, 40, 40, 0, 0)),
                     (("护士", 82), ("护士长", 8), ("医技人员", 10))),
    "medtech": Profile(0.52, _WORKING, ((12, 66, 22, 0, 0, 0), (4, 58, 32, 6, 0, 0), (0, 40, 40, 20, 0, 0)),
                       (("检验技师", 30), ("药剂师", 30), ("影像技师", 25), ("康复治疗师", 15))),
    "hosp_admin": Profile(0.52, _WORKING, ((10, 74, 16, 0, 0, 0), (4, 58, 30, 8, 0, 0), (0, 40, 40, 20, 0, 0)),
                          (("医院管理人员", 70), ("后勤人员", 30))),
    "hosp_retired": Profile(0.55, _RETIRED, ((0,) * 6, (0,) * 6, (2, 30, 32, 30, 6, 0)), (("退休", 1),),
                            (("退休职工", 1),), probationary=0),
    "soe_worker": Profile(0.14, _WORKING, ((0, 24, 46, 20, 10, 0), (0, 8, 34, 28, 24, 6), (0, 4, 16, 30, 34, 16)),
                          (("工人", 62), ("技术员", 18), ("班组长", 12), ("工程师", 8))),
    "soe_office": Profile(0.36, _WORKING, ((14, 72, 14, 0, 0, 0), (4, 56, 32, 4, 4, 0), (0, 40, 40, 10, 10, 0)),
                          (("企业管理人员", 55), ("工程师", 35), ("会计", 10))),
    "soe_retired": Profile(0.20, _RETIRED, ((0,) * 6, (0,) * 6, (0, 6, 20, 26, 28, 20)), (("退休", 1),),
                           (("退休职工", 1),), probationary=0),
    "private": Profile(0.36, ((23, 30, 30), (31, 40, 36), (41, 50, 22), (51, 59, 12)),
                       ((4, 46, 34, 8, 8, 0), (1, 22, 34, 14, 20, 9), (0, 10, 20, 20, 30, 20)),
                       (("企业管理人员", 25), ("技术人员", 35), ("销售人员", 15), ("企业职工", 25)), mobile=0.02),
    "micro": Profile(0.40, ((25, 35, 30), (36, 45, 35), (46, 59, 35)),
                     ((1, 28, 40, 12, 15, 4), (0, 12, 30, 18, 26, 14), (0, 6, 16, 20, 34, 24)),
                     (("个体工商户", 40), ("企业负责人", 25), ("企业职工", 35)), mobile=0.03),
    "lawyer": Profile(0.45, ((26, 35, 40), (36, 50, 45), (51, 59, 15)), ((30, 70, 0, 0, 0, 0), (15, 80, 5, 0, 0, 0),
                                                                        (5, 80, 15, 0, 0, 0)),
                      (("律师", 85), ("律师助理", 15))),
    "social": Profile(0.50, ((25, 35, 30), (36, 50, 45), (51, 59, 25)),
                      ((6, 52, 34, 6, 2, 0), (2, 34, 40, 12, 10, 2), (0, 20, 40, 20, 16, 4)),
                      (("社会组织工作人员", 70), ("社会工作者", 30))),
    "village": Profile(0.19, ((22, 30, 9), (31, 40, 13), (41, 50, 17), (51, 60, 21), (61, 70, 20), (71, 80, 13),
                              (81, 90, 6)),
                       ((0, 16, 40, 14, 20, 10), (0, 5, 21, 14, 32, 28), (0, 0, 4, 6, 24, 66)),
                       (("农民", 70), ("个体工商户", 10), ("村医", 2), ("务工人员", 18)), (("农民", 1),), mobile=0.07),
    "village_old": Profile(0.18, ((61, 70, 35), (71, 80, 40), (81, 90, 25)), ((0,) * 6, (0,) * 6,
                                                                              (0, 0, 2, 4, 18, 76)),
                           (("农民", 1),), (("农民", 1),), probationary=0),
    "community": Profile(0.36, ((24, 35, 14), (36, 45, 14), (46, 55, 16), (56, 65, 20), (66, 75, 20), (76, 90, 16)),
                         ((5, 54, 33, 4, 4, 0), (1, 28, 38, 13, 14, 6), (0, 14, 32, 22, 18, 14)),
                         (("社区工作者", 20), ("企业职工", 30), ("个体工商户", 15), ("自由职业者", 15), ("灵活就业人员", 20)),
                         mobile=0.02),
    "community_retired": Profile(0.46, _RETIRED, ((0,) * 6, (0,) * 6, (0, 14, 30, 24, 18, 14)), (("退休", 1),),
                                 (("退休", 1),), probationary=0),
}

DECEASED_REASONS = ["病故", "因病医治无效去世", "因病去世", "意外事故去世"]
EXPELLED_REASONS = ["严重违反廉洁纪律，受到开除党籍处分", "触犯刑律被判处刑罚，开除党籍",
                    "长期不参加组织生活，经教育仍无转变，予以除名", "本人申请退党，经支部大会讨论同意"]
SUSPENDED_REASON = "与党组织失去联系6个月以上，按规定停止党籍"
TRANSFER_REASONS = ["工作调动，组织关系转往{}", "随子女迁居，组织关系转往{}", "考入外地单位，组织关系转往{}"]
DUTIES = ["组织委员", "宣传委员", "纪检委员", "统战委员", "青年委员", "保密委员", "群工委员"]


@dataclass(eq=False)
class MemberSpec:
    org: OrgSpec
    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: dt.date
    education: str
    category: str
    joined_on: dt.date
    confirmed_on: dt.date | None
    job: str
    phone: str
    address: str
    status: str = "normal"
    status_reason: str = ""
    status_changed_on: dt.date | None = None
    lost_contact: bool = False
    lost_contact_on: dt.date | None = None
    is_mobile: bool = False
    mobile_destination: str = ""
    login: str = ""  # username of the demo account linked to this member

    @property
    def is_active(self) -> bool:
        return self.status == "normal"


@dataclass(eq=False)
class SeatSpec:
    member: MemberSpec
    position: str  # secretary / deputy / member
    duty: str
    started_on: dt.date
    ended_on: dt.date | None = None


@dataclass(eq=False)
class TermSpec:
    org: OrgSpec
    number: int
    elected_on: dt.date
    years: int
    seats: list = field(default_factory=list)


@dataclass(eq=False)
class LoginSpec:
    username: str
    role: str
    org: OrgSpec
    display_name: str
    member: MemberSpec | None = None  # Member.user is linked for these


@dataclass(eq=False)
class City:
    seed: int
    size: str
    today: dt.date
    root: OrgSpec
    orgs: list
    members: list
    terms: list
    logins: list
    vacant: list  # branches whose 书记 post is vacant


def generate(seed: int = 1, size: str = "city", today: dt.date | None = None) -> City:
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    today = today or timezone.localdate()
    rng = random.Random(f"dangjian-demo:{seed}:{size}")
    root = regions.CityBuilder(rng, today, size).build()
    orgs = list(root.walk())
    gen = _People(rng, today)
    members = []
    for org in orgs:
        if org.is_branch:
            # A student branch also holds its 辅导员 (counsellors), who usually serve as its secretary.
            staff = 2 if org.kind == "student" else 0
            draws = gen.stratified(org.size)
            members.extend(gen.member(org, draws[i], "teacher" if i < staff else None) for i in range(org.size))
    gen.life_events(members)
    by_branch: dict[str, list[MemberSpec]] = {}
    for m in members:
        by_branch.setdefault(m.org.code, []).append(m)
    committees = _Committees(rng, today, orgs, by_branch)
    terms, current = committees.build()
    logins = _pick_logins(rng, today, root, orgs, by_branch, current)
    vacant = committees.vacancies(current, reserved={lg.org.code for lg in logins if lg.role != "admin"})
    committees.contacts_and_jobs(current)
    return City(seed=seed, size=size, today=today, root=root, orgs=orgs, members=members, terms=terms,
                logins=logins, vacant=vacant)


class _People:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.used_ids: set[str] = set()

    def _birth(self, age: int) -> dt.date:
        latest = add_years(self.today, -age)  # the last birthday that still gives `age` today
        return latest - dt.timedelta(days=self.rng.randrange(1, 365))

    def _id_number(self, org: OrgSpec, birth: dt.date, sex: str) -> str:
        r = self.rng.random()
        area = org.area if r < 0.85 else self.rng.choice(regions.CITY_AREAS) if r < 0.93 else self.rng.choice(
            regions.OTHER_AREAS)
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            number = idcard.make(area, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _address(self, org: OrgSpec) -> str:
        rng = self.rng
        if org.place.endswith("村"):
            return f"{org.place}{rng.randint(1, 12)}组{rng.randint(1, 90)}号"
        if org.place.endswith("社区"):
            return f"{org.place}{rng.randint(1, 36)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
        place = org.place
        if place == regions.CITY:
            place += rng.choice(["云湖区", "云湖区", "枫林区"])
        elif place.endswith("县"):
            place += "城关镇"  # county-level staff live in the county seat
        return (f"{place}{rng.choice(names.COMPOUNDS)}{rng.randint(1, 24)}号楼{rng.randint(1, 4)}单元"
                f"{rng.randint(1, 18)}0{rng.randint(1, 4)}室")

    def stratified(self, n: int) -> list[dict[str, float]]:
        """n draws per attribute, one in each 1/n slice of [0, 1) in shuffled order (Latin hypercube):
        every branch gets close to its profile's share of women, minorities, graduates, ages, so the
        city's totals sit near the national figures for any seed instead of wandering by ±2 points."""
        cols = {}
        for key in ("sex", "eth", "edu", "age", "prob"):
            slots = list(range(n))
            self.rng.shuffle(slots)
            cols[key] = [(k + self.rng.random()) / n for k in slots]
        return [{key: col[i] for key, col in cols.items()} for i in range(n)]

    @staticmethod
    def _pick(u: float, pairs) -> object:
        total = sum(w for _, w in pairs)
        acc = 0.0
        for value, w in pairs:
            acc += w
            if u * total < acc:
                return value
        return pairs[-1][0]

    def member(self, org: OrgSpec, u: dict[str, float], kind: str | None = None) -> MemberSpec:
        rng, today = self.rng, self.today
        kind = kind or org.kind
        p = PROFILES[kind]
        sex = "F" if u["sex"] < p.female else "M"
        probationary = u["prob"] < p.probationary
        if probationary:
            lo, hi = (19, 22) if kind == "student" else rng.choice([(20, 28), (20, 28), (29, 35), (36, 50)])
            age = rng.randint(max(lo, 20), hi)
        else:
            lo, hi = self._pick(u["age"], [((lo, hi), w) for lo, hi, w in p.ages])
            age = rng.randint(lo, hi)
        birth = self._birth(age)
        if probationary:
            joined = today - dt.timedelta(days=rng.randrange(20, 350))
            confirmed = None
        else:
            joined = self._joined(birth, kind)
            confirmed = add_years(joined, 1)
        edu_row = p.edu[0 if age < 40 else 1 if age < 60 else 2]
        education = self._pick(u["edu"], list(zip(EDU_LEVELS, edu_row, strict=True)))
        if age < 24 and education == "postgraduate":
            education = "bachelor"  # too young to have finished a master's degree
        jobs = p.old_jobs if age >= 60 else p.jobs
        job = "辅导员" if kind != org.kind else names.weighted(rng, list(jobs))
        ethnicity = names.weighted(rng, names.MINORITIES) if u["eth"] < 0.075 else "汉族"
        has_phone = rng.random() < (0.75 if age >= 80 else 0.98)
        return MemberSpec(
            org=org, name=names.person_name(rng, sex, birth), gender=sex, ethnicity=ethnicity,
            id_number=self._id_number(org, birth, sex), birth_date=birth, education=education,
            category="probationary" if probationary else "full", joined_on=joined, confirmed_on=confirmed,
            job=job, phone=names.phone(rng) if has_phone else "", address=self._address(org),
        )

    def _joined(self, birth: dt.date, kind: str) -> dt.date:
        """入党日期: on or after the 18th birthday, at least 400 days ago (so 转正 lies in the past)."""
        rng = self.rng
        earliest = add_years(birth, 18)
        latest = self.today - dt.timedelta(days=400)
        span = max(0.0, (latest - earliest).days / 365.25)
        mode = 1.5 if kind == "student" else 9 if kind.startswith("village") else 6
        hi = min(span, 32)
        years = rng.triangular(0, hi, min(hi, mode)) if hi > 0 else 0
        joined = min(latest, earliest + dt.timedelta(days=int(years * 365.25)))
        # Many branches admit new members around 七一.
        july = joined.replace(month=7, day=1)
        if rng.random() < 0.2 and earliest <= july <= latest:
            joined = july
        return joined

    def life_events(self, members: list[MemberSpec]) -> None:
        """去世, 出党, 停止党籍, 转出, 失联 and 流动党员 for a few members."""
        rng, today = self.rng, self.today
        full = [m for m in members if m.category == "full"]
        old = [m for m in full if age_on(m.birth_date, today) >= 72]
        n = len(members)

        for m in rng.sample(old, min(len(old), max(2, round(n * 0.012)))):
            m.status, m.status_reason = "deceased", rng.choice(DECEASED_REASONS)
            m.status_changed_on = today - dt.timedelta(days=rng.randrange(15, 900))
        free = [m for m in full if m.is_active and age_on(m.birth_date, today) < 70]
        picks = rng.sample(free, min(len(free), max(4, round(n * 0.01)) + max(1, round(n * 0.0015)) * 2))
        k = max(1, round(n * 0.0015))
        for i, m in enumerate(picks):
            m.status_changed_on = max(today - dt.timedelta(days=rng.randrange(20, 720)),
                                      m.confirmed_on + dt.timedelta(days=30))
            if i < k:
                m.status, m.status_reason = "expelled", rng.choice(EXPELLED_REASONS)
            elif i < 2 * k:
                m.status, m.status_reason = "suspended", SUSPENDED_REASON
                m.lost_contact = True
                m.lost_contact_on = max(m.confirmed_on, m.status_changed_on - dt.timedelta(days=rng.randrange(190, 400)))
            else:
                m.status = "transferred_out"
                m.status_reason = rng.choice(TRANSFER_REASONS).format(rng.choice(names.MOBILE_DESTINATIONS))
        active = [m for m in members if m.is_active and m.category == "full"]
        for m in active:
            if rng.random() < PROFILES[m.org.kind].mobile and age_on(m.birth_date, today) < 60:
                m.is_mobile, m.mobile_destination = True, rng.choice(names.MOBILE_DESTINATIONS)
                m.job = "外出务工" if m.org.kind.startswith("village") else m.job
        lost_pool = [m for m in active if m.org.kind in {"village", "community", "private", "micro"}
                     and age_on(m.birth_date, today) < 60]
        for m in rng.sample(lost_pool, min(len(lost_pool), max(2, round(n * 0.003)))):
            m.lost_contact, m.lost_contact_on = True, today - dt.timedelta(days=rng.randrange(30, 170))


def _active_full(ms):
    return [m for m in ms if m.is_active and m.category == "full" and not m.lost_contact]


def _pick_logins(rng, today, root, orgs, by_branch, current):
    """The demo accounts (CONTRACT roles over tagged organizations); secretaries and the plain member are
    linked to real members of their branch."""
    tagged = {}
    for o in orgs:
        for t in sorted(o.tags):
            tagged.setdefault(t, []).append(o)

    def staff(org):
        pool = [m for o in org.walk() if o.kind in {"gov", "town_office"} for m in by_branch.get(o.code, [])
                if m.is_active and m.category == "full" and 28 <= age_on(m.birth_date, today) <= 52]
        return rng.choice(pool).name if pool else names.person_name(rng, "F", dt.date(1985, 1, 1))

    def secretary(o):
        seat = next((s for s in current[o.code].seats if s.position == "secretary" and s.ended_on is None), None)
        return seat.member if seat is not None else None

    sec1 = next(o for o in tagged["secretary1"]
                if secretary(o) is not None and len(_active_full(by_branch.get(o.code, []))) >= 7)
    sec2 = next(o for o in tagged["secretary2"] if secretary(o) is not None)
    on_committee = {id(s.member) for s in current[sec1.code].seats}
    plain = [m for m in _active_full(by_branch[sec1.code])
             if id(m) not in on_committee and not m.is_mobile and m.phone and 25 <= age_on(m.birth_date, today) <= 55]
    plain = plain or [m for m in _active_full(by_branch[sec1.code]) if id(m) not in on_committee]
    member = rng.choice(plain)
    logins = [
        LoginSpec("city_admin", "admin", root, staff(tagged["city_admin"][0])),
        LoginSpec("county_admin", "admin", tagged["county_admin"][0], staff(tagged["county_admin"][0])),
        LoginSpec("town_admin", "admin", tagged["town_admin"][0], staff(tagged["town_admin"][0])),
        LoginSpec("secretary1", "secretary", sec1, secretary(sec1).name, secretary(sec1)),
        LoginSpec("secretary2", "secretary", sec2, secretary(sec2).name, secretary(sec2)),
        LoginSpec("viewer", "viewer", tagged["viewer"][0], staff(tagged["viewer"][0])),
        LoginSpec("member", "member", sec1, member.name, member),
    ]
    for lg in logins:
        if lg.member is not None:
            lg.member.login = lg.username
    return logins


class _Committees:
    """届次 and 班子 for every organization, drawn from its members."""

    def __init__(self, rng, today, orgs, by_branch):
        self.rng, self.today, self.orgs, self.by_branch = rng, today, orgs, by_branch

    def _subtree_members(self, org):
        if org.is_branch:
            return self.by_branch.get(org.code, [])
        leaders = [o for o in org.walk() if o.leaders and o.code != org.code and len(o.code) <= len(org.code) + 4]
        source = leaders or [o for o in org.walk() if o.is_branch]
        return [m for o in source for m in self.by_branch.get(o.code, [])]

    def _eligible(self, pool, on: dt.date, until: dt.date | None, retired_ok: bool, min_age: int):
        out = []
        for m in pool:
            if m.category != "full" or m.confirmed_on is None or m.confirmed_on > on:
                continue
            if until is None:
                if not m.is_active or m.lost_contact or m.is_mobile:
                    continue
            elif not m.is_active and m.status_changed_on is not None and m.status_changed_on <= until:
                continue
            age = age_on(m.birth_date, on)
            if age < min_age or age > (78 if retired_ok else 62):
                continue
            out.append(m)
        return out

    def _seats(self, org, pool, later: list | None):
        rng = self.rng
        if org.is_branch:
            n_full = len(_active_full(self.by_branch.get(org.code, [])))
            size = 1 if n_full < 7 else 3 if n_full < 20 else rng.choice([3, 5])
        elif org.org_type == "general_branch":
            size = rng.choice([5, 5, 7])
        else:
            size = rng.choice([5, 7, 7, 9])
        deputies = 0 if size < 5 else rng.choice([1, 2]) if size >= 7 else rng.choice([0, 1])
        positions = ["secretary"] + ["deputy"] * deputies + ["member"] * (size - 1 - deputies)
        chosen, used = [], set()
        for i, pos in enumerate(positions):
            pick = None
            if later and i < len(later) and rng.random() < 0.5 and later[i] in pool and id(later[i]) not in used:
                pick = later[i]  # re-elected
            if pick is None:
                free = [m for m in pool if id(m) not in used]
                if not free:
                    break
                if pos == "secretary":
                    free.sort(key=lambda m: -(rng.random() + (1 if m.education in {"postgraduate", "bachelor", "college"}
                                                               else 0) + (m.joined_on < dt.date(2005, 1, 1))))
                    pick = free[0]
                else:
                    pick = rng.choice(free)
            used.add(id(pick))
            chosen.append((pos, pick))
        duties = iter(DUTIES)
        return [(pos, m, next(duties) if pos == "member" else "") for pos, m in chosen]

    def build(self):
        rng, today = self.rng, self.today
        orgs = list(self.orgs)
        order = orgs[:]
        rng.shuffle(order)
        n = len(order)
        n_expired, n_expiring = max(2, round(n * 0.08)), max(2, round(n * 0.12))
        state = {}
        for i, o in enumerate(order):
            state[o.code] = "expired" if i < n_expired else "expiring" if i < n_expired + n_expiring else "ok"
        terms = []
        current_terms = {}
        for org in orgs:
            years = term_rules.default_term_years(org.org_type, org.domain)
            s = state[org.code]
            if s == "expired":
                ends = today - dt.timedelta(days=rng.randrange(10, 420))
            elif s == "expiring":
                ends = today + dt.timedelta(days=rng.randrange(5, 175))
            else:
                ends = today + dt.timedelta(days=rng.randrange(200, max(201, years * 365 - 45)))
            elected = add_years(ends, -years)
            if org.founded_on >= elected:
                org.founded_on = elected - dt.timedelta(days=rng.randrange(30, 400))
            span_terms = int((elected - org.founded_on).days / 365.25 / years)
            n_prev = min(span_terms, rng.choice([0, 1, 1, 2, 2]))
            number = max(n_prev + 1, min(span_terms + 1, 18))
            dates = [elected]
            for _ in range(n_prev):
                dates.append(add_years(dates[-1], -years) - dt.timedelta(days=rng.randrange(0, 75)))
            dates.reverse()  # oldest first
            retired_ok = org.kind.endswith("retired") or org.kind == "village_old"
            pool = self._subtree_members(org)
            org_terms = [TermSpec(org, number - n_prev + i, d, years) for i, d in enumerate(dates)]
            later = None
            for idx in range(len(org_terms) - 1, -1, -1):  # newest first, so older committees overlap
                t = org_terms[idx]
                until = org_terms[idx + 1].elected_on if idx + 1 < len(org_terms) else None
                eligible = self._eligible(pool, t.elected_on, until, retired_ok, 20 if org.kind == "student" else 24)
                seats = self._seats(org, eligible, later)
                t.seats = [SeatSpec(m, pos, duty, t.elected_on, until) for pos, m, duty in seats]
                later = [s.member for s in t.seats]
            terms.extend(org_terms)
            current_terms[org.code] = org_terms[-1]
        return terms, current_terms

    def vacancies(self, current_terms, reserved):
        """About 3 % of branches lost their 书记 (调离, 退休) and have not yet elected a new one."""
        rng, today = self.rng, self.today
        branches = [o for o in self.orgs if o.is_branch and o.code not in reserved
                    and any(s.position == "secretary" for s in current_terms[o.code].seats)]
        chosen = rng.sample(branches, min(len(branches), max(2, round(len(branches) * 0.03))))
        for org in chosen:
            seat = next(s for s in current_terms[org.code].seats if s.position == "secretary")
            latest = (today - seat.started_on).days - 1
            seat.ended_on = today - dt.timedelta(days=rng.randrange(min(20, latest), max(21, min(160, latest))))
        return sorted(chosen, key=lambda o: o.code)

    def contacts_and_jobs(self, current_terms):
        for org in self.orgs:
            active = [s for s in current_terms[org.code].seats if s.ended_on is None]
            if not active:
                continue
            contact = next((s for s in active if s.duty == "组织委员"), active[0])
            org.contact_person, org.contact_phone = contact.member.name, contact.member.phone
            if org.is_branch and active[0].position == "secretary":
                m = active[0].member
                if org.kind.startswith("village"):
                    m.job = "村党组织书记"
                elif org.kind == "community":
                    m.job = "社区党组织书记"
