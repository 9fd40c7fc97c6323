"""Chinese personal names as people type them into rosters and forms.

Printed rosters pad two-character names to the width of three (“张　三”, with a full-width or an ordinary
space), and the separator of a transliterated name (阿依古丽·买买提) is typed with whatever dot is at hand
(•, ・, ．, .). The name on the 居民身份证 has neither the padding nor another dot than “·” (U+00B7), so a name is
kept that way: the same person is then the same name whichever sheet or form it came from, and a search for
“张三” finds them.
"""

from __future__ import annotations

import re

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PADDING = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])")
_DOT = re.compile(rf"(?<=[{_HAN}])\s*[.．•・‧∙⋅·･]\s*(?=[{_HAN}])")
MIDDLE_DOT = "·"


def normalize_name(text: str) -> str:
    """The name without surrounding spaces, without spaces between Chinese characters, and with “·” as the one
    separator between the parts of a transliterated name. Anything else (a Latin name, a digit) is left as typed."""
    text = text.strip()
    if text.isalpha() or text.isascii():
        return text
    return _DOT.sub(MIDDLE_DOT, _PADDING.sub("", text))
