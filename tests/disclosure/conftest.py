from types import SimpleNamespace

import pytest

from dangjian.disclosure import actions


@pytest.fixture
def items(cast):
    """Items of 东村 (CA1B1) in every state, and one of 花园社区 (CB01)."""
    t = cast.tree
    party = actions.create_draft(t.b1, {"category": "party", "title": "2025年第二季度发展党员情况公示",
                                        "period_label": "2025年第2季度", "body": "本季度确定入党积极分子2名。"})
    actions.publish(party)
    draft = actions.create_draft(t.b1, {"category": "village", "title": "尚未公开的村务草稿", "body": "草稿内容"})
    gone = actions.create_draft(t.b1, {"category": "village", "title": "已撤回的村务公开", "body": "原内容"})
    actions.publish(gone)
    actions.withdraw(gone, reason="内容重复")
    fin = actions.create_draft(t.b1, {"category": "finance", "title": "2025年7月村级财务收支",
                                      "period_label": "2025年7月", "declared_income": "1500.00",
                                      "declared_expense": "320.50"},
                               lines=[{"kind": "income", "item": "上级转移支付", "amount": "1500"},
                                      {"kind": "expense", "item": "办公用品", "amount": "120.50"},
                                      {"kind": "expense", "item": "道路维修", "amount": "200"}])
    actions.publish(fin)
    fin2 = actions.correct(fin, {"declared_expense": "330.50"},
                           lines=[{"kind": "income", "item": "上级转移支付", "amount": "1500"},
                                  {"kind": "expense", "item": "办公用品", "amount": "130.50"},
                                  {"kind": "expense", "item": "道路维修", "amount": "200"}],
                           note="更正办公用品支出金额")
    other = actions.create_draft(t.b3, {"category": "party", "title": "花园社区党务公开", "body": "社区内容"})
    actions.publish(other)
    return SimpleNamespace(party=party, draft=draft, gone=gone, fin=fin, fin2=fin2, other=other)
