"""Files the import/export pages and API hand to the browser: written to a temporary path (xlsxwriter and the
CSV writer want one), streamed from an open handle, the path itself removed at once."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> str:
    """Content-Disposition for a Chinese file name (an ASCII fallback for old browsers, the real one in UTF-8)."""
    return f"attachment; filename=\"export.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"


def temp_file_response(write: Callable[[str], object], *, suffix: str, content_type: str, name: str,
                       prefix: str = "download-") -> tuple[FileResponse, object]:
    """`write(path)` fills a temporary file; answers (the response streaming it as `name`, what `write` returned)."""
    tmp = tempfile.NamedTemporaryFile(suffix=suffix, prefix=prefix)  # noqa: SIM115 - a path for the writer
    tmp.close()
    result = write(tmp.name)
    handle = open(tmp.name, "rb")  # noqa: SIM115 - FileResponse closes it
    Path(tmp.name).unlink()  # the open handle keeps the data readable until the response is sent
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment(name)
    return response, result
