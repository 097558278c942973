"""The dashboard as an Excel workbook (openpyxl): one sheet per table the page shows, the
same rows and columns, Chinese headers, numbers as numbers (percentages formatted as such)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = {"int": "#,##0", "pct": "0.0%", "dec1": "0.0", "dec2": "0.00"}


def _write(sheet, table, heading):
    for line in heading:
        sheet.append([line])
    sheet.append([])
    sheet.append([table["label"], *table["headers"]])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for label, values in table["rows"]:
        row = [label]
        for value, _kind in values:
            row.append("—" if value is None else value)
        sheet.append(row)
        for column, (value, kind) in enumerate(values, start=2):
            if value is not None and kind in FORMATS:
                sheet.cell(row=sheet.max_row, column=column).number_format = FORMATS[kind]
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    sheet.column_dimensions["A"].width = 36
    for column in range(2, len(table["headers"]) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 14


def workbook_bytes(data, tables, heading):
    """The workbook of ``tables`` (``views.tables(data)``) as bytes."""
    book = Workbook()
    book.remove(book.active)
    notes = list(heading)
    if data.item_count > len(data.items):
        notes.append(f"按事项：共 {data.item_count} 项，列出收件量前 {len(data.items)} 项。")
    if data.satisfaction is None:
        notes.append("好差评满意度：暂无。")
    for table in tables:
        _write(book.create_sheet(table["title"]), table, notes)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
