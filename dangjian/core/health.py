"""Liveness and readiness for load balancers and orchestrators (no login, no data)."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as e:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "unavailable", "database": type(e).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
