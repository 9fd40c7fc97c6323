from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler


def exception_handler(exc, context):
    """Action-layer ValidationErrors become 400 with the Chinese messages per field."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            data = {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        return Response(data, status=400)
    return drf_handler(exc, context)
