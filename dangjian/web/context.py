def navigation(request):
    """The logged-in user's roles, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dangjian.core.scope import scope_for

    scope = scope_for(user)
    return {
        "nav_can_change_org": scope.everything or bool(scope.prefixes("change_org")),
        "nav_can_view": scope.everything or bool(scope.prefixes("view")),
        "nav_can_change_member": scope.everything or bool(scope.prefixes("change_member")),
        "nav_self_member": scope.self_members,
    }
