from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Grant, User


class GrantInline(admin.TabularInline):
    model = Grant
    extra = 0
    autocomplete_fields = ["org"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django admin is for platform operators (superusers); everyone else works through the scoped UI."""

    fieldsets = BaseUserAdmin.fieldsets + (("智慧党建", {"fields": ("display_name",)}),)
    list_display = ("username", "display_name", "is_active", "is_superuser", "last_login")
    inlines = [GrantInline]
