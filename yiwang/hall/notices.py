"""Official notices as PDFs with Chinese fonts (CONTRACT — owner: helper "clocks").

Built with fpdf2 and the embedded Noto Sans CJK font, as the guide PDF is
(``catalog/pdf.py``: reuse its font setup and ``break_lines``). Each notice names the
department, the applicant, the item, the case number, dates (Chinese format), and what the
kind requires: receipt (申请回执: materials received, query code not printed), acceptance
notice (受理通知书: promised and statutory due dates), correction notice (补正材料通知书:
every item of the round and the deadline), refusal notice (不予受理通知书: reason and
legal basis, the right to administrative reconsideration or litigation), decision (准予/不予
决定书 with reasons and remedies).
"""


def render(case, kind, *, correction=None):
    """The PDF bytes of notice ``kind`` (``DocumentKind``) for ``case``."""
    raise NotImplementedError


def issue(*, case, kind, actor=None, correction=None):
    """Render and store a notice as a ``CaseDocument`` (private storage) and return it."""
    raise NotImplementedError
