from rest_framework.authtoken.models import Token

from dangjian.accounts.models import User
from dangjian.core.management.base import CommandError, ReportCommand


class Command(ReportCommand):
    help = "打印用户的 API 令牌（不存在则创建）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **o):
        try:
            user = User.objects.get(username=o["username"])
        except User.DoesNotExist:
            raise CommandError(f"用户“{o['username']}”不存在，请先用 dangjian grant 创建") from None
        token, _ = Token.objects.get_or_create(user=user)
        self.emit(o, {"username": user.username, "token": token.key}, token.key)
