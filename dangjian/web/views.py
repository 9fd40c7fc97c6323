from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.scope import scope_for
from dangjian.dues import queries as dues_queries
from dangjian.members.models import Member
from dangjian.orglife import queries as orglife_queries
from dangjian.orgs import queries as org_queries

from .todo import todo_items


@login_required
def home(request):
    """The dashboard: the user's grant roots with their counts, then what needs attention in scope."""
    user = request.user
    scope = scope_for(user)
    manages = scope.everything or bool(scope.prefixes("view"))
    roots, warnings = [], None
    if manages:
        roots = list(org_queries.scope_roots(user, "view").order_by("path"))
        branches = org_queries.branch_counts(roots)
        for r in roots:
            r.branch_count = branches[r.pk]
        warnings = org_queries.warnings(user, timezone.localdate())
        places = org_queries.path_names(user, [w.org for w in warnings.terms] + warnings.vacant)
        for o in [w.org for w in warnings.terms] + warnings.vacant:
            o.path_names = places[o.pk]
            # A secretary or a viewer cannot record terms: tell them who does.
            o.can_change = scope.covers(o.path, "change_org")
    todo = todo_items(user, timezone.localdate(), members_in_scope=sum(r.subtree_total for r in roots),
                      can_view=manages)
    own = []
    if scope.self_members:
        own = list(Member.objects.restrict(user, "view").filter(user=user).select_related("org"))
        today = timezone.localdate()
        for m in own:  # a member's phone: this year's dues and meetings, today's check-in, the next filed meetings
            m.dues_year = dues_queries.member_year(m, today.year, today)
            m.life_year = orglife_queries.my_year(user, m, today.year)
            m.todays = orglife_queries.todays_checkins(user, m)
            m.coming = orglife_queries.coming_filings(user, m)
    return render(request, "web/home.html", {
        "manages": manages, "roots": roots, "warnings": warnings, "own": own, "todo": todo,
        "can_change_org": scope.everything or bool(scope.prefixes("change_org")),
    })
