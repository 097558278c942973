"""The demo's service catalog (服务事项目录): base catalog items and their implementations with
complete service guides on every level of the demo province, a few application forms as
Excel documents, and one suspended and one cancelled item to show the lifecycle.

It is built on the demo's regions, departments and service centres (``builder.py`` makes them)
the way an administrator would: each implementation is saved as a draft, then published
through a revision (so its history starts at version 1), and withdrawn through
``yiwang.catalog.actions``. Building is idempotent: what exists (by code or title) is kept,
so a second run adds nothing. The guide texts are in ``catalog_data.py``.
"""

import datetime
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Count
from wagtail.documents import get_document_model
from wagtail.models import Collection, Site

from yiwang.catalog import actions
from yiwang.catalog.constants import ImplementationStatus, LimitKind
from yiwang.catalog.models import (
    CatalogItem,
    Fee,
    Implementation,
    LegalBasis,
    Material,
    ProcessStep,
    Question,
    Situation,
    SpecialProcedure,
    Theme,
)
from yiwang.orgs.models import Department, Region, RegionLevel, ServiceCentre, stats_code

from . import geography as geo
from .catalog_data import EXTRA_KINDS, EXTRA_SERIAL_START, FORMS, ITEMS, LIFECYCLE
from .spec import OFFICE_HOURS, TZ, places, portal_hostname, site_url

DEMO_COLLECTION = "演示·办事指南表格"
# Base catalog codes of the demo: province 99, then "1" (provincial catalog).
CATALOG_PREFIX = "991"
# The portal whose hall the summary points to.
SHOWCASE_PLACE = "990121"
# Streets of the extra departments' (invented) addresses.
EXTRA_ROADS = ("建设路", "文化路", "新华路", "府前街", "政务大道")


class DemoCatalogError(Exception):
    """The catalog data does not fit the demo's places (a bug in ``catalog_data.py``)."""


def plan():
    """``[(item, place code, department key)]`` in build order (main items before their
    variants, replacements before what they replace)."""
    return [(item, code, key) for item in ITEMS for code, key in item.at]


def catalog_steps():
    return len(FORMS) + len(plan()) + len(LIFECYCLE)


# -- the bodies ----------------------------------------------------------------------------


def _region(code):
    try:
        return Region.objects.get(code=stats_code(code))
    except Region.DoesNotExist as exc:
        raise DemoCatalogError(f"演示区划 {code} 不存在，请先建立演示区划和部门。") from exc


def _department(place, key):
    """The demo department of ``key`` in ``place``; the catalog's extra kinds (公安, 民政...)
    are created on first use, with a valid credit code of the demo's pattern."""
    region = _region(place.code)
    if key == "gov" and place.level == "township":
        name = geo.township_body_name(place)
    elif key in geo.KINDS_BY_KEY:
        name = geo.department_name(geo.KINDS_BY_KEY[key], place)
    elif key in EXTRA_KINDS:
        names, duties = EXTRA_KINDS[key]
        name = place.name + names[geo.LEVEL_INDEX[place.level]]
        index = list(EXTRA_KINDS).index(key)
        division = region.division_code
        department, _ = Department.objects.get_or_create(
            region=region,
            name=name,
            defaults={
                "short_name": names[geo.LEVEL_INDEX[place.level]],
                "uscc": geo.government_uscc(division, EXTRA_SERIAL_START + index),
                "functions": duties + "。",
                "address": f"{place.name}{EXTRA_ROADS[index]}"
                f"{(int(division[2:]) + 11 * index) % 150 + 20}号",
                "phone": f"0700-{6500000 + int(division[2:]) * 10 + index}",
            },
        )
        return department
    else:
        raise DemoCatalogError(f"未知的部门类别：{key}")
    try:
        return Department.objects.get(region=region, name=name)
    except Department.DoesNotExist as exc:
        raise DemoCatalogError(f"演示部门“{name}”不存在。") from exc


# -- forms ---------------------------------------------------------------------------------


