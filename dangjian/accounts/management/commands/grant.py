from dangjian.accounts.actions import grant_role
from dangjian.accounts.models import Role
from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.orgs.models import Org


class Command(ReportCommand):
    help = "创建用户（如不存在）并授予其对某党组织及其全部下级的角色"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="党组织编码")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="设置（或重设）密码")

    def handle(self, *args, **o):
        try:
            org = Org.objects.get(code=o["org"])
        except Org.DoesNotExist:
            raise CommandError(f"党组织编码“{o['org']}”不存在") from None
        user, created = grant_role(o["username"], org=org, role=o["role"], password=o.get("password"))
        self.emit(o, {"username": user.username, "created": created, "org": org.code, "role": o["role"]},
                  f"{'已创建用户' if created else '用户'} {user.username}：授予“{org.name}”({org.code}) {Role(o['role']).label}角色")
