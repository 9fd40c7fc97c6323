"""The organization tree of 青山市 (a fictional prefecture-level city).

市委 → 市直机关工委 (departments), 教育工委 (schools and a vocational college), 卫健工委 (hospitals),
国资委党委 (a steel group and a city investment group), 两新工委 (private firms, associations and
联合党支部), two districts (街道 → 社区, one 镇 → 村) and two counties (县直机关, 乡镇 → 村/社区).
`--size small` keeps one district and one county with one township each and fewer units.

Codes are hierarchical (the parent's code plus two digits, in creation order), so they are stable
for a given seed and sort like the tree.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from . import names

CITY = "青山市"
ROOT_CODE = "3799"
# 6-digit area codes (GB/T 2260 format) for the city's ID numbers.
CITY_AREAS = ["379901", "379902", "379903"]  # 市辖区, 云湖区, 枫林区
OTHER_AREAS = ["370102", "410105", "130102", "320102", "340102", "420102", "210102", "510104", "140105"]

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORGCODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(eq=False)
class OrgSpec:
    code: str
    name: str
    org_type: str
    domain: str
    parent: "OrgSpec | None"
    founded_on: dt.date
    area: str
    place: str  # address prefix, e.g. 桐岭县城关镇柳树村
    kind: str = ""  # member profile of a branch (see generator.PROFILES)
    size: int = 0  # planned number of members of a branch
    leaders: bool = False  # a 机关 branch whose members staff the committees above it
    unit_name: str = ""
    unit_credit_code: str = ""
    address: str = ""
    tags: set = field(default_factory=set)
    children: list = field(default_factory=list)
    contact_person: str = ""
    contact_phone: str = ""

    @property
    def is_branch(self) -> bool:
        return self.org_type in {"branch", "joint_branch", "temp_branch"}

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def credit_code(rng: random.Random, authority: str, area: str) -> str:
    """统一社会信用代码 (GB 32100-2015): authority+category, area, 9-char organization code, check."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    s = sum(int(c) * w for c, w in zip(body, _ORGCODE_WEIGHTS, strict=True))
    c9 = 11 - s % 11
    org_code = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    first17 = authority + area + org_code
    s = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - s % 31) % 31]


