"""Version history (simple-history) of an object as API rows: who changed which fields, when and why.

A page of versions is read newest first in one query, plus one query for the version just before the
oldest on the page (to diff it); each row lists the fields that differ from the previous version.
Personal numbers (ID, phone) are shown masked here whatever the reader's role: the full values are on
the member's own page, where viewing them is logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.core import idcard

TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}
# The actions record their caller's kind as the change reason; show it in words (as the org pages do).
SOURCES = {"form": "页面编辑", "import": "批量导入", "web": "批量导入", "cli": "命令行导入", "api": "接口",
           "demo": "演示数据"}
MASKS: dict[str, Callable[[str], str]] = {"id_number": idcard.mask, "phone": idcard.mask_phone}


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段名")
    label = serializers.CharField(help_text="字段中文名")
    old = serializers.CharField(allow_null=True, help_text="修改前的值（新建时为 null）")
    new = serializers.CharField(allow_null=True, help_text="修改后的值")


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="版本编号")
    at = serializers.DateTimeField(help_text="时间")
    type = serializers.ChoiceField(choices=list(TYPE_LABELS.items()), help_text="+ 新建，~ 修改，- 删除")
    type_display = serializers.CharField()
    user = serializers.CharField(allow_null=True, help_text="操作人（系统或导入时为 null）")
    reason = serializers.CharField(allow_null=True, help_text="变更原因")
    changes = serializers.SerializerMethodField()

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, obj) -> list:
        return obj["changes"]


def _raw(record, name: str, value_of: dict[str, str]):
    return getattr(record, value_of.get(name, name))


def _shown(record, name: str, display: dict[str, Callable], value_of: dict[str, str]) -> str | None:
    value = _raw(record, name, value_of)
    if value is None or value == "":
        return None
    if name in display:
        return display[name](value)
    if name in MASKS:
        return MASKS[name](str(value))
    field = record._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def entries(records: list, older, fields: Iterable[str], *, display: dict[str, Callable] | None = None,
            value_of: dict[str, str] | None = None) -> list[dict]:
    """Rows for `records` (newest first); `older` is the version before the last one, or None.

    `display` turns a field's raw value into text; `value_of` names the attribute holding the raw value
    (a foreign key's `org_id`, so that no row loads its organization)."""
    display = display or {}
    value_of = value_of or {}
    fields = list(fields)
    labels = {f: str(records[0]._meta.get_field(f).verbose_name) for f in fields} if records else {}
    out = []
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else older
        changes = []
        for f in fields:
            new = _shown(rec, f, display, value_of)
            old = _shown(prev, f, display, value_of) if prev is not None and rec.history_type != "+" else None
            if rec.history_type == "+" and new is None:
                continue
            if rec.history_type != "+" and (prev is None or _raw(prev, f, value_of) == _raw(rec, f, value_of)):
                continue
            changes.append({"field": f, "label": labels[f], "old": old, "new": new})
        user = rec.history_user
        out.append({
            "id": rec.history_id,
            "at": rec.history_date,
            "type": rec.history_type,
            "type_display": TYPE_LABELS.get(rec.history_type, rec.history_type),
            "user": (getattr(user, "display_name", "") or user.get_username()) if user is not None else None,
            "reason": SOURCES.get(rec.history_change_reason or "", rec.history_change_reason) or None,
            "changes": changes,
        })
    return out


def older_than(history_qs, record):
    """The version just before `record` of the same object, or None (one query)."""
    before = Q(history_date__lt=record.history_date) | Q(history_date=record.history_date, history_id__lt=record.history_id)
    return history_qs.filter(before).order_by("-history_date", "-history_id").first()
