"""Every write to the organization tree goes through here."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Concat, Substr
from treebeard.exceptions import InvalidMoveToDescendant

from dangjian.core import audit
from dangjian.core import phone as phones
from dangjian.rules import terms as term_rules

from .models import BRANCH_TYPES, CommitteeMember, Org, Term

ORG_FIELDS = ["code", "name", "org_type", "domain", "founded_on", "unit_name", "unit_credit_code",
              "contact_person", "contact_phone", "address"]


def _check(data: dict, *, parent: Org | None, instance: Org | None = None) -> None:
    errors = {}
    code = (data.get("code") or "").strip()
    if not code:
        errors["code"] = "请填写党组织编码"
    else:
        clash = Org.objects.filter(code=code)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["code"] = f"党组织编码“{code}”已被使用"
    if not (data.get("name") or "").strip():
        errors["name"] = "请填写党组织名称"
    if parent is not None and parent.org_type in BRANCH_TYPES:
        errors["parent"] = f"“{parent.name}”是{parent.get_org_type_display()}，不能设下级党组织"
    if instance is not None and data.get("org_type") not in BRANCH_TYPES and instance.org_type in BRANCH_TYPES:
        if instance.members.exists():
            errors["org_type"] = "该支部还有党员，不能改为非支部类别"
    if instance is not None and data.get("org_type") in BRANCH_TYPES and instance.numchild:
        errors["org_type"] = "该组织有下级党组织，不能改为支部类别"
    kept = instance.contact_phone if instance is not None else None
    if (message := phones.new_problem(data.get("contact_phone") or "", kept)) is not None:
        errors["contact_phone"] = message  # as a member's phone
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_org(data: dict, *, parent: Org | None, by=None, source: str = "form") -> Org:
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in ORG_FIELDS}
    _check(data, parent=parent)
    org = Org(**data)
    if by is not None:  # the version's user, without a request too (an import in the background, the CLI)
        org._history_user = by
    if parent is None:
        org = Org.objects.add_root(instance=org)
    else:
        parent = Org.objects.get(pk=parent.pk)  # fresh numchild/path
        org = Org.objects.add_child(parent, instance=org)
    audit.record("org.create", actor=by, obj=org, detail={"source": source, "parent": parent.code if parent else None})
    return org


@transaction.atomic
def update_org(org: Org, data: dict, *, by=None, source: str = "form") -> list[str]:
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in ORG_FIELDS}
    merged = {f: getattr(org, f) for f in ORG_FIELDS} | data
    _check(merged, parent=org.parent_org(), instance=org)
    changed = [f for f in ORG_FIELDS if merged[f] != getattr(org, f)]
    if changed:
        old_code = org.code
        for f in changed:
            setattr(org, f, merged[f])
        org._change_reason = source
        if by is not None:
            org._history_user = by
        # Only the edited fields: a caller's instance may hold stale tree fields (numchild, path)
        # or member counters, which a full save would write back over the current ones.
        org.save(update_fields=[*changed, "updated_at"])
        audit.record("org.update", actor=by, obj=org, detail={"fields": changed, "source": source})
        _public_pages(org, changed, old_code=old_code)
    return changed


def _public_pages(org: Org, fields=None, *, old_code: str = "") -> None:
    """The public disclosure pages (/gk/) show the organization's code and name and its parent's name: renew the
    server-cached ones on commit (disclosure.public_cache) instead of letting them expire. `fields`: what was edited
    (None: the pages changed anyway, e.g. a move)."""
    from dangjian.disclosure import public_cache

    public_cache.org_changed(org, fields, old_code=old_code)


def path_copying_models() -> list:
    """Every live model that stores a copy of an org path in `org_path` (so a subtree is one range scan).

    Excluded: simple-history versions and the audit log, which record the path as it was at the time.
    """
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    from dangjian.core.models import Event

    out = []
    for model in apps.get_models():
        if model is Event or issubclass(model, HistoricalChanges) or not model._meta.managed:
            continue
        if any(f.name == "org_path" for f in model._meta.concrete_fields):
            out.append(model)
    return out


@transaction.atomic
def move_org(org: Org, new_parent: Org, *, by=None, reason: str = "") -> Org:
    """隶属关系调整: move `org` with its whole subtree under `new_parent`.

    Paths of the subtree and of its members are rewritten by set-based UPDATEs; members, terms and
    history stay attached to the same rows.
    """
    org = Org.objects.get(pk=org.pk)
    new_parent = Org.objects.get(pk=new_parent.pk)
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError({"parent": "不能把党组织移到它自己或它的下级之下"})
    if new_parent.org_type in BRANCH_TYPES:
        raise ValidationError({"parent": f"“{new_parent.name}”是{new_parent.get_org_type_display()}，不能设下级党组织"})
    old_parent = org.parent_org()
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise ValidationError({"parent": "新的上级党组织与原上级相同"})
    old_path = org.path
    full, prob = org.subtree_full, org.subtree_probationary
    old_ancestors = org.ancestor_paths()[:-1]
    try:
        Org.objects.move(org, new_parent, pos="sorted-child")
    except InvalidMoveToDescendant:
        raise ValidationError({"parent": "不能把党组织移到它自己的下级之下"}) from None
    org = Org.objects.get(pk=org.pk)
    new_path = org.path
    # Members (and meetings, payments, disclosure items...) keep a copy of their org's path: rewrite the
    # prefix in one statement per table.
    for model in path_copying_models():
        model._base_manager.filter(org_path__startswith=old_path).update(
            org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
        )
    Org.objects.filter(path__in=old_ancestors).update(
        subtree_full=F("subtree_full") - full, subtree_probationary=F("subtree_probationary") - prob
    )
    Org.objects.filter(path__in=org.ancestor_paths()[:-1]).update(
        subtree_full=F("subtree_full") + full, subtree_probationary=F("subtree_probationary") + prob
    )
    org._change_reason = f"隶属关系调整：{old_parent.name if old_parent else '（无）'} → {new_parent.name}"
    org.save()
    audit.record("org.move", actor=by, obj=org, detail={
        "from": old_parent.code if old_parent else None, "to": new_parent.code, "reason": reason,
        "old_path": old_path, "new_path": new_path,
    })
    _public_pages(org)  # its pages name the new parent (its children's pages name it, unchanged)
    return org


@transaction.atomic
def delete_org(org: Org, *, by=None) -> None:
    from dangjian.members.models import Member

    org = Org.objects.get(pk=org.pk)
    if org.numchild:
        raise ValidationError(f"“{org.name}”还有{org.numchild}个下级党组织，请先移走或撤销下级组织")
    n = Member.objects.filter(org=org).count()
    if n:
        raise ValidationError(f"“{org.name}”还有{n}名党员（含已离开的党员档案），不能撤销；请先转移党员组织关系")
    audit.record("org.delete", actor=by, obj=org, detail={"code": org.code, "name": org.name})
    _public_pages(org)  # no page of the code stays served, even if a new organization takes it
    org.delete()


@transaction.atomic
def add_term(org: Org, *, elected_on, years: int | None = None, number: int | None = None, note: str = "", by=None) -> Term:
    if years is None:
        years = term_rules.default_term_years(org.org_type, org.domain)
    if number is None:
        last = org.terms.order_by("-elected_on").first()
        number = (last.number or 0) + 1 if last else 1
    if org.terms.filter(elected_on__gte=elected_on).exists():
        raise ValidationError({"elected_on": "换届日期应晚于上一届的换届日期"})
    term = Term.objects.create(org=org, elected_on=elected_on, years=years, number=number, note=note)
    audit.record("org.term", actor=by, obj=org, detail={"number": number, "elected_on": str(elected_on), "years": years})
    return term


@transaction.atomic
def add_committee_member(term: Term, *, name: str, position: str, started_on, duty: str = "", member=None, by=None) -> CommitteeMember:
    if started_on < term.elected_on:
        raise ValidationError({"started_on": f"任职日期不能早于本届换届日期（{term.elected_on:%Y-%m-%d}）"})
    cm = CommitteeMember.objects.create(term=term, name=name, position=position, started_on=started_on, duty=duty, member=member)
    audit.record("org.committee", actor=by, obj=term.org, detail={"name": name, "position": cm.get_position_display()})
    return cm


@transaction.atomic
def end_committee_service(cm: CommitteeMember, *, ended_on, by=None) -> None:
    if ended_on < cm.started_on:
        raise ValidationError({"ended_on": "离任日期不能早于任职日期"})
    cm.ended_on = ended_on
    cm.save()
    audit.record("org.committee_end", actor=by, obj=cm.term.org, detail={"name": cm.name, "ended_on": str(ended_on)})


def rebuild_counts() -> None:
    """Recompute every member counter from the members table, set-based.

    Direct counts: one GROUP BY org. Subtree counts: for each depth, one UPDATE summing the direct
    counts of the organizations whose path starts with the node's path.
    """
    from dangjian.members.models import Member

    with transaction.atomic():
        Org.objects.update(direct_full=0, direct_probationary=0, subtree_full=0, subtree_probationary=0)
        rows = (Member.objects.filter(status="normal").values("org_id")
                .annotate(full=Count("id", filter=Q(category="full")), prob=Count("id", filter=Q(category="probationary"))))
        by_org = {r["org_id"]: (r["full"], r["prob"]) for r in rows}
        objs = []
        for pk, (full, prob) in by_org.items():
            objs.append(Org(pk=pk, direct_full=full, direct_probationary=prob))
        Org.objects.bulk_update(objs, ["direct_full", "direct_probationary"], batch_size=2000)
        t = Org._meta.db_table
        with connection.cursor() as cur:
            # No parameters are passed, so '%' is a literal LIKE wildcard on every backend.
            cur.execute(
                f"UPDATE {t} SET subtree_full = (SELECT COALESCE(SUM(d.direct_full), 0) FROM {t} d "
                f"WHERE d.path LIKE ({t}.path || '%')), "
                f"subtree_probationary = (SELECT COALESCE(SUM(d.direct_probationary), 0) FROM {t} d "
                f"WHERE d.path LIKE ({t}.path || '%'))"
            )
