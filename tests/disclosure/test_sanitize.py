import pytest

from dangjian.disclosure.sanitize import sanitize


@pytest.mark.parametrize("dirty, clean", [
    ("<p>你好<script>alert(1)</script></p>", "<p>你好</p>"),
    ('<p onclick="x()">点击</p>', "<p>点击</p>"),
    ('<img src=x onerror="alert(1)">文字', "文字"),
    ('<a href="javascript:alert(1)">链接</a>', "<a>链接</a>"),
    ('<a href="java\nscript:alert(1)">链接</a>', "<a>链接</a>"),
    ('<a href="https://example.org/a?b=1&c=2" target="_blank">链接</a>',
     '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">链接</a>'),
    ("<style>body{display:none}</style><p>正文</p>", "<p>正文</p>"),
    ('<iframe src="https://evil"></iframe><p>正文</p>', "<p>正文</p>"),
    ('<svg onload="alert(1)"><circle/></svg>文字', "文字"),
    ("<div><p>未闭合", "<p>未闭合</p>"),
    ("</p>多余的结束标签", "多余的结束标签"),
    ("<p>a &lt;script&gt; b</p>", "<p>a &lt;script&gt; b</p>"),
    ('<td colspan="2" style="color:red">x</td>', '<td colspan="2">x</td>'),
    ("<!-- 注释 --><b>粗</b>", "<b>粗</b>"),
])
def test_sanitiser_keeps_safe_subset_only(dirty, clean):
    assert sanitize(dirty) == clean


def test_plain_text_becomes_paragraphs_and_is_escaped():
    assert sanitize("第一段\n第二行\n\n第二段 a & b") == "<p>第一段<br>第二行</p><p>第二段 a &amp; b</p>"


def test_sanitising_twice_changes_nothing():
    once = sanitize('<p>一<a href="http://x.cn">二</a><table><tr><td>三</td></tr></table></p>')
    assert sanitize(once) == once


def test_no_event_handler_or_script_survives_a_mixed_document():
    out = sanitize('<P ONMOUSEOVER="x()">A<SCRIPT>bad()</SCRIPT><b style="x" onfocus=y>B</b></P>'
                   '<form action="/x"><input name="a"></form><object data="x"></object>')
    assert out == "<p>A<b>B</b></p>"
