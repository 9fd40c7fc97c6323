"""The downloadable import templates (导入模板): the headers, a filled example row, drop-down lists for
the enumerated columns and a 说明 sheet explaining each column, all from `columns`."""

from __future__ import annotations

import io

import xlsxwriter

from .columns import MEMBER_COLUMNS, ORG_COLUMNS, ORG_NAME, PARENT_NAME, Column

KINDS = {"members": ("党员信息", MEMBER_COLUMNS), "orgs": ("党组织", ORG_COLUMNS)}
# A column the import also reads but the template does not have: an organization by its name instead of its code.
BY_NAME = {"members": ORG_NAME, "orgs": PARENT_NAME}
DATA_ROWS = 5000  # how far down the drop-downs reach


def build_template(kind: str) -> bytes:
    title, columns = KINDS[kind]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(title)
    head = wb.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF", "border": 1})
    head_opt = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    example = wb.add_format({"font_color": "#7F7F7F", "italic": True})
    text = wb.add_format({"num_format": "@"})  # typed IDs stay text, not 1.1E+17
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    # Lists live on a hidden sheet: an inline list is limited to 255 characters (民族 has 58 values).
    lists = wb.add_worksheet("选项")
    lists.hide()
    for i, col in enumerate(columns):
        ws.set_column(i, i, max(10, len(col.name) * 2 + 4), date if col.kind == "date" else text)
        ws.write_string(0, i, col.name, head if col.required else head_opt)
        ws.write_comment(0, i, ("必填。" if col.required else "选填。") + col.note, {"x_scale": 2, "y_scale": 1.5})
        ws.write_string(1, i, col.example, example)
        if col.choices:
            lists.write_column(0, i, col.choices)
            letter = xlsxwriter.utility.xl_col_to_name(i)
            ws.data_validation(1, i, DATA_ROWS, i, {
                "validate": "list",
                "source": f"='选项'!${letter}$1:${letter}${len(col.choices)}",
                "error_title": f"{col.name}无效",
                "error_message": f"请从下拉列表中选择{col.name}",
            })
        elif col.kind == "date":
            ws.data_validation(1, i, DATA_ROWS, i, {
                "validate": "any",
                "input_title": col.name,
                "input_message": "如 2020-01-05，也可写 2020年1月5日、2020/1/5、20200105",
            })
    ws.freeze_panes(1, 0)
    _notes(wb, [*columns, BY_NAME[kind]], head)
    wb.close()
    return buf.getvalue()


def _notes(wb, columns: list[Column], head) -> None:
    ws = wb.add_worksheet("说明")
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 60, wrap)
    ws.set_column(3, 3, 30, wrap)
    ws.write_row(0, 0, ["列名", "是否必填", "说明", "也可用的列名"], head)
    for r, col in enumerate(columns, start=1):
        needed = "必填" if col.required else "选填" if col not in BY_NAME.values() else "代替编码"
        ws.write_row(r, 0, [col.name, needed, col.note, "、".join(col.synonyms)], wrap)
    r = len(columns) + 2
    general = [
        "第一行为列名（表头），列的顺序可以调整，多余的列（如序号、备注）会被忽略。表头上方可以有标题行，"
        "表头也可以分两行（如“入党时间”下分“入党日期”“转正日期”）。",
        "一个工作簿可以有多个工作表（如每村一个），有表头的工作表一起导入，错误会写明工作表和行号；隐藏的工作表不导入。",
        "第二行是示例（灰色斜体），导入时会自动跳过；也可删除或改为真实数据。",
        "日期可以是 Excel 日期，或写成 2020-01-05、2020/1/5、2020.01.05、2020年1月5日、20200105，须写到日；"
        "只有出生日期可以只写年月（如 1990.03），导入时与公民身份号码中的年月核对。",
        "公民身份号码列已设为“文本”格式，请勿改为数字：Excel 只保留数字的前15位，18位号码的后几位会丢失，"
        "这样的单元格导入时会被指出。从其他表格粘贴号码后，请确认号码完整显示为18位。",
        "也可上传 CSV 文件（UTF-8 或 GBK 编码）。单元格前后的空格（含全角空格）会被自动去掉。",
        "其他系统导出的“.xls”若实为网页表格或 Excel 2003 XML 表格，可直接上传，按内容读取；设有打开密码的文件请先去掉密码。",
        "导入前会检查全部行：只要有一行有错，就不会写入任何数据，并列出每一处错误的行号、列名和原因。",
        "重复导入同一文件不会产生重复数据；修改了的单元格会更新对应记录，并记入历史。",
    ]
    ws.write(r, 0, "注意事项", head)
    for i, line in enumerate(general, start=r + 1):
        ws.write(i, 0, f"{i - r}.")
        ws.write(i, 2, line, wrap)
