"""Name search keys: 张伟 -> zhangwei / zw (pypinyin; surnames read with their surname pronunciation)."""

import re

from pypinyin import Style, lazy_pinyin

_DIGITS = re.compile(r"^\d{2,18}[xX]?$")
_LATIN = re.compile(r"^[a-zA-Z]+$")


def pinyin_keys(name: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full[:200], initials[:50]


def search_q(text: str):
    """A Q for the member search box: name, pinyin, initials, or the last digits of the ID number."""
    from django.db.models import Q

    text = text.strip()
    if not text:
        return Q()
    if _DIGITS.match(text):
        return Q(id_number__endswith=text.upper())
    if _LATIN.match(text):
        t = text.lower()
        return Q(name_pinyin__startswith=t) | Q(name_initials__startswith=t)
    return Q(name__contains=text)
