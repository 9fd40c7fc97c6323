"""Rosters laid out every way the import claims to read, drawn at random (hypothesis): header names and synonyms in
any order with extra columns, a title row, a two-row header, rows of notes and of column numbers, a total line, and
the cells written as branches write them (padded names, 学历 spellings, every date form, numbers kept text for
Excel), as CSV or as .xlsx with real merges, alone or as a file of a .zip. Every member must come out as meant, and the same file again must change nothing."""

import csv
import datetime as dt
import io
import zipfile

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.io.members_import import import_members
from tests.io.helpers import ident

pytestmark = pytest.mark.django_db

# column key -> (names it may go by, a function of the member giving the cell)
NAMES = {
    "name": ["姓名", "党员姓名"],
    "gender": ["性别"],
    "ethnicity": ["民族"],
    "id": ["公民身份号码", "身份证号", "身份证号码"],
    "education": ["学历", "文化程度", "最高学历"],
    "category": ["人员类别", "党员类别"],
    "joined": ["入党日期", "入党时间"],
    "confirmed": ["转正日期", "转正时间"],
    "phone": ["联系电话", "手机号码", "联系方式"],
    "org": ["所在党组织编码", "所在支部编码", "支部编码"],
}
EDUCATIONS = [("大学本科", "bachelor"), ("本科", "bachelor"), ("省委党校大学", "bachelor"), ("大专（函授）", "college"),
              ("在职研究生", "postgraduate"), ("中等专科", "vocational"), ("高中", "high_school"), ("初中", "junior")]


def date_forms(d: dt.date) -> list[str]:
    return [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d:%Y.%m.%d}", f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}", f"{d.year}。{d.month}。{d.day}", f"{d.year}年{d.month}月{d.day}号",
            f'="{d.isoformat()}"']  # as another system's CSV keeps it text for Excel


members = st.lists(st.tuples(
    st.sampled_from(["张三", "李四", "王五", "赵六", "阿依古丽·买买提"]),
    st.sampled_from(["", "　", " "]),  # padding put inside a two-character name
    st.sampled_from(EDUCATIONS),
    st.booleans(),  # probationary
    st.integers(min_value=0, max_value=7),  # date form of 入党日期
    st.integers(min_value=0, max_value=7),  # of 转正日期
    st.sampled_from(["{}", "'{}", '="{}"']),  # the ID as typed, or kept text by an apostrophe or ="…"
), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=members, data=st.data(), xlsx=st.booleans(), title=st.booleans(), notes=st.booleans(),
       numbering=st.booleans(), footer=st.booleans(), two_level=st.sampled_from(["", "入党时间", "时间", "预备/正式"]),
       extras=st.booleans(), zipped=st.booleans())
def test_every_layout_reads_as_meant(tree, tmp_path, people, data, xlsx, title, notes, numbering, footer, two_level,
                                     extras, zipped):
    keys = data.draw(st.permutations([k for k in NAMES if k not in ("joined", "confirmed")]))
    # 入党/转正 stay side by side (a two-row header groups them), anywhere among the others
    at = data.draw(st.integers(min_value=0, max_value=len(keys)))
    keys = [*keys[:at], "joined", "confirmed", *keys[at:]]
    if extras:
        keys = ["序号", *keys, "备注"]
    top = [k if k in ("序号", "备注") else data.draw(st.sampled_from(NAMES[k])) for k in keys]
    sub = [""] * len(keys)
    j = keys.index("joined")
    if two_level == "入党时间":
        top[j], top[j + 1], sub[j], sub[j + 1] = "入党时间", "", "入党日期", "转正日期"
    elif two_level == "时间":
        top[j], top[j + 1], sub[j], sub[j + 1] = "时间", "", "入党", "转正"
    elif two_level == "预备/正式":
        top[j], top[j + 1], sub[j], sub[j + 1] = "入党时间", "", "预备", "正式"

    rows, expected = [], {}
    for i, (name, pad, (education, level), probationary, jf, cf, id_form) in enumerate(people):
        number = ident(seq=11 + 2 * i)
        joined = dt.date(2012, 7, 1)
        confirmed = None if probationary else dt.date(2013, 7, 1)
        typed = name[0] + pad + name[1:] if len(name) == 2 else name
        cells = {"name": typed, "gender": "男", "ethnicity": "汉族", "id": id_form.format(number), "education": education,
                 "category": "预备党员" if probationary else "正式党员", "joined": date_forms(joined)[jf],
                 "confirmed": date_forms(confirmed)[cf] if confirmed else "", "phone": "13800001234", "org": "CA1B1",
                 "序号": str(i + 1), "备注": "无"}
        rows.append([cells[k] for k in keys])
        expected[number] = (name, level, joined, confirmed)

    header_rows = [top] + ([sub] if two_level else [])
    if notes:
        header_rows.append(["必填" if k in ("name", "id") else "" for k in keys])
    if numbering:
        header_rows.append([str(n) for n in range(1, len(keys) + 1)])
    lines = ([["东村党支部党员花名册"]] if title else []) + header_rows + rows + ([["合计：%d人" % len(rows)]] if footer else [])
    path = tmp_path / ("r.xlsx" if xlsx else "r.csv")
    if xlsx:
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("花名册")
        head_at = 1 if title else 0
        for r, line in enumerate(lines):
            for c, v in enumerate(line):
                if v != "":
                    ws.write_string(r, c, v)
        if two_level:  # the group merged across its two columns, the other headings down both rows
            ws.merge_range(head_at, j, head_at, j + 1, top[j])
            for c, text in enumerate(top):
                if c not in (j, j + 1):
                    ws.merge_range(head_at, c, head_at + 1, c, text)
        wb.close()
    else:
        buf = io.StringIO()
        csv.writer(buf).writerows(lines)
        path.write_text(buf.getvalue(), encoding="utf-8")

    if zipped:  # the same roster as one of the files of a .zip, beside a note, as a town office sends them on
        bundle = tmp_path / "r.zip"
        with zipfile.ZipFile(bundle, "w") as z:
            z.write(path, "城关镇/东村" + path.suffix)
            z.writestr("城关镇/说明.docx", "各村名册")
        path = bundle
    result = import_members(path, dry_run=True, keep_rows=True)
    assert result.ok, result.errors
    assert result.counts() == {"created": len(people), "updated": 0, "unchanged": 0}
    got = {}
    for outcome in result.rows:
        assert outcome.kind == "create"
    # the values the members would have: read back through a real import into a transaction rolled back
    from django.db import transaction

    from dangjian.members.models import Member

    with transaction.atomic():
        assert import_members(path).ok
        for m in Member.objects.filter(id_number__in=list(expected)):
            got[m.id_number] = (m.name, m.education, m.joined_on, m.confirmed_on)
        again = import_members(path, dry_run=True)
        assert again.counts() == {"created": 0, "updated": 0, "unchanged": len(people)}
        transaction.set_rollback(True)
    assert got == expected
