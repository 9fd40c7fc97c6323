"""Enumerations of the member registry (党员基本信息采集表)."""

import re
import unicodedata

from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Category(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    VOCATIONAL = "vocational", "中专"
    HIGH_SCHOOL = "high_school", "高中"
    JUNIOR_OR_BELOW = "junior", "初中及以下"


# Spellings found in real rosters, mapped to the standard values.
EDUCATION_SYNONYMS = {
    "博士研究生": "postgraduate", "硕士研究生": "postgraduate", "博士": "postgraduate", "硕士": "postgraduate",
    "研究生": "postgraduate", "本科": "bachelor", "大学本科": "bachelor", "大学": "bachelor",
    "大专": "college", "专科": "college", "大学专科": "college", "高职": "college",
    "中专": "vocational", "中技": "vocational", "技校": "vocational", "职高": "vocational",
    "中等专科": "vocational", "中等专业": "vocational", "中等专业学校": "vocational", "中等技术": "vocational",
    "中等技术学校": "vocational", "技工学校": "vocational", "中职": "vocational", "中等职业教育": "vocational",
    "高中": "high_school", "普通高中": "high_school", "初中": "junior", "小学": "junior", "初中及以下": "junior",
    "小学及以下": "junior", "文盲": "junior", "半文盲": "junior",
}
COLLEGE_OR_ABOVE = frozenset({"postgraduate", "bachelor", "college"})
# The standard labels and the spellings above: a 学历 cell's text -> Education value.
EDUCATION_BY_TEXT = {label: value for value, label in Education.choices} | EDUCATION_SYNONYMS

# How a roster qualifies a degree: how it was studied (在职, 函授 …) before it or in brackets after it. Party-school
# degrees (中央党校研究生, 省委党校大学, 县委党校大专 …) are the level after “党校”: the 党员信息 statistics count them
# with the others of their level.
_STUDY_MODES = ("全日制", "在职", "函授", "成人", "自学考试", "自考", "夜大", "电大", "网络教育", "业余")
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")
_PARTY_SCHOOL = re.compile(r"^.{0,12}党校")
_LEVEL_WORDS = (("研究生", "postgraduate"), ("硕士", "postgraduate"), ("博士", "postgraduate"),
                ("本科", "bachelor"), ("大学", "bachelor"), ("大专", "college"), ("专科", "college"))


def education_from_text(text: str) -> str | None:
    """An Education value from a roster's 学历 cell, or None when it names no level: the standard labels and the
    spellings of EDUCATION_SYNONYMS, also with a study mode (“在职研究生”, “大学本科（函授）”) or from a party school."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    if text in EDUCATION_BY_TEXT:
        return EDUCATION_BY_TEXT[text]
    bare = _BRACKETS.sub("", text)
    for mode in _STUDY_MODES:
        bare = bare.removeprefix(mode)
    if bare != text and bare:
        return education_from_text(bare)
    if _PARTY_SCHOOL.match(text):
        level = _PARTY_SCHOOL.sub("", text)
        for word, value in _LEVEL_WORDS:
            if level.startswith(word):
                return value
    return None


class Status(models.TextChoices):
    """党籍状态. Members are never deleted; they leave by a status change with a reason."""

    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "停止党籍"
    EXPELLED = "expelled", "出党"
    DECEASED = "deceased", "去世"
    TRANSFERRED_OUT = "transferred_out", "转出"


ACTIVE_STATUSES = frozenset({Status.NORMAL})

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
    "赫哲族", "门巴族", "珞巴族", "基诺族", "穿青人", "其他",
]
ETHNICITY_CHOICES = [(e, e) for e in ETHNICITIES]

# Age bands of the 党内统计公报 (rules-reference §8.2).
AGE_BANDS = [
    ("0-30", "30岁及以下", 0, 30), ("31-35", "31至35岁", 31, 35), ("36-40", "36至40岁", 36, 40),
    ("41-45", "41至45岁", 41, 45), ("46-50", "46至50岁", 46, 50), ("51-55", "51至55岁", 51, 55),
    ("56-60", "56至60岁", 56, 60), ("61-", "61岁及以上", 61, 200),
]
