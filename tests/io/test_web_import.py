"""Web import: upload → preview of every row → confirm; scope of who may import what."""

import pytest

from dangjian.io.models import ImportJob
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from tests.io.helpers import MEMBER_HEADER, existing_row, ident, member_row, write_csv

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def upload(client, path, kind="members", **extra):
    with open(path, "rb") as fh:
        return client.post(f"/io/{kind}/upload/", {"file": fh, **extra})


def test_the_preview_quotes_the_bad_cell_but_not_an_id_number(cast, client, tmp_path):
    login(client, cast.secretary1)
    bad_id = ident(seq=53)[:17] + ("0" if ident(seq=53)[17] != "0" else "1")  # wrong check digit
    rows = [member_row("甲", seq=51, joined="2030-01-01", confirmed=""),
            [*member_row("乙", seq=53)[:3], bad_id, *member_row("乙", seq=53)[4:]],
            member_row("丙", seq=55, education="幼儿园"),
            member_row("丁", seq=57, org="NOPE")]
    upload(client, write_csv(tmp_path / "e.csv", rows))
    page = client.get(f"/io/jobs/{ImportJob.objects.get().pk}/").content.decode()
    assert "入党日期（2030-01-01）：入党日期不能晚于今天" in page
    assert "学历（幼儿园）：无法识别的学历" in page
    assert "所在党组织编码：党组织编码“NOPE”不存在" in page  # the message quotes it already
    assert bad_id not in page and "公民身份号码：" in page


def test_a_file_with_errors_opens_on_the_rows_to_fix(cast, client, tmp_path):
    """A branch's whole roster sent back with one bad row: the preview lists that row first, not under the rest."""
    login(client, cast.secretary1)
    rows = [existing_row(cast.m1, job="村医"), member_row("甲", seq=51), member_row("乙", seq=53, joined="2030-01-01")]
    upload(client, write_csv(tmp_path / "e.csv", rows))
    url = f"/io/jobs/{ImportJob.objects.get().pk}/"
    page = client.get(url).content.decode()
    assert "乙" in page and "入党日期不能晚于今天" in page
    assert "甲" not in page and "工作岗位：村民 → 村医" not in page
    assert 'class="nav-link active" href="?show=error">错误 1' in page
    every = client.get(url + "?show=all").content.decode()
    assert all(text in every for text in ("甲", "乙", "工作岗位：村民 → 村医"))
    assert 'class="nav-link active" href="?show=all">全部 3' in every
    clean = [member_row("甲", seq=51)]
    upload(client, write_csv(tmp_path / "ok.csv", clean))
    page = client.get(f"/io/jobs/{ImportJob.objects.latest('pk').pk}/").content.decode()
    assert "甲" in page and 'class="nav-link active" href="?show=all">全部 1' in page


def test_secretary_previews_then_confirms(cast, client, tmp_path):
    login(client, cast.secretary1)
    rows = [member_row("新党员", seq=51),
            existing_row(cast.m1),
            [cast.m2.name, "女", "汉族", cast.m2.id_number, "1990-05-20", "大学本科", "预备党员", "2025-06-01", "",
             cast.m2.job, cast.m2.phone, "CA1B1"]]
    r = upload(client, write_csv(tmp_path / "b1.csv", rows))
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r.url == f"/io/jobs/{job.pk}/"
    assert job.status == "previewed" and job.counts == {"created": 1, "updated": 1, "unchanged": 1}
    assert Member.objects.count() == 4  # nothing written by the preview
    page = client.get(r.url).content.decode()
    assert "新增" in page and "变更" in page and "无变化" in page
    assert "工作岗位：村民 → 教师" in page
    assert ident(seq=51) not in page  # the preview shows masked ID numbers

    r = client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done"
    new = Member.objects.get(id_number=ident(seq=51))
    assert (new.org, new.org_path, new.status, new.name_initials) == (cast.tree.b1, cast.tree.b1.path, "normal", "xdy")
    created = new.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == ("+", cast.secretary1, "导入：b1.csv")
    cast.m1.refresh_from_db()
    assert cast.m1.job == "教师"
    latest = cast.m1.history.first()
    assert latest.history_change_reason == "导入：b1.csv" and latest.history_user == cast.secretary1
    # a confirmed job cannot be confirmed twice
    client.post(f"/io/jobs/{job.pk}/confirm/")
    assert Member.objects.count() == 5


