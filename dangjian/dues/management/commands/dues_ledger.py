"""`dangjian dues_ledger [--month 2025-07 | --from 2025-01 --to 2025-07] [--org CODE] [--format json]`
`dangjian dues_ledger --rebuild-totals [--from 2025-01 --to 2025-07]`
`dangjian dues_ledger --arrears-only`


Generates the monthly 应交 ledger set-based (one INSERT … SELECT per month) for everyone under the
organization, or everyone. Idempotent: run it monthly (a job), or again after a mass change of bases.
`--rebuild-totals` recomputes the per-organization monthly totals the reports read (dues.totals) from the
ledger and the payments, e.g. after rows were loaded by hand.

A run for everyone (no --org) then recomputes the arrears list (dues.arrears.snapshot) through the latest
ledger month, in its own transaction after the ledger's; `--arrears-only` does only that. Payments and
corrections keep the list exact between runs.
It also creates the missing yearly partitions first (`dangjian partitions`), so monthly runs keep them ahead.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core import partitions
from dangjian.dues import actions
from dangjian.dues.months import label, month_range, parse_month
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "生成党费应交台账（按月，集合式 SQL）"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="月份，如 2025-07（默认本月）")
        parser.add_argument("--from", dest="start", help="起始月份")
        parser.add_argument("--to", dest="end", help="截止月份")
        parser.add_argument("--org", help="党组织编码（默认全部）")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--rebuild-totals", action="store_true", help="重算报表所用的党费月度汇总")
        parser.add_argument("--arrears-only", action="store_true", help="只重算欠交党员名单")

    def handle(self, *args, month=None, start=None, end=None, org=None, format="text", rebuild_totals=False,
               arrears_only=False, **opts):
        if rebuild_totals:
            return self._rebuild(start, end, format)
        if arrears_only:
            return self._arrears(format, {})
        try:
            if start or end:
                months = month_range(parse_month(start or end), parse_month(end or start))
            else:
                months = [parse_month(month or timezone.localdate())]
        except ValueError as e:
            raise CommandError(str(e)) from None
        target = None
        if org:
            target = Org.objects.filter(code=org).first()
            if target is None:
                raise CommandError(f"没有编码为“{org}”的党组织")
        # The monthly run keeps the yearly partitions ahead of the calendar (PostgreSQL; see core.partitions),
        # and a run over past years gets theirs instead of filling the DEFAULT partition.
        partitions.ensure(years={m.year for m in months})
        results = []
        for m in months:
            t0 = time.monotonic()
            n = actions.generate_ledger_for_month(m, org=target)
            results.append({"month": m.strftime("%Y-%m"), "rows": n, "seconds": round(time.monotonic() - t0, 3)})
        if target is None:
            return self._arrears(format, {"org": org, "months": results})
        if format == "json":
            self.stdout.write(json.dumps({"org": org, "months": results}, ensure_ascii=False))
        else:
            self._say_months(results)

    def _say_months(self, results):
        for r in results:
            self.stdout.write(f"{label(parse_month(r['month']))}：{r['rows']} 条（{r['seconds']} 秒）")

    def _arrears(self, format, out):
        from dangjian.core import audit
        from dangjian.dues import arrears

        t0 = time.monotonic()
        n = arrears.snapshot()
        mark = arrears.current_mark()
        seconds = round(time.monotonic() - t0, 3)
        audit.record("dues.arrears.snapshot", detail={"through": mark.month.isoformat() if mark else None,
                                                      "members": n})
        out["arrears"] = {"through": mark.month.strftime("%Y-%m") if mark else None, "members": n,
                          "seconds": seconds}
        if format == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self._say_months(out.get("months", []))
        if mark is None:
            self.stdout.write("欠交党员名单：尚无应交台账")
        else:
            self.stdout.write(f"欠交党员名单：截至{label(mark.month)}，{n} 人（{seconds} 秒）")

    def _rebuild(self, start, end, format):
        from django.db import transaction

        from dangjian.core import audit
        from dangjian.dues import totals

        try:
            first = parse_month(start) if start else None
            last = parse_month(end) if end else None
        except ValueError as e:
            raise CommandError(str(e)) from None
        t0 = time.monotonic()
        with transaction.atomic():
            n = totals.rebuild(first, last)
            audit.record("dues.totals.rebuild", detail={"from": start, "to": end, "cells": n})
        seconds = round(time.monotonic() - t0, 3)
        if format == "json":
            self.stdout.write(json.dumps({"cells": n, "seconds": seconds}))
        else:
            self.stdout.write(f"党费月度汇总：{n} 条（{seconds} 秒）")
