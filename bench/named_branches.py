"""Rosters placed by their file names (issue 3): a county's .zip of its towns' folders of village rosters with no
organization column, as a county office bundles what its towns sent (中共X县委员会.zip: X镇党委/东村党支部.xlsx).

The generated tree calls a village's branch just 东村党支部 under its town, as many real trees do, and two towns of
a county may each have one: each file is placed by `named_branches.branches_named` from its short name and its
town's folder. Measured as the city admin over the median county's village branches (every one must land in its
own branch), against the hand-written lookup of the branches ending with those names in the city's subtree.
Called by bench.run; results in bench/results/named_branches_county_zip.json.
"""

from __future__ import annotations

from bench.run import measure, raw


def run(bench, runs: int) -> list[dict]:
    from dangjian.io.named_branches import branches_named, sheet_texts
    from dangjian.orgs.models import Org

    county = bench.county
    towns = {o.path: o for o in Org.objects.filter(path__startswith=county.path, depth=county.depth + 1)}
    villages = list(Org.objects.filter(path__startswith=county.path, depth=county.depth + 2, org_type="branch")
                    .order_by("path"))
    villages = [v for v in villages if v.path[:-Org.steplen] in towns]
    zip_name = f"{county.name}.zip"
    expected = {f"{towns[v.path[:-Org.steplen]].name}/{v.name}.xlsx": v.code for v in villages}
    texts = {sheet: sheet_texts(sheet, "", zip_name) for sheet in expected}
    alike = len(villages) - len({v.name for v in villages})

    def place():
        return branches_named(texts, bench.fresh(bench.city_admin))

    got = {sheet: code for sheet, (code, _name) in place().items()}
    wrong = sum(got.get(sheet) not in (None, code) for sheet, code in expected.items())
    assert not wrong, f"{wrong} files placed in another branch"
    shorts = sorted({v.name for v in villages})
    lengths = sorted({len(s) for s in shorts})
    sql = ("SELECT code, name, path FROM orgs_org WHERE org_type IN ('branch', 'joint_branch', 'temp_branch') "
           "AND path LIKE %s AND (" + " OR ".join(f"RIGHT(name, {n}) = ANY(%s)" for n in lengths) + ") ORDER BY path")
    params = [bench.city.path + "%", *[[s for s in shorts if len(s) == n] for n in lengths]]
    runs = min(runs, 10)
    print("  named_branches_county_zip …", flush=True)
    figure = measure(place, runs, warmup=1)
    base = measure(raw(sql, params), runs, warmup=1)
    return [{
        "name": "named_branches_county_zip",
        "figure_ms": figure,
        "baseline": {**base, "what": "hand-written SQL: the branches of the city ending with the files' names, "
                                     "RIGHT(name, n) = ANY(…) per length"},
        "ratio": round(figure["median"] / base["median"], 2) if base["median"] else None,
        "target_ms": None,
        "pass": None,
        "note": f"{county.name}: {len(villages)} village rosters in {len(towns)} towns' folders "
                f"({alike} names another village of the county has too), placed by branches_named as the city "
                f"admin: full names, the short names' branches, their superiors, the folders' places; "
                f"{len(got)} placed in their own branch, {len(villages) - len(got)} not placed",
        "files": len(villages),
        "placed": len(got),
    }]