def test_a_file_that_changes_nothing_says_so_instead_of_asking_to_import(cast, client, tmp_path):
    """A branch's roster sent back exactly as the system has it: the preview says there is nothing to write (not
    “确认后一次性写入” over 新增 0，变更 0), and its one button only closes the job."""
    login(client, cast.secretary1)
    same = [cast.m2.name, "女", "汉族", cast.m2.id_number, "1990-05-20", "大学本科", "预备党员", "2025-06-01", "",
            cast.m2.job, cast.m2.phone, "CA1B1"]
    r = upload(client, write_csv(tmp_path / "same.csv", [same]))
    job = ImportJob.objects.get()
    assert job.counts == {"created": 0, "updated": 0, "unchanged": 1}
    page = client.get(r.url).content.decode()
    assert "文件中的 1 行与系统中的记录完全一致（无变化 1），没有需要写入的内容" in page
    assert "确认导入" not in page and "记为已完成" in page
    assert '<span class="badge bg-secondary">无需写入</span>' in page and "待确认" not in page
    assert '<td class="text-nowrap">无需写入</td>' in client.get("/io/").content.decode()
    history = cast.m2.history.count()
    client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and cast.m2.history.count() == history
    assert "导入：新增 0，变更 0，无变化 1" in client.get(r.url).content.decode()


def test_a_roster_sent_back_with_a_few_changes_opens_on_them(cast, client, tmp_path):
    """A branch's whole roster comes back with one member added and one cell changed: the preview opens on those
    two rows (新增和变更), not on a page of 无变化 rows to scroll through; 全部 still lists every row."""
    login(client, cast.secretary1)
    same = [cast.m2.name, "女", "汉族", cast.m2.id_number, "1990-05-20", "大学本科", "预备党员", "2025-06-01", "",
            cast.m2.job, cast.m2.phone, "CA1B1"]
    r = upload(client, write_csv(tmp_path / "back.csv", [same, member_row("新党员", seq=51), existing_row(cast.m1)]))
    page = client.get(r.url).content.decode()
    assert '<a class="nav-link active" href="?show=writes">新增和变更 2</a>' in page
    assert "新党员" in page and cast.m1.name in page and cast.m2.name not in page
    page = client.get(r.url + "?show=all").content.decode()
    assert '<a class="nav-link active" href="?show=all">全部 3</a>' in page and cast.m2.name in page
    # with nothing unchanged the tab would repeat 全部: not shown
    r = upload(client, write_csv(tmp_path / "new.csv", [member_row("另一人", seq=53)]))
    page = client.get(r.url).content.decode()
    assert "新增和变更" not in page and '<a class="nav-link active" href="?show=all">全部 1</a>' in page


def test_a_file_uploaded_again_points_from_the_older_preview_to_the_newer(cast, client, tmp_path):
    """Uploaded twice without confirming: the list shows the older one as 已重新上传, not a second 待确认, and its page
    links to the newer preview."""
    login(client, cast.secretary1)
    first = upload(client, write_csv(tmp_path / "名册.csv", [member_row("新党员", seq=51)])).url
    second = upload(client, write_csv(tmp_path / "名册.csv", [member_row("新党员", seq=51), existing_row(cast.m1)])).url
    index = client.get("/io/").content.decode()
    assert index.count('<td class="text-nowrap">待确认</td>') == 1 and '<td class="text-nowrap">已重新上传</td>' in index
    page = client.get(first).content.decode()
    assert "您之后又上传了同名文件" in page and f'href="{second}"' in page
    assert '<span class="badge bg-secondary">已重新上传</span>' in page
    assert "您之后又上传了同名文件" not in client.get(second).content.decode()


def test_rows_outside_scope_are_errors(cast, client, tmp_path):
    login(client, cast.secretary1)
    upload(client, write_csv(tmp_path / "x.csv", [member_row(seq=61, org="CA1B2"), member_row(seq=63)]))
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert job.errors == [{"row": 2, "column": "所在党组织编码", "value": "CA1B2", "message": "无权导入该党组织的党员"}]
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "无权导入该党组织的党员" in page
    client.post(f"/io/jobs/{job.pk}/confirm/")
    assert Member.objects.count() == 4


def test_id_held_elsewhere_does_not_leak_the_other_member(cast, client, tmp_path):
    login(client, cast.secretary1)
    row = member_row(cast.m3.name, seq=0, org="CA1B1")
    row[3] = cast.m3.id_number
    row[4] = ""
    upload(client, write_csv(tmp_path / "x.csv", [row]))
    message = ImportJob.objects.get().errors[0]["message"]
    assert "转接" in message and cast.m3.name not in message


def test_jobs_are_private_to_their_uploader(cast, client, tmp_path):
    login(client, cast.secretary1)
    upload(client, write_csv(tmp_path / "x.csv", [member_row(seq=71)]))
    job = ImportJob.objects.get()
    login(client, cast.secretary2)
    assert client.get(f"/io/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/io/jobs/{job.pk}/confirm/").status_code == 404
    assert Member.objects.count() == 4


def test_who_may_import(cast, client, tmp_path):
    f = write_csv(tmp_path / "o.csv", [["N1", "新支部", "CA1", "党支部", "农村"]],
                  header=["党组织编码", "党组织名称", "上级党组织编码", "党组织类别", "所属领域"])
    login(client, cast.viewer)
    assert client.get("/io/").status_code == 404
    assert upload(client, f, "members").status_code == 404
    login(client, cast.secretary1)
    assert client.get("/io/").status_code == 200
    assert upload(client, f, "orgs").status_code == 404  # secretaries do not change orgs
    login(client, cast.town_admin)
    upload(client, f, "orgs")
    job = ImportJob.objects.get(kind="orgs")
    client.post(f"/io/jobs/{job.pk}/confirm/")
    assert Org.objects.get(code="N1").parent_org() == cast.tree.town


