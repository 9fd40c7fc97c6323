"""党内统计 of a county and of the whole province (the root): `reports.queries.member_table` as the page and the API
draw it, every column of the five tables by direct child, against one hand-written pass over the same members
(`count(*)` over the org_path prefix) — the floor of any table that reads each member once. Today's figures only:
gen_scale writes no history rows, so a past reference date would count nothing here. Called by bench.run; results
in bench/results/reports_members_county.json and reports_members_province.json.
"""

from __future__ import annotations

from bench.run import measure, raw

COUNT_SQL = "SELECT count(*) FROM members_member WHERE org_path LIKE %s AND status = 'normal'"


def run(bench, runs: int) -> list[dict]:
    from dangjian.reports.queries import member_table

    out = []
    for name, user, org, n in (("reports_members_county", bench.city_admin, bench.county, runs),
                               ("reports_members_province", bench.province_admin, bench.root, min(runs, 5))):
        def table(user=user, org=org):
            return member_table(bench.fresh(user), org)

        t = table()
        assert t.total["total"] == org.subtree_total, "the table disagrees with the counters"
        print(f"  {name} …", flush=True)
        figure = measure(table, n, warmup=1)
        base = measure(raw(COUNT_SQL, [org.path + "%"]), n, warmup=1)
        out.append({
            "name": name,
            "figure_ms": figure,
            "baseline": {**base, "what": "hand-written SQL, one pass over the subtree's members: " + COUNT_SQL},
            "ratio": round(figure["median"] / base["median"], 2) if base["median"] else None,
            "target_ms": None,
            "pass": None,
            "note": f"{org.name}（{t.total['total']}名党员，{t.org_total}个党组织，{len(t.rows)}行）: member_table as "
                    "the admin over it, two grouped statements (members with 35 filtered counts, organizations with 4) "
                    "and the children's names",
            "rows": len(t.rows),
        })
    return out
