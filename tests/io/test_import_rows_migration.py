"""io migrations 0003–0004: the previews stored as a JSON list on the job move into ImportRow (and back); the
error and outcome counts are filled in."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
OLD, NEW = [("io", "0002_importjob_progress")], [("io", "0004_remove_importjob_rows")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_stored_previews_move_into_the_table_and_back(cast):
    apps = _migrate(OLD)
    Job = apps.get_model("io", "ImportJob")
    rows = [[2, "create", "张三（1101**********0011）", [], []],
            [3, "update", "李四（1101**********0022）", [["工作岗位", "村民", "教师"]], []],
            [4, "error", "王五", [], ["入党日期：不能晚于今天"]]]
    job = Job.objects.create(user_id=cast.secretary1.pk, kind="members", file_name="a.csv", status="previewed",
                             rows=rows)
    empty = Job.objects.create(user_id=cast.secretary1.pk, kind="members", file_name="b.csv", status="invalid",
                               errors=[{"row": 1, "column": "", "value": "b.csv", "message": "无法读取"}] * 2)

    apps = _migrate(NEW)
    Job, Row = apps.get_model("io", "ImportJob"), apps.get_model("io", "ImportRow")
    assert [[r.row, r.kind, r.label, r.changes, r.errors] for r in Row.objects.filter(job_id=job.pk).order_by("id")
            ] == rows
    assert Job.objects.get(pk=job.pk).outcome_counts == {"create": 1, "update": 1, "error": 1}
    assert Job.objects.get(pk=empty.pk).outcome_counts == {} and not Row.objects.filter(job_id=empty.pk).exists()
    assert (Job.objects.get(pk=job.pk).error_count, Job.objects.get(pk=empty.pk).error_count) == (0, 2)

    apps = _migrate(OLD)
    assert apps.get_model("io", "ImportJob").objects.get(pk=job.pk).rows == rows
    _migrate(NEW)
