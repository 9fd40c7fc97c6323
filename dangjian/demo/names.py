"""Name and place material for the demo city. Plain data plus small pickers over a random.Random.

Surname weights are per mille of the population (2020 census ranking, rounded); given names are
grouped by birth cohort because Chinese naming fashions changed strongly (秀英 → 丽娟 → 欣怡).
"""

import datetime as dt
import random

SURNAMES: list[tuple[str, float]] = [
    ("王", 71.2), ("李", 70.0), ("张", 67.4), ("刘", 51.0), ("陈", 46.1), ("杨", 32.2), ("黄", 24.5),
    ("赵", 21.9), ("吴", 20.8), ("周", 20.0), ("徐", 14.5), ("孙", 13.8), ("马", 12.9), ("朱", 12.8),
    ("胡", 11.6), ("郭", 11.5), ("何", 10.6), ("林", 10.2), ("高", 10.0), ("罗", 8.6), ("郑", 8.3),
    ("梁", 8.3), ("谢", 7.2), ("宋", 7.0), ("唐", 6.9), ("许", 6.6), ("韩", 6.5), ("冯", 6.4), ("邓", 6.2),
    ("曹", 6.1), ("彭", 5.8), ("曾", 5.6), ("肖", 5.5), ("田", 5.2), ("董", 5.1), ("袁", 5.0), ("潘", 4.9),
    ("于", 4.8), ("蒋", 4.7), ("蔡", 4.6), ("余", 4.5), ("杜", 4.4), ("叶", 4.3), ("程", 4.2), ("苏", 4.1),
    ("魏", 4.0), ("吕", 3.9), ("丁", 3.8), ("任", 3.7), ("沈", 3.6), ("姚", 3.5), ("卢", 3.4), ("姜", 3.3),
    ("崔", 3.2), ("钟", 3.1), ("谭", 3.0), ("陆", 2.9), ("汪", 2.8), ("范", 2.7), ("金", 2.6), ("石", 2.5),
    ("廖", 2.4), ("贾", 2.3), ("夏", 2.2), ("韦", 2.1), ("付", 2.0), ("方", 1.9), ("白", 1.8), ("邹", 1.7),
    ("孟", 1.6), ("熊", 1.6), ("秦", 1.5), ("邱", 1.5), ("江", 1.4), ("尹", 1.4), ("薛", 1.3), ("闫", 1.3),
    ("段", 1.2), ("雷", 1.2), ("侯", 1.1), ("龙", 1.1), ("史", 1.0), ("陶", 1.0), ("黎", 1.0), ("贺", 1.0),
    ("顾", 0.9), ("毛", 0.9), ("郝", 0.9), ("龚", 0.9), ("邵", 0.9), ("万", 0.8), ("钱", 0.8), ("严", 0.8),
    ("武", 0.8), ("戴", 0.8), ("孔", 0.7), ("向", 0.7), ("汤", 0.7), ("常", 0.7), ("葛", 0.6), ("牛", 0.6),
    ("欧阳", 0.3), ("司马", 0.05), ("诸葛", 0.05),
]

# Given names by sex and birth cohort: (two-character names, one-character names).
_GIVEN = {
    ("M", 1955): ((
        "建国 国庆 建华 国强 志刚 振华 福海 长林 德胜 保国 永福 树林 文华 玉林 学文 守仁 宝山 有才 金山 春生 "
        "秋生 立新 卫东 援朝 庆祥 广才 世杰 玉成 永泉 洪涛 德明 长江 培元 兆林"), "军 明 华 刚 强 林 平 斌 忠 义"),
    ("M", 1975): ((
        "卫国 建军 红兵 向东 建平 国华 志强 永强 海涛 立军 伟东 建新 小平 建忠 国平 志勇 德华 庆丰 跃进 胜利 "
        "新民 振国 爱国 文军 金龙 晓光 继红 铁军 春林 学军"), "勇 伟 军 斌 峰 刚 涛 辉 杰 波"),
    ("M", 1990): ((
        "海波 建伟 晓东 志伟 俊杰 文博 晓明 永刚 海军 明亮 小龙 国栋 立伟 春雷 志鹏 宏伟 勇军 晓峰 建波 振宇 "
        "海龙 云飞 少华 东升 凯文 家乐"), "伟 磊 涛 鹏 超 亮 杰 强 宁 凯 飞 健"),
    ("M", 9999): ((
        "浩然 子豪 宇航 浩宇 俊熙 博文 一鸣 梓轩 天宇 晨阳 思远 昊天 子健 泽宇 嘉豪 佳豪 逸飞 明轩 宇轩 睿哲 "
        "文轩 俊杰 鑫磊 家豪 振宇 皓轩"), "浩 宇 博 航 睿 哲 轩 晨 阳 鑫"),
    ("F", 1955): ((
        "秀英 桂英 秀兰 玉兰 桂兰 凤英 玉珍 淑珍 淑芬 秀珍 桂芝 玉梅 凤兰 素珍 翠兰 金凤 秀芳 桂香 玉芳 淑英 "
        "兰英 素芬 惠珍 玉华"), "英 兰 珍 芳 梅 华 芬 琴"),
    ("F", 1975): ((
        "丽华 红梅 秀梅 玉红 春梅 小红 爱华 卫红 丽萍 海燕 美玲 红霞 淑华 晓红 建英 桂荣 春兰 红英 丽君 爱萍 "
        "秀云 亚萍 彩霞 雪芹"), "红 萍 霞 燕 敏 丽 静 芳 娟 英"),
    ("F", 1990): ((
        "丽娟 晓燕 海燕 丽丽 晓丽 雪梅 慧敏 春燕 小燕 丽娜 晓静 亚楠 红艳 艳红 晓梅 文静 美华 金凤 晓霞 玉洁 "
        "丽霞 秀娟 丹丹 婷婷"), "静 敏 燕 艳 娟 婷 丹 莉 洁 颖 倩"),
    ("F", 9999): ((
        "欣怡 雨欣 梓涵 诗涵 思雨 佳怡 可欣 雨涵 梦瑶 心怡 若曦 一诺 佳琪 子涵 紫萱 晓雯 雅婷 婉婷 梦琪 思琪 "
        "欣妍 雨萱 诗琪 语嫣 佳慧 明月"), "婷 琳 悦 雪 洁 颖 璐 萱 瑶 琪"),
}
GIVEN = {k: (two.split(), one.split()) for k, (two, one) in _GIVEN.items()}