class CityBuilder:
    def __init__(self, rng: random.Random, today: dt.date, size: str):
        self.rng = rng
        self.today = today
        self.big = size == "city"
        self.used_villages: set[str] = set()
        self.used_communities: set[str] = set()
        self.root: OrgSpec | None = None

    # -- primitives ---------------------------------------------------------------------------
    def _founded(self, parent: OrgSpec | None, lo: int, hi: int) -> dt.date:
        # Not clamped to the parent's date: a school's branch may predate the 教育工委 it now reports to.
        start = dt.date(lo, 1, 1)
        end = max(start, min(dt.date(hi, 12, 31), self.today - dt.timedelta(days=400)))
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def add(self, parent, name, org_type, domain, *, years=(1950, 2000), kind="", size=(0, 0), leaders=False,
            unit="", authority="", area=None, place=None, address="", tags=()) -> OrgSpec:
        code = ROOT_CODE if parent is None else f"{parent.code}{len(parent.children) + 1:02d}"
        area = area or (parent.area if parent else CITY_AREAS[0])
        place = place if place is not None else (parent.place if parent else CITY)
        org = OrgSpec(
            code=code, name=name, org_type=org_type, domain=domain, parent=parent,
            founded_on=self._founded(parent, *years), area=area, place=place, kind=kind,
            size=self.rng.randint(*size) if kind else 0, leaders=leaders, unit_name=unit,
            unit_credit_code=credit_code(self.rng, authority, area) if authority else "",
            address=address or (f"{place}{self.rng.choice(names.ROADS)}{self.rng.randint(1, 300)}号" if unit else ""),
            tags=set(tags),
        )
        if parent is None:
            self.root = org
        else:
            parent.children.append(org)
        return org

    def branch(self, parent, name, kind, size, *, domain=None, org_type="branch", **kw) -> OrgSpec:
        if not self.big and not kind.startswith(("village", "community")) and size[0] >= 10:
            # The small city keeps the rural/urban mix of the big one with fewer units: urban branches shrink.
            size = (round(size[0] * 0.7), round(size[1] * 0.7))
        return self.add(parent, name, org_type, domain or parent.domain, kind=kind, size=size,
                        years=kw.pop("years", (parent.founded_on.year, min(2015, parent.founded_on.year + 20))), **kw)

    # -- the city -----------------------------------------------------------------------------
    def build(self) -> OrgSpec:
        root = self.add(None, "中共青山市委员会", "committee", "government", years=(1949, 1949),
                        unit="中共青山市委员会", authority="11", address="青山市人民路1号", tags={"city"})
        self._city_organs(root)
        self._education(root)
        self._health(root)
        self._state_assets(root)
        self._two_new(root)
        self._district(root, "云湖区", "379902", streets=3 if self.big else 1, towns=1 if self.big else 0,
                       organs=self.big, tags={"viewer"})
        if self.big:
            self._district(root, "枫林区", "379903", streets=2, towns=1, organs=True)
        self._county(root, "桐岭县", "379921", towns=["城关镇", "石门乡", "白沙镇", "龙泉镇"] if self.big else ["城关镇"],
                     tags={"county_admin"})
        if self.big:
            self._county(root, "柏溪县", "379922", towns=["柏溪镇", "双桥乡", "高庄镇"])
        return root

    def _city_organs(self, root):
        wc = self.add(root, "中共青山市直属机关工作委员会", "work_committee", "government", years=(1952, 1960),
                      unit="中共青山市直属机关工作委员会", authority="11")
        depts = [
            ("市委办公室", "11"), ("市委组织部", "11"), ("市委宣传部", "11"), ("市纪委监委", "11"),
            ("市人民政府办公室", "11"), ("市发展和改革委员会", "11"), ("市教育局", "11"), ("市财政局", "11"),
            ("市人力资源和社会保障局", "11"), ("市自然资源和规划局", "11"), ("市住房和城乡建设局", "11"),
            ("市农业农村局", "11"), ("市卫生健康委员会", "11"), ("市民政局", "11"), ("市交通运输局", "11"),
            ("市市场监督管理局", "11"), ("市统计局", "11"),
        ]
        if not self.big:
            depts = [d for d in depts if d[0] in {"市委办公室", "市委组织部"}]
        for dept, auth in depts:
            tags = {"city_admin"} if dept == "市委组织部" else set()
            self.branch(wc, f"{CITY}{dept[1:]}机关党支部", "gov", (9, 26), leaders=True, unit=f"{CITY}{dept[1:]}",
                        authority=auth, tags=tags)
        if self.big:
            police = self.add(wc, "青山市公安局机关党总支", "general_branch", "government",
                              unit="青山市公安局", authority="11")
            for part in ["指挥中心", "刑侦支队", "治安支队"]:
                self.branch(police, f"青山市公安局{part}党支部", "police", (16, 28))
            self.branch(wc, "青山市直机关离退休干部党支部", "gov_retired", (38, 50))

    def _education(self, root):
        wc = self.add(root, "中共青山市委教育工作委员会", "work_committee", "school", years=(1980, 1995),
                      unit="青山市教育局", authority="11")
        school = self.add(wc, "青山市第一中学党总支", "general_branch", "school", years=(1952, 1960),
                          unit="青山市第一中学", authority="12")
        self.branch(school, "青山市第一中学高中部党支部", "teacher", (24, 36), tags={"secretary2"})
        if self.big:
            self.branch(school, "青山市第一中学初中部党支部", "teacher", (18, 30))
            self.branch(school, "青山市第一中学行政后勤党支部", "teacher", (9, 14), leaders=True)
        self.branch(school, "青山市第一中学离退休教师党支部", "school_retired", (30, 45))
        if self.big:
            self.branch(wc, "青山市实验小学党支部", "teacher", (18, 30), unit="青山市实验小学", authority="12")
            self.branch(wc, "青山市第二中学党支部", "teacher", (22, 36), unit="青山市第二中学", authority="12")
            college = self.add(wc, "中共青山职业技术学院委员会", "committee", "school", years=(1985, 2002),
                               unit="青山职业技术学院", authority="12")
            self.branch(college, "青山职业技术学院机关党支部", "teacher", (18, 28), leaders=True)
            self.branch(college, "青山职业技术学院机电工程系教工党支部", "teacher", (12, 22))
            self.branch(college, "青山职业技术学院信息工程系教工党支部", "teacher", (12, 20))
            self.branch(college, "青山职业技术学院学生第一党支部", "student", (14, 24))
            self.branch(college, "青山职业技术学院学生第二党支部", "student", (12, 22))
            self.branch(college, "青山职业技术学院离退休党支部", "school_retired", (20, 32))

    def _health(self, root):
        wc = self.add(root, "中共青山市卫生健康工作委员会", "work_committee", "hospital", years=(1990, 2005),
                      unit="青山市卫生健康委员会", authority="11")
        hosp = self.add(wc, "中共青山市人民医院委员会", "committee", "hospital", years=(1951, 1956),
                        unit="青山市人民医院", authority="12")
        self.branch(hosp, "青山市人民医院内科党支部", "doctor", (26, 42))
        self.branch(hosp, "青山市人民医院护理党支部", "nurse", (30, 46))
        if self.big:
            self.branch(hosp, "青山市人民医院外科党支部", "doctor", (24, 40))
            self.branch(hosp, "青山市人民医院医技党支部", "medtech", (18, 30))
            self.branch(hosp, "青山市人民医院行政后勤党支部", "hosp_admin", (14, 24), leaders=True)
            self.branch(hosp, "青山市人民医院离退休党支部", "hosp_retired", (36, 50))
            tcm = self.add(wc, "青山市中医院党总支", "general_branch", "hospital", years=(1958, 1965),
                           unit="青山市中医院", authority="12")
            self.branch(tcm, "青山市中医院临床党支部", "doctor", (20, 32))
            self.branch(tcm, "青山市中医院护理医技党支部", "nurse", (16, 26))
            self.branch(wc, "青山市妇幼保健院党支部", "nurse", (14, 24), unit="青山市妇幼保健院", authority="12")

    def _state_assets(self, root):
        sasac = self.add(root, "中共青山市国资委委员会", "committee", "government", years=(2004, 2006),
                         unit="青山市人民政府国有资产监督管理委员会", authority="11")
        self.branch(sasac, "青山市国资委机关党支部", "gov", (10, 16), leaders=True)
        steel = self.add(sasac, "中共青山钢铁集团有限公司委员会", "committee", "soe", years=(1958, 1960),
                         unit="青山钢铁集团有限公司", authority="91")
        if self.big:
            iron = self.add(steel, "青山钢铁集团炼铁厂党总支", "general_branch", "soe")
            self.branch(iron, "炼铁厂高炉车间党支部", "soe_worker", (24, 40))
            self.branch(iron, "炼铁厂烧结车间党支部", "soe_worker", (20, 34))
        self.branch(steel, "青山钢铁集团炼钢厂党支部", "soe_worker", (26, 44))
        self.branch(steel, "青山钢铁集团机关党支部", "soe_office", (20, 34), leaders=True)
        self.branch(steel, "青山钢铁集团离退休第一党支部", "soe_retired", (40, 50))
        if self.big:
            self.branch(steel, "青山钢铁集团轧钢厂党支部", "soe_worker", (26, 44))
            self.branch(steel, "青山钢铁集团离退休第二党支部", "soe_retired", (38, 50))
            invest = self.add(sasac, "青山市城市建设投资集团有限公司党总支", "general_branch", "soe",
                              years=(2008, 2012), unit="青山市城市建设投资集团有限公司", authority="91")
            self.branch(invest, "青山城投集团机关党支部", "soe_office", (14, 22), leaders=True)
            self.branch(invest, "青山城投集团工程建设党支部", "soe_office", (10, 18))

    def _two_new(self, root):
        wc = self.add(root, "中共青山市非公有制经济组织和社会组织工作委员会", "work_committee", "private",
                      years=(2012, 2016), unit="中共青山市委组织部", authority="11")
        firms = [("青山华信电子科技有限公司", (10, 20)), ("青山宏达建材有限公司", (6, 10)),
                 ("青山绿源农业发展有限公司", (5, 9)), ("青山远航物流有限公司", (7, 14))]
        for firm, size in firms if self.big else firms[:1]:
            self.branch(wc, f"{firm}党支部", "private", size, unit=firm, authority="91", years=(2008, 2019))
        self.branch(wc, "青山经济开发区小微企业联合党支部", "micro", (3, 6), org_type="joint_branch", years=(2016, 2020))
        self.branch(wc, "青山市正衡律师事务所党支部", "lawyer", (6, 12), domain="social",
                    unit="青山市正衡律师事务所", authority="31", years=(2010, 2018))
        self.branch(wc, "青山市社会组织联合党支部", "social", (3, 6), domain="social", org_type="joint_branch",
                    years=(2017, 2021))
        if self.big:
            self.branch(wc, "青山市建筑业协会党支部", "social", (5, 9), domain="social",
                        unit="青山市建筑业协会", authority="51", years=(2012, 2019))
            self.branch(wc, "青山市物业服务行业联合党支部", "micro", (4, 6), org_type="joint_branch",
                        years=(2018, 2021))
            self.branch(wc, "钢城商贸城个体工商户联合党支部", "micro", (3, 6), org_type="joint_branch",
                        years=(2017, 2021))

    # -- districts and counties ---------------------------------------------------------------
    def _district(self, root, name, area, *, streets, towns, organs, tags=()):
        d = self.add(root, f"中共青山市{name}委员会", "committee", "government", years=(1983, 1995), area=area,
                     place=f"{CITY}{name}", unit=f"中共青山市{name}委员会", authority="11", tags=tags)
        if organs:
            wc = self.add(d, f"中共{name}直属机关工作委员会", "work_committee", "government", years=(1990, 2000))
            for dept in ["区委办公室", "区人民政府办公室", "区教育局", "区民政局"]:
                self.branch(wc, f"{name}{dept[1:]}机关党支部", "gov", (10, 20), leaders=True,
                            unit=f"青山市{name}{dept[1:]}", authority="11")
        street_names = ["湖滨街道", "云湖街道", "钢城街道"] if name == "云湖区" else ["枫林街道", "北苑街道", "红旗街道"]
        for street in street_names[:streets]:
            self._street(d, name, street)
        for town in (["枫桥镇"] if name == "云湖区" else ["青石镇"])[:towns]:
            self._town(d, name, town, villages=(5, 7))

    def _street(self, district, dname, street):
        s = self.add(district, f"中共青山市{dname}{street}工作委员会", "work_committee", "community",
                     years=(1985, 2005), place=f"{district.place}{street}", unit=f"青山市{dname}{street}办事处",
                     authority="11")
        self.branch(s, f"{street}机关党支部", "town_office", (12, 22), leaders=True)
        for i in range(self.rng.randint(3, 5) if self.big else 2):
            word = names.pick_unique(self.rng, names.COMMUNITY_WORDS, self.used_communities)
            cname = f"{word}社区"
            place = f"{s.place}{cname}"
            unit = f"{street}{cname}居民委员会"
            if self.big and i == 0:
                # A large community: 社区党委 with grid branches and a branch for retired members.
                c = self.add(s, f"中共{street}{cname}委员会", "committee", "community", years=(1990, 2005),
                             place=place, unit=unit)
                self.branch(c, f"{cname}第一网格党支部", "community", (28, 45))
                self.branch(c, f"{cname}第二网格党支部", "community", (28, 45))
                self.branch(c, f"{cname}离退休党员党支部", "community_retired", (35, 50))
            else:
                self.branch(s, f"{street}{cname}党支部", "community", (25, 50), place=place, unit=unit,
                            years=(1990, 2008))

    def _town(self, parent, county, town, *, villages, tags=(), communities=0):
        t = self.add(parent, f"中共{county}{town}委员会", "committee", "rural", years=(1952, 1984),
                     place=f"{parent.place if parent.place.endswith('区') else county}{town}",
                     unit=f"{county}{town}人民政府", authority="11", tags=tags)
        self.branch(t, f"{town}机关党支部", "town_office", (14, 26), leaders=True, domain="government")
        for _ in range(communities):
            word = names.pick_unique(self.rng, names.COMMUNITY_WORDS, self.used_communities)
            self.branch(t, f"{town}{word}社区党支部", "community", (20, 40), domain="community",
                        place=f"{t.place}{word}社区", unit=f"{town}{word}社区居民委员会", years=(1995, 2010))
        n = self.rng.randint(*villages)
        for i in range(n):
            vname = names.village_name(self.rng, self.used_villages)
            place = f"{t.place}{vname}"
            unit = f"{town}{vname}村民委员会"
            if self.big and i == 0 and county.endswith("县"):
                # A big village: 党总支 with branches by group and a branch for its veterans.
                g = self.add(t, f"{town}{vname}党总支", "general_branch", "rural", years=(1956, 1975), place=place,
                             unit=unit)
                self.branch(g, f"{vname}第一党支部", "village", (30, 48))
                self.branch(g, f"{vname}第二党支部", "village", (28, 45))
                self.branch(g, f"{vname}老党员党支部", "village_old", (18, 30))
            else:
                self.branch(t, f"{town}{vname}党支部", "village", (15, 42) if self.big else (20, 34), place=place,
                            unit=unit, years=(1952, 1980), tags={"secretary1"} if "town_admin" in t.tags else ())
        return t

    def _county(self, root, name, area, *, towns, tags=()):
        c = self.add(root, f"中共{name}委员会", "committee", "government", years=(1949, 1952), area=area,
                     place=name, unit=f"中共{name}委员会", authority="11", tags=tags)
        if self.big:
            wc = self.add(c, f"中共{name}直属机关工作委员会", "work_committee", "government", years=(1970, 1990))
            for dept in ["县委办公室", "县委组织部", "县人民政府办公室", "县教育局", "县财政局", "县农业农村局"]:
                self.branch(wc, f"{name}{dept[1:]}机关党支部", "gov", (8, 18), leaders=True,
                            unit=f"{name}{dept[1:]}", authority="11")
            self.branch(c, f"{name}第一中学党支部", "teacher", (22, 38), domain="school",
                        unit=f"{name}第一中学", authority="12")
            h = self.add(c, f"{name}人民医院党总支", "general_branch", "hospital", unit=f"{name}人民医院",
                         authority="12")
            self.branch(h, f"{name}人民医院医疗党支部", "doctor", (20, 34))
            self.branch(h, f"{name}人民医院护理党支部", "nurse", (18, 30))
        for i, town in enumerate(towns):
            self._town(c, name, town, villages=(5, 7) if self.big else (7, 7),
                       tags={"town_admin"} if tags and i == 0 else (), communities=2 if i == 0 and self.big else 0)