def form_workbook(title, rows, *, sample=False):
    """An application form as .xlsx bytes: a title, a four-column table of labels and
    fields (a single field spans the row), the applicant's pledge and signature lines.
    ``sample`` fills the fields with a fictional applicant's data (示例样表)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "样表" if sample else "申请表"
    for column, width in zip("ABCD", (20, 30, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(vertical="center", wrap_text=True)
    label_fill = PatternFill("solid", fgColor="F2F2F2")
    value_font = Font(name="宋体", size=11, color="1F4E9E" if sample else "000000")

    sheet.merge_cells("A1:D1")
    sheet["A1"] = title + ("（示例样表）" if sample else "")
    sheet["A1"].font = Font(name="黑体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 36
    sheet.merge_cells("A2:D2")
    sheet["A2"] = "受理编号：____________（由受理窗口填写）"
    sheet["A2"].alignment = Alignment(horizontal="right")

    row = 3
    for fields in rows:
        sheet.row_dimensions[row].height = 28
        if len(fields) == 1:
            ((label, value),) = fields
            cells = [("A", label, True), ("B", value if sample else "", False)]
            sheet.merge_cells(f"B{row}:D{row}")
        else:
            (label_a, value_a), (label_b, value_b) = fields
            cells = [
                ("A", label_a, True),
                ("B", value_a if sample else "", False),
                ("C", label_b, True),
                ("D", value_b if sample else "", False),
            ]
        for column in "ABCD":
            sheet[f"{column}{row}"].border = box
        for column, text, is_label in cells:
            cell = sheet[f"{column}{row}"]
            cell.value = text
            cell.alignment = wrap
            if is_label:
                cell.fill = label_fill
                cell.font = Font(name="宋体", size=11, bold=True)
            else:
                cell.font = value_font
        row += 1

    sheet.merge_cells(f"A{row}:D{row + 1}")
    pledge = sheet[f"A{row}"]
    pledge.value = (
        "申请人承诺：本人（单位）对所填写内容和提交材料的真实性、合法性、有效性负责，"
        "如有虚假，愿意承担相应的法律责任。"
    )
    pledge.alignment = wrap
    pledge.border = box
    row += 2
    sheet[f"A{row}"] = "申请人（签字或盖章）："
    sheet[f"B{row}"] = "张三" if sample else ""
    sheet[f"C{row}"] = "日期："
    sheet[f"D{row}"] = "2026年10月12日" if sample else "      年    月    日"
    row += 2
    sheet[f"A{row}"] = "注：本表仅供演示，由 Yiwang 演示数据生成；请以受理窗口提供的正式表格为准。"
    sheet[f"A{row}"].font = Font(size=9, color="808080")
    sheet.print_options.horizontalCentered = True
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def demo_collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=DEMO_COLLECTION).first()
    return existing or root.add_child(name=DEMO_COLLECTION)


def _forms(actor, step):
    """``{form key: (blank Document, sample Document)}``, created once."""
    Document = get_document_model()
    collection = demo_collection()
    made = {}
    for key, (title, rows) in FORMS.items():
        pair = []
        for sample in (False, True):
            doc_title = f"{title}（{'示例样表' if sample else '空白表格'}）"
            document = Document.objects.filter(collection=collection, title=doc_title).first()
            if document is None:
                document = Document(title=doc_title, collection=collection, uploaded_by_user=actor)
                content = form_workbook(title, rows, sample=sample)
                name = f"{key}-{'sample' if sample else 'blank'}.xlsx"
                document.file.save(name, ContentFile(content), save=False)
                document._set_document_file_metadata()
                document.save()
            pair.append(document)
        made[key] = tuple(pair)
        step()
    return made


# -- implementations -------------------------------------------------------------------------


def implementation_code(item, catalog_item, region, department):
    return (
        f"{catalog_item.code}-{region.code}-{item.sequence:03d}-{department.uscc}-1-"
        f"{item.business_item:02d}"
    )


def _catalog_item(item):
    fallback = {"gov": "乡镇人民政府、街道办事处"}
    catalog_item, _ = CatalogItem.objects.get_or_create(
        code=item.code,
        defaults={
            "name": item.name,
            "item_type": item.item_type,
            "competent_department": item.competent or fallback.get(item.at[0][1], ""),
            "legal_basis": "；".join(
                f"《{b['law'][0]}》{b['article']}"
                for b in item.bases
                if b["law"][1] != "normative_document"
            ),
            "exercise_levels": item.levels,
            "description": item.summary.replace("{地}", "本地").replace("{部门}", "实施机关"),
        },
    )
    if catalog_item.item_type != item.item_type:
        raise DemoCatalogError(f"{item.key}：同一基本编码 {item.code} 的事项类型不一致")
    return catalog_item


def build_implementation(item, place, department, *, themes, forms):
    """An unsaved implementation of ``item`` in ``place`` with its complete guide."""
    region = _region(place.code)

    def fill(text):
        return text.replace("{地}", place.name).replace("{部门}", department.name)

    centre = ServiceCentre.objects.filter(region=region).order_by("pk").first()
    if item.at_department or centre is None:
        where = f"{department.name}{item.window}（{department.address}）"
        hours = OFFICE_HOURS
    else:
        where = f"{centre.name}{item.window}（{centre.address}）"
        hours = centre.opening_hours
    catalog_item = _catalog_item(item)
    on_the_spot = item.promised is None
    implementation = Implementation(
        catalog_item=catalog_item,
        code=implementation_code(item, catalog_item, region, department),
        name=item.name,
        region=region,
        department=department,
        variant=item.variant,
        audience=item.audience,
        body_address=department.address,
        body_postcode=region.division_code,
        body_contact=f"{department.name}办公室 {department.phone}",
        summary=fill(item.summary),
        conditions="\n".join(fill(c) for c in item.conditions),
        prohibitions=item.prohibitions
        or "不得要求申请人提交与本事项无关的材料，不得擅自增加办理条件和环节。",
        statutory_limit_days=item.statutory,
        statutory_limit_note=item.statutory_note,
        limit_kind=LimitKind.ON_THE_SPOT if on_the_spot else LimitKind.PROMISED,
        promised_limit_days=item.promised,
        charges_fee=bool(item.fees),
        place=where,
        hours=hours,
        enquiry_phone=department.phone,
        complaint_phone=f"12345（{place.name}政务服务便民热线）",
        required_visits=item.visits,
        visit_reason=item.visit_reason,
        online_depth=item.depth,
        real_name_level=item.real_name_level,
        result_name=item.result,
        result_type=item.result_type,
        delivery_methods=list(item.delivery),
        responsibility_notes=item.responsibility_notes,
    )
    implementation.situations = [
        Situation(code=code, name=fill(name), description=fill(description))
        for code, name, description in item.situations
    ]
    materials = []
    for material in item.materials:
        blank, sample = forms.get(material.blank, (None, None))
        materials.append(
            Material(
                name=material.name,
                form=material.form,
                copies=material.copies,
                necessity=material.necessity,
                source=material.source,
                source_note=material.note,
                paper_size=material.paper,
                requirements=material.requirements,
                blank_form=blank,
                sample_form=sample,
                license_type=material.license,
                situation_codes=material.situations,
            )
        )
    implementation.materials = materials
    implementation.legal_bases = [
        LegalBasis(
            law_name=basis["law"][0],
            law_level=basis["law"][1],
            document_number=basis["law"][2],
            article=basis["article"],
            text=basis["text"],
        )
        for basis in item.bases
    ]
    implementation.process_steps = [
        ProcessStep(
            name=name,
            description=fill(description),
            time_limit_days=Decimal(str(days)),
            handler=handler,
        )
        for name, description, days, handler in item.steps
    ]
    implementation.special_procedures = [
        SpecialProcedure(
            name=name, time_limit_days=days or None, counts_in_limit=counts, description=text
        )
        for name, days, counts, text in item.specials
    ]
    implementation.fees = [
        Fee(name=name, standard=standard, basis=basis, reducible=reducible, reduction_note=note)
        for name, standard, basis, reducible, note in item.fees
    ]
    implementation.questions = [Question(question=q, answer=a) for q, a in item.questions]
    missing = [code for code in item.themes if code not in themes]
    if missing:
        raise DemoCatalogError(f"{item.key}：主题不存在：{'、'.join(missing)}")
    implementation.themes = [themes[code] for code in item.themes]
    return implementation


def _validate(implementation):
    implementation.full_clean()
    for relation in (
        "situations",
        "materials",
        "legal_bases",
        "process_steps",
        "special_procedures",
        "fees",
        "questions",
    ):
        for child in getattr(implementation, relation).all():
            child.full_clean(exclude=["implementation"])


def _publish(implementation, actor):
    implementation.live = False
    implementation.save()
    revision = implementation.save_revision(user=actor)
    revision.publish(user=actor)
    return Implementation.objects.get(pk=implementation.pk)


def build_catalog(*, actor, bar=None):
    """Build the demo catalog inside the caller's transaction; returns how many
    implementations were created. Needs the demo's regions, departments and service centres
    and the seeded themes."""

    def step():
        if bar is not None:
            bar.update(1)

    by_code = places()
    themes = {theme.code: theme for theme in Theme.objects.all()}
    forms = _forms(actor, step)
    built = {}  # (item key, place code) -> Implementation
    created = 0
    for item, code, key in plan():
        place = by_code[code]
        department = _department(place, key)
        implementation = build_implementation(item, place, department, themes=themes, forms=forms)
        existing = Implementation.objects.filter(code=implementation.code).first()
        if existing is None:
            if item.variant_of:
                implementation.variant_of = built[(item.variant_of, code)]
            _validate(implementation)
            existing = _publish(implementation, actor)
            created += 1
        built[(item.key, code)] = existing
        step()

    for change in LIFECYCLE:
        implementation = built[(change["item"], change["place"])]
        if implementation.status == ImplementationStatus.IN_FORCE:
            withdraw = {
                "suspend": actions.suspend_implementation,
                "cancel": actions.cancel_implementation,
            }[change["action"]]
            withdraw(
                implementation=implementation,
                actor=actor,
                reason=change["reason"],
                effective_at=datetime.datetime(*change["effective"], 9, 0, tzinfo=TZ),
                replacement=built[change["replacement"]],
            )
        step()
    return created


# -- describing and removing -------------------------------------------------------------------


def demo_implementations():
    return Implementation.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX)


def describe_catalog():
    """Summary lines of the demo catalog, read from the database."""
    demo = demo_implementations()
    if not demo.exists():
        return []
    visible = demo.visible()
    levels = dict(
        visible.values_list("region__level").annotate(n=Count("pk")).order_by("region__level")
    )
    by_level = "、".join(f"{RegionLevel(level).label} {n}" for level, n in levels.items())
    departments = visible.values("department").distinct().count()
    withdrawn = demo.withdrawn()
    suspended = withdrawn.filter(status=ImplementationStatus.SUSPENDED).count()
    cancelled = withdrawn.filter(status=ImplementationStatus.CANCELLED).count()
    lines = [
        "",
        f"服务事项目录：{visible.count()} 项在用的实施清单事项（{by_level}），"
        f"{departments} 个实施部门；暂停 {suspended} 项、取消 {cancelled} 项。",
    ]
    site = Site.objects.filter(hostname=portal_hostname(places()[SHOWCASE_PLACE])).first()
    if site is not None:
        lines.append(f"  网上办事大厅：{site_url(site)}fuwu/")
    return lines


def reset_catalog():
    """Delete the demo's implementations (every one in a demo region), the demo base catalog
    items no longer used, and the demo forms. Audit rows stay."""
    demo = demo_implementations()
    demo.filter(variant_of__isnull=False).delete()
    demo.delete()
    CatalogItem.objects.filter(
        code__startswith=CATALOG_PREFIX, implementations__isnull=True
    ).delete()
    root = Collection.get_first_root_node()
    for collection in root.get_children().filter(name=DEMO_COLLECTION):
        get_document_model().objects.filter(collection=collection).delete()
        collection.delete()