# Ethnic minorities found in a northern inland city, weighted (回族 and 满族 most common there).
MINORITIES: list[tuple[str, float]] = [
    ("回族", 30), ("满族", 22), ("蒙古族", 10), ("土家族", 7), ("壮族", 6), ("苗族", 5), ("朝鲜族", 5),
    ("彝族", 3), ("侗族", 2), ("白族", 2), ("瑶族", 2), ("布依族", 2), ("锡伯族", 1), ("维吾尔族", 1),
    ("藏族", 1), ("畲族", 1),
]

PHONE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "198", "199",
]

# Where 流动党员 of this inland city go to work.
MOBILE_DESTINATIONS = [
    "广东省深圳市", "广东省广州市", "广东省东莞市", "浙江省杭州市", "浙江省宁波市", "江苏省苏州市",
    "江苏省南京市", "上海市", "北京市", "天津市", "福建省厦门市", "山东省青岛市", "新疆维吾尔自治区乌鲁木齐市",
]

VILLAGE_WORDS = ["柳树", "石桥", "青龙", "大河", "东坡", "梨园", "河西", "新庄", "红星", "前进", "光明", "太平", "枣林", "白杨", "南岗", "北关", "小店", "龙泉", "双河", "桃花", "后营", "沙河", "石门", "泉水", "西沟", "荷花", "上庄", "下庄", "凤凰", "柏树", "松林", "油坊", "磨盘", "中心", "长岭", "团结", "胜利", "和平", "新华", "杏园", "槐树", "黄土岭", "三官庙", "马鞍山", "卧牛", "青石", "古城", "官庄", "白沙", "清水", "柿子沟", "核桃园", "月亮湾", "南湖", "北坡", "东营", "西营", "大柳", "小柳"]
VILLAGE_SUFFIXES = ["庄", "湾", "沟", "寨", "坪", "岭", "营", "店", "集", "洼", "屯", "峪"]
COMMUNITY_WORDS = ["金桂", "银杏", "翠湖", "和平里", "幸福", "阳光", "锦绣", "民主路", "建设路", "东风", "文化路", "朝阳", "新华", "兴隆", "滨河", "春晖", "紫荆", "明珠", "学府", "桃源", "康乐", "富民", "钢城", "花园", "北苑", "南苑", "湖光", "翠竹", "书香", "颐和"]
ROADS = ["人民路", "解放路", "建设路", "中山路", "文化路", "青年路", "湖滨路", "枫林大道", "云湖大道", "钢城路", "学府路", "站前路", "新华路", "迎宾大道"]
COMPOUNDS = ["阳光花园", "锦绣家园", "翠湖小区", "钢城新村", "教师公寓", "枫林苑", "湖畔人家", "幸福里", "金桂园", "名都花园", "电业小区", "银河湾"]


def weighted(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


_SURNAMES, _SURNAME_WEIGHTS = zip(*SURNAMES, strict=True)


def person_name(rng: random.Random, sex: str, birth: dt.date) -> str:
    surname = rng.choices(_SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    cohort = next(c for c in (1955, 1975, 1990, 9999) if birth.year < c)
    two, one = GIVEN[(sex, cohort)]
    # Single-character given names were common for people born in the 1960s-80s, rarer since.
    single = {1955: 0.22, 1975: 0.30, 1990: 0.35, 9999: 0.12}[cohort]
    if len(surname) == 1 and rng.random() < single:
        return surname + rng.choice(one)
    return surname + rng.choice(two)


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def pick_unique(rng: random.Random, pool: list[str], used: set[str]) -> str:
    """A word from `pool` not yet in `used` (falls back to numbered variants when the pool runs out)."""
    free = [w for w in pool if w not in used]
    word = rng.choice(free) if free else f"{rng.choice(pool)}{len(used) + 1}"
    used.add(word)
    return word


def village_name(rng: random.Random, used: set[str]) -> str:
    """柳树村, 王家庄村, 石桥村 … unique within the city."""
    for _ in range(50):
        if rng.random() < 0.4:
            name = rng.choices(_SURNAMES[:40], weights=_SURNAME_WEIGHTS[:40])[0] + "家" + rng.choice(VILLAGE_SUFFIXES)
        else:
            name = rng.choice(VILLAGE_WORDS)
        if name not in used:
            used.add(name)
            return name + "村"
    return pick_unique(rng, VILLAGE_WORDS, used) + "村"
