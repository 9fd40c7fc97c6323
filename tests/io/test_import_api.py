"""Roster import and export through the API: POST /api/v1/imports/ (preview) → confirm/ → rows/ and
result; GET /api/v1/members/export/. The same importer and scope as the web page."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from dangjian.core.models import Event
from dangjian.io.models import ImportJob
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from tests.factories import token_client as api
from tests.io.helpers import MEMBER_HEADER, existing_row, ident, member_row, write_csv

pytestmark = pytest.mark.django_db


def post_file(client, path, kind="members", **extra):
    with open(path, "rb") as fh:
        return client.post("/api/v1/imports/", {"kind": kind, "file": fh, **extra}, format="multipart")


def test_secretary_previews_then_confirms_through_the_api(cast, tmp_path):
    c = api(cast.secretary1)
    rows = [member_row("新党员", seq=51),
            existing_row(cast.m1)]
    r = post_file(c, write_csv(tmp_path / "b1.csv", rows))
    assert r.status_code == 201, r.content
    job = r.json()
    assert job["status"] == "previewed" and job["counts"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert job["errors"] == [] and job["kind"] == "members" and job["file_name"] == "b1.csv"
    assert not Member.objects.filter(id_number=ident(seq=51)).exists()  # a preview writes nothing

    r = c.get(f"/api/v1/imports/{job['id']}/rows/", {"outcome": "update"})
    assert r.status_code == 200 and r.json()["count"] == 1
    (row,) = r.json()["results"]
    assert row["row"] == 3 and {"column": "工作岗位", "old": cast.m1.job, "new": "教师"} in row["changes"]
    assert cast.m1.id_number not in str(r.json())  # labels carry masked numbers

    r = c.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert r.status_code == 200 and r.json()["status"] == "done"
    new = Member.objects.get(id_number=ident(seq=51))
    assert new.org == cast.tree.b1 and new.history.get().history_change_reason == "导入：b1.csv"
    # once done, the job cannot be confirmed again
    r = c.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert r.status_code == 400 and "不能再确认" in r.json()["detail"]
    assert Member.objects.filter(id_number=ident(seq=51)).count() == 1


def test_every_bad_row_comes_back_with_row_column_value_and_message(cast, tmp_path):
    c = api(cast.secretary1)
    rows = [member_row(seq=61), member_row("李四", seq=63, joined="2030-01-01", confirmed=""),
            member_row("王五", seq=65, org="CA1B2")]
    r = post_file(c, write_csv(tmp_path / "bad.csv", rows))
    job = r.json()
    assert r.status_code == 201 and job["status"] == "invalid", job
    assert job["error_count"] == 2, job["errors"]
    by_row = {e["row"]: e for e in job["errors"]}
    assert by_row[3]["column"] == "入党日期" and by_row[3]["value"] == "2030-01-01"
    assert by_row[4]["column"] == "所在党组织编码" and "无权" in by_row[4]["message"]
    r = c.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert r.status_code == 400
    assert not Member.objects.filter(id_number__in=[ident(seq=61), ident(seq=63)]).exists()

    # the result sheet lists every error for the branch to fix its file by
    r = c.get(f"/api/v1/imports/{job['id']}/result/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    errors = wb.get_sheet_by_name("错误清单").to_python()
    assert errors[0] == ["行号", "列", "填写的值", "错误说明"]
    assert [(int(e[0]), e[1]) for e in errors[1:]] == [(3, "入党日期"), (4, "所在党组织编码")]
    outcomes = wb.get_sheet_by_name("逐行结果").to_python()
    assert [o[1] for o in outcomes[1:]] == ["新增", "错误", "错误"]


def test_org_import_through_the_api(cast, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("党组织编码,党组织名称,上级党组织编码,党组织类别,所属领域\nCA1B9,城关镇南村党支部,CA1,党支部,农村\n",
                    encoding="utf-8")
    c = api(cast.county_admin)
    job = post_file(c, path, kind="orgs").json()
    assert job["status"] == "previewed" and job["counts"]["created"] == 1
    assert c.post(f"/api/v1/imports/{job['id']}/confirm/").json()["status"] == "done"
    assert Org.objects.get(code="CA1B9").path[:-Org.steplen] == cast.tree.town.path


def test_who_may_upload(cast, tmp_path):
    path = write_csv(tmp_path / "x.csv", [member_row(seq=71)])
    for user in (cast.viewer, cast.member_user, cast.outsider):
        r = post_file(api(user), path)
        assert r.status_code == 403 and r.json()["detail"] == "您没有导入党员的权限", user
    # a secretary manages members but not organizations
    org_file = tmp_path / "o.csv"
    org_file.write_text("党组织编码,党组织名称,上级党组织编码,党组织类别,所属领域\nX1,某支部,CA1,党支部,农村\n", encoding="utf-8")
    assert post_file(api(cast.secretary1), org_file, kind="orgs").status_code == 403
    assert post_file(api(), path).status_code == 401
    assert not ImportJob.objects.exists()


def test_upload_fields_are_checked(cast, tmp_path):
    c = api(cast.secretary1)
    bad = tmp_path / "roster.pdf"
    bad.write_text("x", encoding="utf-8")
    r = post_file(c, bad)
    assert r.status_code == 400 and "不是表格" in r.json()["file"][0] and "另存为 .xlsx" in r.json()["file"][0]
    r = post_file(c, write_csv(tmp_path / "roster.abc", [member_row(seq=73)]))
    assert r.status_code == 400 and "请上传 .xlsx" in r.json()["file"][0]
    good = write_csv(tmp_path / "g.csv", [member_row(seq=73)])
    r = post_file(c, good, kind="dues")
    assert r.status_code == 400 and "kind" in r.json()
    # a default organization outside the scope, and one that is not a branch
    r = post_file(c, good, default_org="CA1B2")
    assert r.status_code == 400 and "无权" in r.json()["default_org"][0]
    r = post_file(api(cast.county_admin), good, default_org="CA1")
    assert r.status_code == 400 and "不是党支部" in r.json()["default_org"][0]
    assert not ImportJob.objects.exists()


def test_rows_without_an_organization_go_to_the_default_branch(cast, tmp_path):
    rows = [member_row("新党员", seq=75, org="")]
    r = post_file(api(cast.secretary1), write_csv(tmp_path / "d.csv", rows), default_org="CA1B1")
    assert r.status_code == 201 and r.json()["default_org"] == "CA1B1" and r.json()["counts"]["created"] == 1


def test_a_job_is_its_uploaders_only(cast, tmp_path):
    job = post_file(api(cast.secretary1), write_csv(tmp_path / "p.csv", [member_row(seq=77)])).json()
    other = api(cast.city_admin)  # even an admin above does not see someone else's upload
    for method, url in [("get", f"/api/v1/imports/{job['id']}/"), ("get", f"/api/v1/imports/{job['id']}/rows/"),
                        ("get", f"/api/v1/imports/{job['id']}/result/"),
                        ("post", f"/api/v1/imports/{job['id']}/confirm/")]:
        assert getattr(other, method)(url).status_code == 404, url
    assert other.get("/api/v1/imports/").json()["count"] == 0
    mine = api(cast.secretary1).get("/api/v1/imports/").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == job["id"] and "errors" not in mine["results"][0]
    assert not Member.objects.filter(id_number=ident(seq=77)).exists()


def test_large_files_are_queued_and_polled(cast, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.DANGJIAN_IMPORT_SYNC_MAX_ROWS = 2
    c = api(cast.secretary1)
    path = write_csv(tmp_path / "big.csv", [member_row(f"党员{i}", seq=101 + i * 2) for i in range(3)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = post_file(c, path)
    assert r.status_code == 201 and r.json()["status"] == "queued" and len(callbacks) == 1
    for cb in callbacks:
        cb()  # the worker picks the task up (immediate backend in tests)
    job = c.get(f"/api/v1/imports/{r.json()['id']}/").json()
    assert job["status"] == "previewed" and job["progress"] == 100 and job["counts"]["created"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert r.status_code == 200
    assert c.get(f"/api/v1/imports/{job['id']}/").json()["status"] == "done"
    assert Member.objects.filter(name__startswith="党员").count() == 3


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_is_the_filtered_list_masked_by_scope_and_logged(cast):
    r = api(cast.viewer).get("/api/v1/members/export/", {"format": "csv", "org": "CA1B1", "category": "full"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = read_csv(r)
    assert rows[0] == MEMBER_HEADER
    assert [row[0] for row in rows[1:]] == ["张伟"]  # the probationary 李娜 is filtered out
    assert rows[1][3] != cast.m1.id_number and rows[1][3].endswith(cast.m1.id_number[-4:])  # viewer: masked
    event = Event.objects.filter(verb="member.export").latest("id")
    assert event.actor == cast.viewer and event.detail["source"] == "api" and event.detail["rows"] == 1
    assert event.detail["filter"] == {"org": "CA1B1", "category": "full"} and event.detail["masked"] == 1

    # a secretary exports their branch with full numbers, as .xlsx
    r = api(cast.secretary1).get("/api/v1/members/export/")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(0)
    got = {row[3] for row in sheet.to_python()[1:]}
    assert got == {cast.m1.id_number, cast.m2.id_number}  # b1 only: the secretary's scope


def test_export_refuses_bad_requests_and_other_scopes(cast):
    c = api(cast.secretary1)
    r = c.get("/api/v1/members/export/", {"format": "pdf"})
    assert r.status_code == 400 and "xlsx 或 csv" in r.json()["detail"]
    r = c.get("/api/v1/members/export/", {"format": "csv", "org": "CB01"})  # another district's branch
    assert r.status_code in (400, 404)
    assert api().get("/api/v1/members/export/").status_code == 401
    r = api(cast.member_user).get("/api/v1/members/export/", {"format": "csv"})
    assert r.status_code == 200 and [row[0] for row in read_csv(r)[1:]] == ["张伟"]  # only one's own record
