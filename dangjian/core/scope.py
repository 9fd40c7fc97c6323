"""The one scope check: `restrict(user, action)`.

A grant (user, role, org) reaches the whole subtree of org. For a query this becomes one SQL
predicate: a path-prefix range on the organization path (orgs) or on the copy of it each member
carries (members), OR `member.user = me` for the `member` role. Everything a user can reach starts
here; outside the scope things answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

# What each role may do inside its subtree.
#   view            see records (masked ID/phone)
#   view_sensitive  see full ID and phone numbers on a member's page (logged)
#   change_member   add and edit members, their status
#   change_org      create, edit, move and delete organizations, committees, terms
#   grant           give other users roles
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"view", "view_sensitive", "change_member", "change_org", "grant"}),
    "secretary": frozenset({"view", "view_sensitive", "change_member"}),
    "viewer": frozenset({"view"}),
    "member": frozenset(),  # only their own record, see Scope.self_member
}
ACTIONS = frozenset().union(*ROLE_ACTIONS.values())


@dataclass
class Scope:
    """The prefixes of the org paths a user may act on, per action, and the member-role self link."""

    paths: dict[str, list[str]] = field(default_factory=dict)
    everything: bool = False
    self_members: bool = False  # holds the member role: may see/update their own record

    def prefixes(self, action: str) -> list[str]:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return self.paths.get(action, [])

    def covers(self, path: str, action: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.prefixes(action))

    def path_q(self, field_name: str, action: str) -> Q:
        if self.everything:
            return Q()
        prefixes = self.prefixes(action)
        if not prefixes:
            return Q(pk__in=[])
        q = Q()
        for p in prefixes:
            q |= Q(**{f"{field_name}__startswith": p})
        return q


def _minimal(prefixes: set[str]) -> list[str]:
    """Drop a prefix that another prefix already covers: one range per independent subtree."""
    out: list[str] = []
    for p in sorted(prefixes):
        if not out or not p.startswith(out[-1]):
            out.append(p)
    return out


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one query for the grants)."""
    cached = getattr(user, "_dangjian_scope", None)
    if cached is not None:
        return cached
    scope = Scope()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        pass
    elif user.is_superuser:
        scope.everything = True
    else:
        from dangjian.accounts.models import Grant

        by_action: dict[str, set[str]] = {}
        for role, path in Grant.objects.filter(user=user).values_list("role", "org__path"):
            if role == "member":
                scope.self_members = True
            for action in ROLE_ACTIONS.get(role, ()):
                by_action.setdefault(action, set()).add(path)
        scope.paths = {a: _minimal(p) for a, p in by_action.items()}
    if user is not None:
        try:
            user._dangjian_scope = scope
        except AttributeError:
            pass
    return scope


def forget(user) -> None:
    """Call after changing a user's grants inside the same request or test."""
    if hasattr(user, "_dangjian_scope"):
        del user._dangjian_scope
