from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CommitteeMember, Org, Term


@admin.register(Org)
class OrgAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "org_type", "domain", "subtree_full", "subtree_probationary")
    search_fields = ("code", "name")
    list_filter = ("org_type", "domain")
    readonly_fields = ("path", "depth", "numchild", "direct_full", "direct_probationary", "subtree_full", "subtree_probationary")

    def has_add_permission(self, request):
        return False  # the tree is changed through the scoped UI, API and imports (actions keep paths and counters)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only here: writes go through the action layer


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ("org", "number", "elected_on", "years")
    raw_id_fields = ["org"]
    inlines = [CommitteeInline]

    def has_change_permission(self, request, obj=None):
        return False  # read-only here: writes go through the action layer

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
