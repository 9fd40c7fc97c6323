"""Patterns of personal numbers that must never appear on a public page.

Used twice: the actions refuse to publish text that contains them, and the tests crawl every public
page for them. Masked forms (3701**********1234, 138****1234) do not match.
"""

import re

# 18-character 公民身份号码 (17 digits + digit or X), not part of a longer number.
ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{16}[\dXx](?![0-9])")
# Mainland mobile numbers, also written with spaces or hyphens (138 0000 1234, 138-0000-1234),
# optionally after +86.
MOBILE = re.compile(r"(?<![0-9])1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9])")


def find(text: str) -> list[tuple[str, str]]:
    """[(kind label, matched text), …] for every ID number and mobile number in `text`."""
    found = [("公民身份号码", m.group()) for m in ID_NUMBER.finditer(text or "")]
    # An ID number's digits contain runs that look like a mobile number: look at the rest only.
    rest = ID_NUMBER.sub(" ", text or "")
    found += [("手机号码", m.group()) for m in MOBILE.finditer(rest)]
    return found
