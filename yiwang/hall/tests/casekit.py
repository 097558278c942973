"""Shared setup of the case tests (actions, access, numbers, the concurrency check): a
county with a lead and two joint departments and their staff, citizens with a verified ID,
and helpers that take a case to a given point through the real actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric

from yiwang.accounts.actions.identity import ID_CONTEXT, id_number_digest
from yiwang.catalog.tests.factories import next_number
from yiwang.core import crypto
from yiwang.core.masking import mask_id_number
from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall import actions
from yiwang.hall.constants import HallRole, ProcessTemplate, TaskState
from yiwang.hall.tests.factories import (
    make_citizen,
    make_department,
    make_hall_implementation,
    make_staff,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MATERIAL = "居民身份证"


def valid_id_number(n=None):
    n = next_number() if n is None else n
    body = f"11010119900101{n % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return ric.validate(body + check)


def pdf_upload(name="材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def verified_citizen(*, name="张三", level=3, email=""):
    user = make_citizen(level, display_name=name, email=email)
    number = valid_id_number()
    user.id_number_encrypted = crypto.encrypt(number, context=ID_CONTEXT)
    user.id_number_digest = id_number_digest(number)
    user.id_number_masked = mask_id_number(number)
    user.save()
    user.test_id_number = number
    return user


def form_data(user, **extra):
    data = {
        "name": user.display_name,
        "id_number": getattr(user, "test_id_number", "") or valid_id_number(),
        "mobile": user.mobile,
        "address": "松林县青石镇1号",
        "reason": "申请办理。",
    }
    data.update(extra)
    return data


class World:
    """Departments, staff and implementations of the tests."""

    def __init__(self, regions):
        self.regions = regions
        county = regions["county_a"]
        self.lead = make_department(county, "松林县市场监督管理局")
        self.joint_a = make_department(county, "松林县消防救援大队")
        self.joint_b = make_department(county, "松林县卫生健康局")
        self.centre = make_department(county, "松林县政务服务中心")
        self.other = make_department(regions["county_b"], "临溪县市场监督管理局")
        self.acceptor = make_staff(self.lead, HallRole.ACCEPTOR, display_name="受理员")
        self.reviewer = make_staff(self.lead, HallRole.REVIEWER, display_name="审查员")
        self.decider = make_staff(self.lead, HallRole.DECIDER, display_name="决定人")
        self.supervisor = make_staff(self.lead, HallRole.SUPERVISOR, display_name="监察员")
        self.reviewer_a = make_staff(self.joint_a, HallRole.REVIEWER, display_name="消防审查")
        self.reviewer_b = make_staff(self.joint_b, HallRole.REVIEWER, display_name="卫健审查")
        self.other_acceptor = make_staff(self.other, HallRole.ACCEPTOR, display_name="外县受理")

    def implementation(self, template=ProcessTemplate.STANDARD, **fields):
        joint = (self.joint_a, self.joint_b) if template == ProcessTemplate.JOINT else ()
        return make_hall_implementation(
            region=self.regions["county_a"],
            department=self.lead,
            template=template,
            joint_departments=joint,
            **fields,
        )


@pytest.fixture
def world(regions):
    RecordingSmsBackend.clear()
    return World(regions)


def open_task(case, step=None):
    tasks = case.tasks.filter(state__in=(TaskState.OPEN, TaskState.CLAIMED))
    if step is not None:
        tasks = [t for t in tasks if t.step == step]
    tasks = list(tasks)
    assert len(tasks) == 1, tasks
    return tasks[0]


def make_draft(implementation, user, *, legal_person=None, with_material=True, **data):
    case = actions.save_draft(
        implementation=implementation,
        user=user,
        data=form_data(user, **data),
        legal_person=legal_person,
    )
    if with_material:
        actions.add_material(case=case, material_name=MATERIAL, upload=pdf_upload(), user=user)
    return case


def make_submitted(implementation, user, **kwargs):
    case = make_draft(implementation, user, **kwargs)
    case, code = actions.submit(case=case, user=user)
    return case, code
