"""The preview says where each valid member row goes: a new member's branch (编入…), a member's own, and, when the
rows go to more than one branch, a table of each branch's new, changed and unchanged rows (a town's files of its
villages: did each go to its village?). The same in the result .xlsx and the API's rows/."""

import io

import pytest
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from dangjian.io.models import ImportJob
from tests.io.helpers import existing_row, member_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

EAST, WEST = "城关镇东村党支部", "城关镇西村党支部"


def upload(client, path) -> ImportJob:
    with open(path, "rb") as fh:
        assert client.post("/io/members/upload/", {"file": fh}).status_code == 302
    return ImportJob.objects.latest("pk")


def result_sheets(client, job) -> dict:
    r = client.get(f"/io/jobs/{job.pk}/result.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_rows_of_two_branches_say_their_branch_and_the_preview_counts_each(cast, client, tmp_path):
    client.force_login(cast.town_admin)
    path = write_csv(tmp_path / "城关镇.csv", [
        member_row("甲", seq=51), member_row("乙", seq=53, org="CA1B2"), member_row("丙", seq=55, org="CA1B2"),
        existing_row(cast.m1, job=cast.m1.job),  # 张伟 of 东村, unchanged
        existing_row(cast.m3, job="农民", org="CA1B2")])  # 王强 of 西村, his job changed
    job = upload(client, path)
    assert job.status == "previewed"
    assert job.branches == [["CA1B1", EAST, 1, 0, 1], ["CA1B2", WEST, 2, 1, 0]]
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "按党支部：2 个党支部" in page and "<details" in page and " open>" in page
    assert f"编入{EAST}" in page and f"编入{WEST}" in page  # 甲, 乙, 丙
    assert page.count(f'<div class="small text-muted">{WEST}</div>') == 1  # 王强: his own branch, not 编入

    sheets = result_sheets(client, job)
    rows = sheets["逐行结果"]
    assert rows[0] == ["行号", "结果", "党员", "所在党组织", "说明"]
    assert [(r[1], r[3]) for r in rows[1:]] == [("新增", EAST), ("新增", WEST), ("新增", WEST), ("无变化", EAST),
                                                ("变更", WEST)]
    assert sheets["按党支部"] == [["党组织编码", "党支部", "新增", "变更", "无变化"], ["CA1B1", EAST, 1, 0, 1],
                                  ["CA1B2", WEST, 2, 1, 0]]

    api = APIClient()
    api.force_authenticate(cast.town_admin)
    out = api.get(f"/api/v1/imports/{job.pk}/rows/").json()["results"]
    assert [(r["outcome"], r["org"], r["org_code"]) for r in out] == [
        ("create", EAST, "CA1B1"), ("create", WEST, "CA1B2"), ("create", WEST, "CA1B2"), ("unchanged", EAST, "CA1B1"),
        ("update", WEST, "CA1B2")]
    out = api.get(f"/api/v1/imports/{job.pk}/rows/?org=CA1B2&outcome=create").json()["results"]
    assert [r["label"][0] for r in out] == ["乙", "丙"]
    r = api.get(f"/api/v1/imports/{job.pk}/rows/?org=CB01")
    assert r.status_code == 400 and r.json()["org"] == ["本次导入中没有编入党组织“CB01”的行"]

    # one branch's rows, from its line of the table: its counts on the tabs, the tabs and pages keeping it
    page = client.get(f"/io/jobs/{job.pk}/?org=CA1B2&show=all").content.decode()
    assert f"只看 {WEST} 的行" in page and "全部 3" in page and "新增 2" in page and "变更 1" in page
    assert "检查通过：新增 3，变更 1，无变化 1" in page  # what confirming writes: the whole file, not the branch's
    assert "丙" in page and "甲（" not in page and 'href="?show=create&amp;org=CA1B2"' in page
    assert "全部 5" in client.get(f"/io/jobs/{job.pk}/?org=NOPE").content.decode()  # an unknown code: every row

    client.post(f"/io/jobs/{job.pk}/confirm/")  # written: the same, counted again by the import itself
    job.refresh_from_db()
    assert job.status == "done" and job.branches == [["CA1B1", EAST, 1, 0, 1], ["CA1B2", WEST, 2, 1, 0]]
    assert "按党支部：2 个党支部" in client.get(f"/io/jobs/{job.pk}/").content.decode()


def test_one_branchs_file_has_no_table_and_its_rows_no_branch_line(cast, client, tmp_path):
    client.force_login(cast.secretary1)
    job = upload(client, write_xlsx(tmp_path / "东村.xlsx", [member_row("甲", seq=51), member_row("乙", seq=53)]))
    assert job.status == "previewed" and job.branches == [["CA1B1", EAST, 2, 0, 0]]
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "按党支部" not in page and "编入" not in page  # every row goes to the one branch the file is
    sheets = result_sheets(client, job)
    assert "按党支部" not in sheets and [r[3] for r in sheets["逐行结果"][1:]] == [EAST, EAST]  # the download says it


def test_a_row_in_error_has_no_branch_and_the_table_counts_the_valid_rows(cast, client, tmp_path):
    client.force_login(cast.town_admin)
    job = upload(client, write_csv(tmp_path / "z.csv", [
        member_row("甲", seq=51), member_row("乙", seq=53, org="CA1B2"), member_row("丙", seq=55, org="NOPE")]))
    assert job.status == "invalid"
    assert job.branches == [["CA1B1", EAST, 1, 0, 0], ["CA1B2", WEST, 1, 0, 0]]
    assert list(job.outcomes.order_by("id").values_list("kind", "org_code")) == [
        ("create", "CA1B1"), ("create", "CA1B2"), ("error", "")]


def test_many_branches_fold_their_table(cast, client, tmp_path, monkeypatch):
    client.force_login(cast.town_admin)
    job = upload(client, write_csv(tmp_path / "z.csv", [member_row("甲", seq=51), member_row("乙", seq=53, org="CA1B2")]))
    job.branches = [[f"C{i}", f"第{i}党支部", 1, 0, 0] for i in range(9)]  # as nine branches' rows leave it
    job.save(update_fields=["branches"])
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "按党支部：9 个党支部（点击展开）" in page and " open>" not in page


def test_the_api_detail_lists_the_branches(cast, tmp_path):
    api = APIClient()
    api.force_authenticate(cast.town_admin)
    path = write_csv(tmp_path / "z.csv", [member_row("甲", seq=51), member_row("乙", seq=53, org="CA1B2")])
    with open(path, "rb") as fh:
        r = api.post("/api/v1/imports/", {"kind": "members", "file": fh}, format="multipart")
    assert r.status_code == 201, r.content
    detail = api.get(f"/api/v1/imports/{r.json()['id']}/").json()
    assert detail["branches"] == [["CA1B1", EAST, 1, 0, 0], ["CA1B2", WEST, 1, 0, 0]]
    assert detail["without_rows"] == {"parent": {"code": "CA1", "name": "东县城关镇党委"}, "count": 0, "more": False,
                                      "shown": [], "text": "东县城关镇党委下的党支部在本次文件中都有党员。"}
    assert r.json()["without_rows"] == detail["without_rows"]  # the upload's answer says it too
    with open(write_csv(tmp_path / "one.csv", [member_row("丙", seq=55)]), "rb") as fh:
        r = api.post("/api/v1/imports/", {"kind": "members", "file": fh}, format="multipart")
    assert r.json()["branches"] == [["CA1B1", EAST, 1, 0, 0]] and r.json()["without_rows"] is None


def test_the_preview_names_the_branches_the_file_has_no_member_of(tree, cast, client, tmp_path, monkeypatch):
    """A town's villages' files come in: the preview says which of the town's branches sent nothing (under the
    organization all the file's branches are under, in the user's scope)."""
    from dangjian.io import without_rows
    from tests.factories import make_org

    client.force_login(cast.county_admin)
    job = upload(client, write_csv(tmp_path / "z.csv", [member_row("甲", seq=51), member_row("乙", seq=53, org="CA1B2")]))
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "东县城关镇党委下的党支部在本次文件中都有党员。" in page
    make_org("CA1B3", "城关镇南村党支部", "branch", parent=tree.town)
    make_org("CA1B4", "城关镇北村党支部", "branch", parent=tree.town)
    make_org("CA2", "东县白沙镇党委", "committee", parent=tree.county)  # not under the town: not named
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "东县城关镇党委下还有 2 个党支部在本次文件中没有党员：城关镇南村党支部、城关镇北村党支部。" in page
    api = APIClient()
    api.force_authenticate(cast.county_admin)
    missing = api.get(f"/api/v1/imports/{job.pk}/").json()["without_rows"]
    assert missing["parent"] == {"code": "CA1", "name": "东县城关镇党委"} and missing["count"] == 2
    assert missing["shown"] == [["CA1B3", "城关镇南村党支部"], ["CA1B4", "城关镇北村党支部"]]
    monkeypatch.setattr(without_rows, "MISSING_SHOWN", 1)
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "还有 2 个党支部在本次文件中没有党员：城关镇南村党支部等。" in page
    # the result file lists them all (up to MISSING_LISTED), then counts them
    assert result_sheets(client, job)["没有党员的党支部"] == [
        ["党组织编码", "党支部"], ["CA1B3", "城关镇南村党支部"], ["CA1B4", "城关镇北村党支部"],
        ["", "东县城关镇党委下共 2 个党支部在本次文件中没有党员"]]
    monkeypatch.setattr(without_rows, "MISSING_LISTED", 1)
    assert result_sheets(client, job)["没有党员的党支部"][-1] == [
        "", "东县城关镇党委下共 2 个党支部在本次文件中没有党员，此处列出前 1 个"]
    monkeypatch.setattr(without_rows, "MISSING_COUNTED", 1)
    assert "还有 1多 个党支部" in client.get(f"/io/jobs/{job.pk}/").content.decode()

    job = upload(client, write_csv(tmp_path / "one.csv", [member_row("丙", seq=55)]))
    assert "本次文件中" not in client.get(f"/io/jobs/{job.pk}/").content.decode()  # one branch's file: nothing said


def test_a_failed_import_drops_the_previews_table(cast, client, tmp_path, settings, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    from django.db import OperationalError

    settings.DANGJIAN_IMPORT_SYNC_MAX_ROWS = 1  # in the background
    client.force_login(cast.town_admin)
    path = write_csv(tmp_path / "z.csv", [member_row("甲", seq=51), member_row("乙", seq=53, org="CA1B2")])
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, path)
    job.refresh_from_db()
    assert job.status == "previewed" and len(job.branches) == 2

    def lost_connection(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("dangjian.io.members_import.write_members", lost_connection)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "failed" and job.branches == []
    assert "按党支部" not in client.get(f"/io/jobs/{job.pk}/").content.decode()


def test_branches_called_alike_are_told_apart_by_their_superior(tree, cast, client, tmp_path):
    """A county whose towns each call a village's branch 东村党支部: the preview names each with its town, in the
    table, the one-branch filter and each row's 编入 line (the API keeps the names: the codes tell them apart)."""
    from tests.factories import make_org

    hekou = make_org("CA2", "东县河口镇党委", "committee", parent=tree.county)
    make_org("CA2B1", "东村党支部", "branch", parent=hekou)
    shiqiao = make_org("CA3", "东县石桥镇党委", "committee", parent=tree.county)
    make_org("CA3B1", "东村党支部", "branch", parent=shiqiao)
    client.force_login(cast.county_admin)
    job = upload(client, write_csv(tmp_path / "z.csv", [
        member_row("甲", seq=51, org="CA2B1"), member_row("乙", seq=53, org="CA3B1"), member_row("丙", seq=55)]))
    assert [b[:2] for b in job.branches] == [["CA1B1", EAST], ["CA2B1", "东村党支部"], ["CA3B1", "东村党支部"]]
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    for label in ("东县河口镇党委下的东村党支部", "东县石桥镇党委下的东村党支部"):
        assert f">{label}</a>" in page and f"编入{label}" in page
    assert f">{EAST}</a>" in page and f"编入{EAST}" in page  # a name no other has stays as it is
    page = client.get(f"/io/jobs/{job.pk}/?org=CA3B1&show=all").content.decode()
    assert "只看 东县石桥镇党委下的东村党支部 的行" in page
    # the branches without rows, likewise: a fourth town's 东村 and 城关镇's 西村
    fourth = make_org("CA4", "东县河东镇党委", "committee", parent=tree.county)
    make_org("CA4B1", "东村党支部", "branch", parent=fourth)
    make_org("CA3B2", "东村党支部", "branch", parent=make_org("CA3Z", "石桥镇大村党总支", "general_branch",
                                                            parent=shiqiao))
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert ("没有党员：城关镇西村党支部、石桥镇大村党总支下的东村党支部、东县河东镇党委下的东村党支部。" in page)
