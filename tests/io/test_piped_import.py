"""On PostgreSQL outside any transaction the import checks and writes at once (`members_import._Pipe`): a
writer thread with its own connection writes the chunks already checked inside one transaction, which
commits only when the whole file checked clean. These tests run with committed data (transaction=True),
as the command line and the background job do, and check that the overlap changes nothing a user sees:
every invalid row reported, nothing written when one is invalid, a failed write rolled back, a killed
import leaving the database as it was."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import IntegrityError, connection

from dangjian.core.models import Event
from dangjian.io import members_import
from dangjian.io.members_import import import_members
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from tests.io.helpers import existing_row, import_many_chunks, member_row, run, write_csv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chunk_of_two(monkeypatch):
    monkeypatch.setattr(members_import, "CHUNK", 2)


@pytest.fixture
def writes(monkeypatch):
    """The chunks the writer wrote, and on which thread."""
    seen = []
    copy = members_import._CopyWriter.copy

    def spy(self, members_text, history_text):
        seen.append((threading.current_thread().name, members_text.count("\n")))
        return copy(self, members_text, history_text)

    monkeypatch.setattr(members_import._CopyWriter, "copy", spy)
    return seen


def _writer_threads():
    return [t for t in threading.enumerate() if t.name == "dangjian-import-writer"]


def test_the_lookup_array_literal_round_trips(db):
    texts = ["110105194912310021", "a1", 'x"y', "b\\c", "d,e", "{f}", " g ", "NULL", "null", "", "中文", "\t"]
    with connection.cursor() as cur:
        cur.execute("SELECT %s::varchar[]", [members_import._array_literal(texts)])
        assert cur.fetchone()[0] == texts


def test_a_file_of_many_chunks_is_written_by_the_writer_thread_in_one_transaction(cast, tmp_path, chunk_of_two,
                                                                                   writes):
    assert not connection.in_atomic_block
    rows = import_many_chunks(cast, tmp_path)
    assert [name for name, _ in writes] == ["dangjian-import-writer"] * 3 and sum(n for _, n in writes) == 5
    b1 = Org.objects.get(code="CA1B1")
    assert Org.objects.get(code="CA").subtree_full == Member.objects.filter(
        org_path__startswith=b1.path[:8], category="full", status="normal").count()
    assert Event.objects.filter(verb="member.import").count() == 1
    assert not _writer_threads()
    # and again: nothing changes; no writer is started for a file with nothing to write
    writes.clear()
    assert run("import_members", str(write_csv(tmp_path / "w.csv", rows))) == (
        0, {"created": 0, "updated": 0, "unchanged": 6})
    assert writes == [] and Member.objects.count() == 9 and Event.objects.filter(verb="member.import").count() == 2


def test_an_invalid_row_after_chunks_were_written_rolls_them_back(cast, tmp_path, chunk_of_two, writes):
    before = Org.objects.get(code="CA1B1").direct_full
    rows = [member_row(f"党员{i}", seq=201 + 2 * i) for i in range(5)]
    rows += [member_row("错", seq=299, gender="女"), member_row("又错", seq=297, org="NOPE")]
    status, out = run("import_members", str(write_csv(tmp_path / "a.csv", rows)))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(7, "性别"), (8, "所在党组织编码")]
    assert writes  # the first chunks did reach the writer before the bad rows were read
    assert Member.objects.count() == 4 and not Member.history.filter(history_change_reason="导入：a.csv").exists()
    assert Org.objects.get(code="CA1B1").direct_full == before
    assert not Event.objects.filter(verb="member.import").exists()
    assert not _writer_threads()


def test_a_failed_write_rolls_back_and_says_to_import_again(cast, tmp_path, chunk_of_two, monkeypatch):
    copy = members_import._CopyWriter.copy
    calls = []

    def fail_on_the_second_chunk(self, *texts):
        calls.append(1)
        if len(calls) == 2:  # as when someone registers one of these people while the import runs
            raise IntegrityError("duplicate key value violates unique constraint \"member_active_id_unique\"")
        return copy(self, *texts)

    monkeypatch.setattr(members_import._CopyWriter, "copy", fail_on_the_second_chunk)
    rows = [member_row(f"党员{i}", seq=401 + 2 * i) for i in range(9)]  # five chunks: the check goes on after
    status, out = run("import_members", str(write_csv(tmp_path / "f.csv", rows)))
    assert status == 1 and out["errors"][0]["message"] == members_import.MESSAGE_CONFLICT
    assert len(calls) == 2  # nothing more was written after the failure
    assert Member.objects.count() == 4 and not Event.objects.filter(verb="member.import").exists()
    assert not _writer_threads()


def test_an_error_while_checking_rolls_the_writer_back(cast, tmp_path, chunk_of_two, writes, monkeypatch):
    quick = members_import._Checker.quick  # what checks the common row

    def break_on_row_six(self, number, *args):
        if number == 6:
            raise RuntimeError("disk gone")
        return quick(self, number, *args)

    monkeypatch.setattr(members_import._Checker, "quick", break_on_row_six)
    path = write_csv(tmp_path / "e.csv", [member_row(f"党员{i}", seq=501 + 2 * i) for i in range(7)])
    with pytest.raises(RuntimeError):
        import_members(path, keep_rows=False)
    assert writes and Member.objects.count() == 4 and not _writer_threads()


def test_a_killed_import_leaves_the_database_as_it_was(cast, tmp_path):
    """`kill -9` of `dangjian import_members` while its writer is COPYing: PostgreSQL ends the open
    transaction with the connection, so no member of the file is there."""
    # large enough that the writer's transaction stays open for a while even on a fast machine
    rows = [member_row(f"党员{i}", seq=1 + 2 * (i % 500), birth=dt.date(1950 + i // 6000, 1 + i // 500 % 12, 7))
            for i in range(40_000)]
    path = write_csv(tmp_path / "k.csv", rows)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dangjian.settings", "DANGJIAN_DEBUG": "0"}
    env.pop("DANGJIAN_TESTING", None)
    proc = subprocess.Popen([sys.executable, "-m", "django", "import_members", str(path), "--format", "json"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    copying = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")
                copying = cur.fetchone()[0] > 0  # a connection holding a transaction that has written
            if copying:
                break
            time.sleep(0.02)
        assert copying and proc.poll() is None, proc.stderr.read().decode() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    deadline = time.monotonic() + 10
    with connection.cursor() as cur:
        while True:  # the server notices the lost connection and rolls back
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")
            if not cur.fetchone()[0] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert Member.objects.count() == 4
    assert not Member.history.filter(history_change_reason="导入：k.csv").exists()
    assert not Event.objects.filter(verb="member.import").exists()


def test_a_real_unique_violation_in_the_copy_is_the_conflict_message(cast, tmp_path, chunk_of_two,
                                                                   check_sees_no_members):
    """As when someone registers one of the file's people after the check looked them up: PostgreSQL
    refuses the COPY (a psycopg error, not Django's), and the import answers as for any conflict."""
    rows = [member_row(f"党员{i}", seq=601 + 2 * i) for i in range(3)]
    rows.append(existing_row(cast.m3, birth="", phone=""))  # the check does not see that m3 holds this number
    status, out = run("import_members", str(write_csv(tmp_path / "u.csv", rows)))
    assert status == 1 and out["errors"][0]["message"] == members_import.MESSAGE_CONFLICT
    assert Member.objects.count() == 4 and not Event.objects.filter(verb="member.import").exists()
    assert not _writer_threads()


def test_a_failure_at_the_commit_is_raised_not_waited_for(cast, tmp_path, chunk_of_two, monkeypatch):
    """The writer fails while handling the check's last message (the counters, the event or the COMMIT
    itself): the import raises that error instead of waiting for a message that will not come."""
    def broken_counters(*args):
        raise RuntimeError("counters")

    monkeypatch.setattr(members_import, "_apply_counts", broken_counters)
    path = write_csv(tmp_path / "c.csv", [member_row(f"党员{i}", seq=801 + 2 * i) for i in range(3)])
    outcome = {}

    def run_import():
        try:
            import_members(path, keep_rows=False)
        except RuntimeError as e:
            outcome["raised"] = str(e)

    t = threading.Thread(target=run_import)
    t.start()
    t.join(30)
    assert not t.is_alive(), "the import hung after the writer failed at the commit"
    assert outcome == {"raised": "counters"} and Member.objects.count() == 4 and not _writer_threads()


def test_the_lookahead_thread_changes_nothing_a_user_sees(cast, tmp_path, chunk_of_two, monkeypatch):
    """The next chunk's registered members are looked up on a thread of its own while this chunk is checked
    (`_Checker.start_lookahead`): with chunks of two, across two sheets, every outcome and message is as a plain
    check gives it (the other branch's member, a number repeated on the other sheet, a changed member)."""
    from tests.io.test_workbook_sheets import town

    looked_up = []
    existing = members_import._Checker._existing

    def spy(numbers):
        looked_up.append(threading.current_thread().name)
        return existing(numbers)

    monkeypatch.setattr(members_import._Checker, "_existing", staticmethod(spy))
    east = [member_row("甲", seq=611), existing_row(cast.m1, job="村医"), member_row("乙", seq=613),
            existing_row(cast.m3, org="CA1B1")]  # 王强 is 西村's: a transfer, not an import
    west = [member_row("丙", seq=615, org="CA1B2"), member_row("又甲", seq=611, org="CA1B2")]
    path = town(tmp_path / "t.xlsx", east, west)
    status, out = run("import_members", str(path))
    assert status == 1 and [(e["sheet"], e["row"], e["column"], e["message"][:8]) for e in out["errors"]] == [
        ("东村", 5, "公民身份号码", "该公民身份号码已"), ("西村", 4, "公民身份号码", "与工作表“东村”")]
    assert set(looked_up) == {"import-lookup_0"} and len(looked_up) == 3  # 东村 in two chunks, 西村 in one
    assert Member.objects.count() == 4 and not _lookup_threads()
    cast.m1.refresh_from_db()
    assert cast.m1.job != "村医"
    # the same file without its two faults: written, then unchanged
    path = town(tmp_path / "t.xlsx", east[:3], west[:1])
    assert run("import_members", str(path)) == (0, {"created": 3, "updated": 1, "unchanged": 0})
    assert run("import_members", str(path)) == (0, {"created": 0, "updated": 0, "unchanged": 4})
    cast.m1.refresh_from_db()
    assert cast.m1.job == "村医" and not _lookup_threads()


def _lookup_threads():
    return [t for t in threading.enumerate() if t.name.startswith("import-lookup")]
