"""The 党员组织关系介绍信 as a Word document or a PDF: the letter and its 回执 (receipt) stub.

Layout follows the three-part letter of 组通字〔2006〕45号 as far as a printed page allows (rules-reference §5):
the letter to the receiving organization, and the 回执 the receiving 基层党委 returns to the sender.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from dangjian.core.dates import age_on

from .models import Transfer

FONT = "SimSun"  # 宋体: present wherever Word renders Chinese


def _para(doc, text="", *, size=12, bold=False, center=False, right=False, space_after=6):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _d(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


def build(t: Transfer) -> bytes:
    """The letter of an approved (or completed) transfer; the caller checks scope and state."""
    m = t.member
    issuer = t.from_org.parent_org() if t.from_org_id else None
    doc = Document()
    _para(doc, "中国共产党党员组织关系介绍信", size=18, bold=True, center=True, space_after=4)
    _para(doc, f"{t.letter_no}", size=11, right=True)
    _para(doc, f"{t.to_display}：", size=13)
    category = m.get_category_display()
    _para(doc, (
        f"    兹介绍{m.name}同志（{m.get_gender_display()}，{age_on(m.birth_date, t.letter_issued_on)}岁，"
        f"{m.ethnicity}，{category}，公民身份号码{m.id_number}）的党员组织关系由{t.from_display}"
        f"转去你处，请接洽。"
    ), size=13)
    _para(doc, f"    转接原因：{t.reason}", size=13)
    _para(doc, f"    该同志党费已交到    年  月。（有效期{t.validity_days}天，至{_d(t.valid_until)}）", size=13)
    _para(doc, f"{issuer.name if issuer else t.from_display}（盖章）", size=13, right=True)
    _para(doc, _d(t.letter_issued_on), size=13, right=True, space_after=18)
    _para(doc, "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -", size=9, center=True)
    _para(doc, "回    执", size=16, bold=True, center=True, space_after=4)
    _para(doc, f"{t.letter_no}", size=11, right=True)
    _para(doc, f"{issuer.name if issuer else t.from_display}：", size=13)
    _para(doc, f"    {m.name}同志的党员组织关系已转达我处。", size=13)
    _para(doc, "接收党组织（盖章）", size=13, right=True)
    _para(doc, _d(None), size=13, right=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_pdf(t: Transfer) -> bytes:
    """The same letter as a PDF (WeasyPrint, with the system's Noto CJK fonts); ImportError or OSError when
    WeasyPrint or its Pango libraries are missing — the caller then offers the Word file only."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    m = t.member
    issuer = t.from_org.parent_org() if t.from_org_id else None
    html = render_to_string("transfers/letter_pdf.html", {
        "t": t, "m": m, "age": age_on(m.birth_date, t.letter_issued_on), "issuer": issuer.name if issuer else t.from_display,
        "issued": _d(t.letter_issued_on), "valid_until": _d(t.valid_until),
    })
    return HTML(string=html).write_pdf()


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
