from dangjian.core.management.base import ReportCommand
from dangjian.demo import loader
from dangjian.demo.generator import DEMO_PASSWORD


class Command(ReportCommand):
    help = "列出演示账号、密码以及每个账号能看到和能做的事（演示数据未加载时给出提示）"

    def handle(self, *args, **o):
        if not loader.is_loaded():
            self.emit(o, {"loaded": False, "logins": []},
                      "演示数据未加载（数据库不是空的，或尚未运行 dangjian demo），没有演示账号。")
            return
        rows = loader.demo_logins()
        lines = [f"演示账号（青山市演示数据，初始密码均为 {DEMO_PASSWORD}）："]
        for r in rows:
            password = r["password"] or "（密码已修改）"
            who = f" · {r['name']}" if r["name"] else ""
            lines.append(f"  {r['username']:<13} 密码 {password:<10} {r['role_label']}{who}")
            lines.append(f"      {r['sees']}")
        if not rows:
            lines.append("  （演示账号已被删除）")
        self.emit(o, {"loaded": True, "logins": rows}, "\n".join(lines))
