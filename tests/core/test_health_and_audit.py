import pytest

from dangjian.core import audit
from dangjian.core.models import Event


def test_health_endpoints(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_request_id_echoed_and_carried_into_audit(client, cast):
    client.force_login(cast.city_admin)
    r = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert r["X-Request-ID"] == "abc-123"
    r = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert r["X-Request-ID"] != "bad id with spaces" and len(r["X-Request-ID"]) == 32


def test_event_log_is_append_only(db):
    ev = audit.record("test.event", detail={"x": 1})
    assert ev.request_id == ""
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    with pytest.raises(PermissionError):
        Event.objects.all().delete()
    with pytest.raises(PermissionError):
        Event.objects.update(verb="x")


def test_json_log_lines_carry_request_id():
    import json
    import logging

    from dangjian.core.logging import JsonFormatter, RequestIdFilter
    from dangjian.core.middleware import request_id_var

    token = request_id_var.set("rid-1")
    try:
        rec = logging.LogRecord("x", logging.WARNING, __file__, 1, "导入完成 %s", ("3",), None)
        RequestIdFilter().filter(rec)
        line = json.loads(JsonFormatter().format(rec))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "rid-1" and line["message"] == "导入完成 3"
