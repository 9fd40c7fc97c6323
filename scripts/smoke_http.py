"""The HTTP client of the smoke scripts (scripts/smoke.py, scripts/smoke_job.py): requests carry
X-Forwarded-Proto: https, as the TLS-terminating proxy in front of gunicorn would; redirects are not followed;
cookies are kept by hand because they are Secure and the hop from the proxy to gunicorn is plain HTTP."""

import sys
import urllib.error
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    def __init__(self, base: str, *, referer_path: str, timeout: int, failure: str):
        self.base, self.timeout, self.failure = base, timeout, failure
        self.referer = base.replace("http://", "https://", 1) + referer_path
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def call(self, path, *, data=None, headers=None):
        """(status, headers, body text) of one request; 3xx, 4xx and 5xx are answers, not exceptions."""
        h = {"X-Forwarded-Proto": "https", "Referer": self.referer}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, headers=h)
        try:
            resp = self.opener.open(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            resp = e
        for raw in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, resp.headers, resp.read().decode()

    def fail(self, msg):
        print(f"{self.failure}: {msg}")
        sys.exit(1)
