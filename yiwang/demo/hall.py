"""The demo's online service hall (网上办事大厅): every demo implementation applied online gets
its application form and process, the construction permit of 松林县 is set up for joint
approval (住建局 leads, 自然资源和规划局 and 生态环境局 review in parallel), staff of those
departments and of the health commission hold the hall's roles, and one application is
already waiting at the health commission's window, so the workbench is not empty.

Everything goes through the hall's actions, as a configuration administrator and an
applicant would. Building is idempotent: what exists (by username, by bound process) is
kept. It needs the demo catalog and identity (``catalog.py``, ``identity.py``).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.catalog.constants import ONLINE_APPLICATION_DEPTH
from yiwang.catalog.models import Implementation
from yiwang.hall import actions, formdefs, processes
from yiwang.hall.constants import HallRole, ProcessTemplate
from yiwang.hall.models import Case

from . import geography as geo
from .catalog import _department, demo_implementations
from .spec import DEMO_PASSWORD, places, portal_hostname

SHOWCASE_PLACE = "990121"
# (item key in catalog_data, template, joint department keys)
JOINT_ITEM = ("construction-permit", ("land", "env"))
STANDARD_ITEM = "physician-registration"


@dataclass(frozen=True)
class HallStaff:
    username: str
    display_name: str
    department_key: str
    roles: tuple
    role: str  # what the login list says


HALL_STAFF = (
    HallStaff(
        "health.songlin",
        "刘芳",
        "health",
        (HallRole.ACCEPTOR, HallRole.REVIEWER, HallRole.DECIDER),
        "松林县卫生健康局：受理、审查、决定（医师执业注册等）",
    ),
    HallStaff(
        "housing.songlin",
        "马骏",
        "housing",
        (HallRole.ACCEPTOR, HallRole.REVIEWER, HallRole.DECIDER),
        "松林县住房和城乡建设局：施工许可的牵头受理、审查、决定",
    ),
    HallStaff(
        "land.songlin",
        "郑磊",
        "land",
        (HallRole.REVIEWER,),
        "松林县自然资源和规划局：并联审批的配合审查",
    ),
    HallStaff(
        "env.songlin",
        "冯雪",
        "env",
        (HallRole.REVIEWER,),
        "松林县生态环境局：并联审批的配合审查",
    ),
    HallStaff(
        "window.songlin",
        "何静",
        "gov",
        (HallRole.ACCEPTOR,),
        "松林县政务服务中心综合窗口：一窗受理（为现场申请人收件）",
    ),
    HallStaff(
        "supervisor.songlin",
        "韩梅",
        "housing",
        (HallRole.SUPERVISOR,),
        "松林县住房和城乡建设局监察：查看本部门全部办件",
    ),
    HallStaff(
        "hallconfig",
        "黄河",
        "office",
        (HallRole.ADMINISTRATOR,),
        "办件配置管理员：申请表单与办理流程（不查看办件）",
    ),
)


def hall_usernames():
    return [spec.username for spec in HALL_STAFF]


def hall_steps():
    return 3


def _implementation(key, place_code=SHOWCASE_PLACE):
    from .catalog_data import ITEMS

    item = next(item for item in ITEMS if item.key == key)
    department_key = dict(item.at)[place_code]
    department = _department(places()[place_code], department_key)
    return (
        Implementation.objects.filter(department=department, name=item.name).order_by("pk").first()
    )


def _staff(admin):
    from yiwang.demo.staff_devices import ensure_staff_account

    by_code = places()
    users = {}
    for spec in HALL_STAFF:
        place_code = "99" if spec.department_key == "office" else SHOWCASE_PLACE
        users[spec.username] = ensure_staff_account(
            spec.username,
            display_name=spec.display_name,
            department=_department(by_code[place_code], spec.department_key),
            groups=[HallRole(role).label for role in spec.roles],
        )
    return users


def _sample_pdf(title):
    from fpdf import FPDF

    from yiwang.catalog.pdf import FAMILY, _register_font

    pdf = FPDF()
    _register_font(pdf)
    pdf.add_page()
    pdf.set_font(FAMILY, size=14)
    pdf.cell(0, 10, f"演示材料：{title}（由演示数据生成）")
    return bytes(pdf.output())


def _waiting_application(applicant):
    """One application by 张三 for the showcase standard item, submitted and waiting at the
    health commission's window."""
    implementation = _implementation(STANDARD_ITEM)
    if implementation is None or Case.objects.filter(implementation=implementation).exists():
        return None
    form = formdefs.ensure_form(implementation)
    data = {}
    for section in form.schema.get("sections", []):
        for field in section.get("fields", []):
            data[field["name"]] = _demo_value(field, applicant)
    case = actions.save_draft(implementation=implementation, user=applicant, data=data)
    for requirement in formdefs.required_materials(implementation, form, []):
        if requirement.required:
            upload = SimpleUploadedFile(
                f"{requirement.name}.pdf", _sample_pdf(requirement.name), "application/pdf"
            )
            actions.add_material(
                case=case, material_name=requirement.name, upload=upload, user=applicant
            )
    case, _code = actions.submit(case=case, user=applicant)
    return case


