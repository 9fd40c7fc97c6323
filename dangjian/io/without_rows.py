"""Branches a member file has no row of (本次文件中没有党员的党支部): what a town checks when its villages' files come
in — has every village sent its roster? Said on the preview page, in the API's job detail and in the result file."""

from __future__ import annotations

import os

from dangjian.orgs.models import BRANCH_TYPES, Org

from .models import ImportJob
from .named_branches import told_apart

MISSING_SHOWN = 20  # branches without rows named on the preview and in the API (the rest counted)
MISSING_LISTED = 1000  # listed in the result file
MISSING_COUNTED = 1000  # and counted up to (a province's file of two branches: not a count of every branch)


def branches_without_rows(job: ImportJob, user, *, shown: int | None = None) -> dict | None:
    """Of a member file whose rows go to several branches: the organization they all are under (their lowest common
    ancestor), and the branches under it, in the user's scope, that the file has no row of. None for an org file
    or when the rows go to one branch. `shown`: how many are named (MISSING_SHOWN), in tree order; they are
    counted up to MISSING_COUNTED (`more` beyond). Three queries: the file's branches' paths, their ancestor, the
    others (by the path prefix)."""
    if job.kind != ImportJob.Kind.MEMBERS or not job.several_branches:
        return None
    shown = MISSING_SHOWN if shown is None else shown
    codes = list(job.branch_names)
    paths = list(Org.objects.filter(code__in=codes).values_list("path", flat=True))
    common = os.path.commonprefix(paths)
    common = common[:len(common) // Org.steplen * Org.steplen]
    # (one the user can see: under two towns of two grants, their county is not said)
    parent = Org.objects.restrict(user, "view").filter(path=common).only("code", "name").first() if common else None
    if parent is None:
        return None
    others = (Org.objects.restrict(user, "view").filter(path__startswith=common, org_type__in=BRANCH_TYPES)
              .exclude(code__in=codes).order_by("path"))
    named = list(others.values_list("code", "name")[:shown + 1])
    count = len(named) if len(named) <= shown else others[:MISSING_COUNTED + 1].count()
    missing = {"parent": parent, "shown": named[:shown], "count": min(count, MISSING_COUNTED),
               "more": count > MISSING_COUNTED}
    return {**missing, "text": as_text(missing, told_apart(missing["shown"]))}


def as_text(missing: dict, labels: dict[str, str] | None = None) -> str:
    """What the preview page, the API and the result file say of them; `labels` tell apart branches called alike
    (`named_branches.told_apart`)."""
    parent = missing["parent"].name
    if not missing["count"]:
        return f"{parent}下的党支部在本次文件中都有党员。"
    names = "、".join((labels or {}).get(code, name) for code, name in missing["shown"])
    etc = "等" if missing["count"] > len(missing["shown"]) else ""
    return (f"{parent}下还有 {missing['count']}{'多' if missing['more'] else ''} 个党支部在本次文件中没有党员："
            f"{names}{etc}。")