def test_org_import_outside_scope_is_an_error(cast, client, tmp_path):
    f = write_csv(tmp_path / "o.csv", [["N2", "新支部", "CB", "党支部", "社区"]],
                  header=["党组织编码", "党组织名称", "上级党组织编码", "党组织类别", "所属领域"])
    login(client, cast.town_admin)
    upload(client, f, "orgs")
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.errors[0]["column"] == "上级党组织编码"


def test_bad_file_type_is_refused_before_storing(cast, client, tmp_path):
    login(client, cast.secretary1)
    p = tmp_path / "x.pdf"
    p.write_bytes(b"%PDF")
    r = upload(client, p)
    assert r.status_code == 302 and not ImportJob.objects.exists()


def test_landing_page_lists_my_jobs(cast, client, tmp_path, django_assert_max_num_queries):
    login(client, cast.secretary1)
    upload(client, write_csv(tmp_path / "mine.csv", [member_row(seq=81)]))
    with django_assert_max_num_queries(8):
        page = client.get("/io/").content.decode()
    assert "mine.csv" in page and "下载党员导入模板" in page


def test_result_sheet_lists_the_errors_for_the_uploader_only(cast, client, tmp_path):
    from python_calamine import CalamineWorkbook

    login(client, cast.secretary1)
    upload(client, write_csv(tmp_path / "e.csv", [member_row(seq=81), member_row("李四", seq=83, org="NOPE")]))
    job = ImportJob.objects.get()
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert f"/io/jobs/{job.pk}/result.xlsx" in page and "下载错误清单" in page
    r = client.get(f"/io/jobs/{job.pk}/result.xlsx")
    assert r.status_code == 200 and "%E5%AF%BC%E5%85%A5%E7%BB%93%E6%9E%9C" in r["Content-Disposition"]  # 导入结果
    sheet = CalamineWorkbook.from_filelike(__import__("io").BytesIO(b"".join(r.streaming_content)))
    errors = sheet.get_sheet_by_name("错误清单").to_python()
    assert [(int(e[0]), e[1], e[2]) for e in errors[1:]] == [(3, "所在党组织编码", "NOPE")]
    login(client, cast.county_admin)
    assert client.get(f"/io/jobs/{job.pk}/result.xlsx").status_code == 404


def test_a_secretary_finds_their_branch_filled_in_as_the_default(cast, client, tmp_path):
    login(client, cast.secretary1)
    page = client.get("/io/").content.decode()
    assert 'id="member-org" maxlength="40" value="CA1B1"' in page and "已填本支部：城关镇东村党支部" in page
    # an admin over several branches is shown one of theirs as an example, not given a default
    login(client, cast.county_admin)
    page = client.get("/io/").content.decode()
    assert 'placeholder="如 CA1B1（城关镇东村党支部）"' in page and 'value="CA1B1"' not in page
    # a preview of a sheet without codes puts every row in the secretary's branch
    login(client, cast.secretary1)
    rows = [member_row("新人", seq=91)[:-1]]
    upload(client, write_csv(tmp_path / "own.csv", rows, header=MEMBER_HEADER[:-1]), default_org="CA1B1")
    assert ImportJob.objects.get(file_name="own.csv").counts == {"created": 1, "updated": 0, "unchanged": 0}


def test_the_org_preview_shows_every_rows_outcome_and_the_counts(cast, client, tmp_path):
    # Before, an organization file's preview said 新增 0 and listed no row (its tally was never kept), though
    # confirming it created them.
    f = write_csv(tmp_path / "o.csv", [["N1", "新支部", "CA1", "党支部", "农村"],
                                       ["CA1B1", "城关镇东村党支部", "CA1", "党支部", "农村"],
                                       ["CA1B2", "城关镇西村党支部（新名）", "CA1", "党支部", "农村"]],
                  header=["党组织编码", "党组织名称", "上级党组织编码", "党组织类别", "所属领域"])
    login(client, cast.town_admin)
    upload(client, f, "orgs")
    job = ImportJob.objects.get(kind="orgs")
    assert job.outcome_counts == {"create": 1, "unchanged": 1, "update": 1}
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "检查通过：新增 1，变更 1，无变化 1" in page and "没有符合条件的行" not in page
    assert "N1 新支部" in page and "城关镇西村党支部（新名）" in page


def test_the_file_pickers_offer_every_kind_the_import_reads(cast, client):
    """An .ods from LibreOffice or an .xlsm could not be picked before: the pickers offered .xlsx, .xls, .csv."""
    login(client, cast.town_admin)
    page = client.get("/io/").content.decode()
    accept = 'accept=".csv,.mht,.mhtml,.ods,.txt,.xls,.xlsb,.xlsm,.xlsx,.zip" multiple'
    assert page.count(accept) == 2 and "LibreOffice 表格（.ods）" in page
