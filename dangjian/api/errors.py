"""Error answers of the API, in Chinese.

- Action-layer (Django) ValidationErrors become 400 with the messages per field.
- `get_object_or_404` says "No Member matches the given query." in English and names the model class:
  answer "党员不存在" (the model's verbose_name) instead. The same words whether the object is missing or
  outside the caller's scope (existence is not leaked).
"""

import re

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

_NO_MATCH = re.compile(r"^No (\w+) matches the given query\.$")


def _not_found_message(exc: Http404) -> str:
    text = str(exc.args[0]) if exc.args else ""
    m = _NO_MATCH.match(text)
    if m:
        for model in apps.get_models():
            if model._meta.object_name == m.group(1):
                return f"{model._meta.verbose_name}不存在"
        return "对象不存在"
    return text or "对象不存在"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            data = {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        return Response(data, status=400)
    if isinstance(exc, Http404):
        exc = NotFound(_not_found_message(exc))
    return drf_handler(exc, context)
