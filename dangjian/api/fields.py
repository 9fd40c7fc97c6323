"""Serializer fields shared by the API."""

from __future__ import annotations

from rest_framework import serializers


class LabelField(serializers.CharField):
    """The Chinese label of a choice field (what `get_<field>_display()` returns), read-only.

    `CharField(source="get_gender_display")` does the same, but DRF then inspects the bound method's
    signature on every row (`inspect.signature`, ~100 µs): four of them were a third of the member list's CPU
    time per request. This looks the label up in the field's choices instead."""

    def __init__(self, choice_field: str, **kwargs):
        self.choice_field = choice_field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)
        self._labels: dict | None = None

    def to_representation(self, obj):
        if self._labels is None:
            field = obj._meta.get_field(self.choice_field)
            self._labels = {k: str(v) for k, v in field.flatchoices}
        value = getattr(obj, self.choice_field)
        return self._labels.get(value, value)
