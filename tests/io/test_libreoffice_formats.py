"""Rosters saved by another office suite as .xls (Excel 97–2003, which many branches' old machines still write) and
.ods: LibreOffice converts a roster (real dates, a minority name with the wrong dot) and the import reads it. Run
where LibreOffice is installed (apt install libreoffice-calc-nogui); skipped elsewhere."""

import shutil
import subprocess

import pytest

from dangjian.io.members_import import import_members
from dangjian.members.models import Member
from tests.io.helpers import member_row, write_xlsx

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")]


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_saved_by_libreoffice_import(tree, tmp_path, fmt):
    rows = [member_row("甲", seq=11), member_row("乙", seq=13, category="预备党员", confirmed=""),
            member_row("阿依古丽•买买提", seq=15)]
    source = write_xlsx(tmp_path / "roster.xlsx", rows)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", fmt,
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    result = import_members(tmp_path / f"roster.{fmt}", dry_run=False)
    assert result.ok, result.errors
    assert sorted(Member.objects.values_list("name", "category")) == [
        ("乙", "probationary"), ("甲", "full"), ("阿依古丽·买买提", "full")]
    assert str(Member.objects.get(name="甲").joined_on) == "2012-07-01"


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_join_date_shown_to_the_month_must_name_the_day(tree, tmp_path, fmt):
    """An .xls and an .ods keep their number formats too (read by xlrd and by dangjian.io.ods; calamine gives
    none): a 入党日期 on the 1st under yyyy"年"m"月" is the row's error, as in an .xlsx; the 15th under the same
    format is a date."""
    import datetime as dt

    from tests.io.helpers import Formatted

    month = 'yyyy"年"m"月"'
    rows = [member_row("甲", seq=11, joined=Formatted(dt.date(2012, 7, 1), month)),
            member_row("乙", seq=13, joined=Formatted(dt.date(2012, 7, 15), month))]
    source = write_xlsx(tmp_path / "roster.xlsx", rows)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", fmt,
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    result = import_members(tmp_path / f"roster.{fmt}", dry_run=True)
    assert [(e["row"], e["column"], e["value"]) for e in result.errors] == [(2, "入党日期", "2012年7月")]
