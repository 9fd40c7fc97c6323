"""Base for commands that report: `--format json` prints one JSON document on stdout (CONTRACT)."""

import json

from django.core.management.base import BaseCommand, CommandError


class ReportCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
        return parser

    def emit(self, options, data: dict, text: str) -> None:
        if options.get("format") == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            self.stdout.write(text)


__all__ = ["ReportCommand", "CommandError"]
