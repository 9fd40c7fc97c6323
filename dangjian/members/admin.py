from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Member


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "org", "category", "status")
    search_fields = ("name", "name_pinyin", "id_number")
    list_filter = ("category", "status", "gender")
    raw_id_fields = ("org", "user")
    readonly_fields = ("org", "org_path", "status", "category")

    def has_add_permission(self, request):
        return False  # members are added through the form, API or import (validation, counters, audit)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only here: writes go through the action layer  # members are never deleted