def _demo_value(field, user):
    kind = field.get("type")
    name = field.get("name", "")
    if kind == "id_number":
        return _plain_id(user)
    if kind == "mobile":
        return user.mobile
    if kind == "email":
        return user.email
    if kind == "date":
        return "2026-11-30"
    if kind in ("integer", "decimal"):
        return "1"
    if kind == "boolean":
        return True
    if kind in ("choice",):
        return field["choices"][0][0]
    if kind == "multichoice":
        return [field["choices"][0][0]]
    if "name" in name:
        return user.display_name
    if kind == "address" or "address" in name:
        return "松林县城关镇府前街 8 号"
    return "申请医师执业注册，执业地点为松林县人民医院。"


def _plain_id(user):
    from .spec import DEMO_CITIZENS

    return next(c.id_number for c in DEMO_CITIZENS if c.username == user.username)


def build_hall(*, actor, bar=None):
    """Build the hall demo inside the loader's transaction; returns the staff accounts."""

    def step():
        if bar is not None:
            bar.update(1)

    online = demo_implementations().visible().filter(online_depth__gte=ONLINE_APPLICATION_DEPTH)
    joint_key, joint_departments = JOINT_ITEM
    joint = _implementation(joint_key)
    if joint is not None and processes.current_process(joint) is None:
        place = places()[SHOWCASE_PLACE]
        processes.configure_process(
            implementation=joint,
            template=ProcessTemplate.JOINT,
            parameters={
                "joint_departments": [_department(place, key).pk for key in joint_departments]
            },
            actor=actor,
        )
    for implementation in online:
        processes.ensure_process(implementation)
        formdefs.ensure_form(implementation)
    step()
    users = _staff(actor)
    step()
    applicant = get_user_model().objects.filter(username="zhangsan").first()
    if applicant is not None:
        _waiting_application(applicant)
    step()
    return users


def describe_hall():
    """Summary lines of the hall demo, read from the database."""
    User = get_user_model()
    present = {u.username for u in User.objects.filter(username__in=hall_usernames())}
    if not present:
        return []
    from wagtail.models import Site

    from .spec import site_url

    site = Site.objects.filter(hostname=portal_hostname(places()[SHOWCASE_PLACE])).first()
    base = site_url(site) if site is not None else "/"
    cases = Case.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX)
    lines = [
        "",
        f"网上办事大厅：已有办件 {cases.exclude(number=None).count()} 件。",
        f"  申请：以 zhangsan 登录 {base}fuwu/ ，选择事项 → 在线办理；我的办件：{base}banshi/mine/",
        f"  办件查询（免登录）：{base}banshi/lookup/",
        f"  工作台：{base}admin/hall/ ；工作人员账号（密码同上）：",
    ]
    for spec in HALL_STAFF:
        if spec.username in present:
            lines.append(f"  {spec.username} / {DEMO_PASSWORD}  {spec.display_name}，{spec.role}")
    return lines


def reset_hall():
    """Delete the demo's cases (every case of a demo implementation) and hall staff; process
    definitions and forms go with the implementations (reset_catalog). Audit rows stay."""
    demo = demo_implementations()
    Case.objects.filter(implementation__in=demo).delete()
    from yiwang.hall.models import ProcessDefinition, ServiceSetup

    ServiceSetup.objects.filter(implementation__in=demo).delete()
    ProcessDefinition.objects.filter(
        key__in=[f"impl-{pk}" for pk in demo.values_list("pk", flat=True)]
    ).delete()
    get_user_model().objects.filter(
        username__in=hall_usernames(),
        department__region__code__startswith=geo.DEMO_CODE_PREFIX,
    ).delete()
