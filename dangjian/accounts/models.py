"""Users and their role grants over organization subtrees (see CONTRACT.md "Roles")."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in. `display_name` is what the UI shows (usually the real name)."""

    display_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    SECRETARY = "secretary", "支部书记"
    VIEWER = "viewer", "查看者"
    MEMBER = "member", "党员"


class Grant(models.Model):
    """`user` holds `role` over the whole subtree of `org`. A user may hold several grants."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.CASCADE, related_name="grants")
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="grant_unique")]

    def __str__(self):
        return f"{self.user} {self.get_role_display()} @ {self.org}"
