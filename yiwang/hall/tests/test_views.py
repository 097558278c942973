"""The applicant's pages through the test client on a county portal: apply, save a draft
(errors next to the fields, nothing lost), upload, submit, the receipt with its query code
shown once, 我的办件, the case page, a correction round, withdrawal and the lookup without
login (throttled)."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall import actions
from yiwang.hall.constants import CaseStatus, DocumentKind, Step
from yiwang.hall.models import Case
from yiwang.hall.tests.casekit import (
    MATERIAL,
    World,
    form_data,
    make_submitted,
    open_task,
    verified_citizen,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions):
    """Departments, staff and items of the case tests (``casekit.World``)."""
    RecordingSmsBackend.clear()
    return World(regions)


HOST = "songlin.localhost"


def real_pdf():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="ID card copy")
    return bytes(pdf.output())


def pdf_file(name="身份证.pdf"):
    return SimpleUploadedFile(name, real_pdf(), content_type="application/pdf")


def page(response):
    return lxml.html.fromstring(response.content.decode())


def text_of(response):
    return " ".join(page(response).text_content().split())


def get(client, path, **kwargs):
    return client.get(path, HTTP_HOST=HOST, **kwargs)


def post(client, path, data=None, **kwargs):
    return client.post(path, data or {}, HTTP_HOST=HOST, **kwargs)


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Case numbers repeat from test to test (same day, rolled back): forget the lookup
    counters of the previous ones."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def setup(world, site_group):
    implementation = world.implementation()
    citizen = verified_citizen()
    return world, implementation, citizen


def entered(citizen, **changes):
    data = form_data(citizen)
    data.update(changes)
    data["_application_form"] = "1"
    return data


def start_draft(client, implementation):
    response = post(client, f"/banshi/items/{implementation.code}/apply/")
    assert response.status_code == 302
    return Case.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_the_catalog_apply_button_leads_into_the_hall(client, setup):
    _, implementation, citizen = setup
    client.force_login(citizen)
    response = get(client, f"/fuwu/items/{implementation.code}/apply/")
    assert response.status_code == 302
    assert response["Location"] == f"/banshi/items/{implementation.code}/apply/"
    response = get(client, response["Location"])
    assert response.status_code == 200
    assert "开始填写申请" in text_of(response)
    assert "居民身份证" in text_of(response)


def test_apply_needs_login_and_the_real_name_level(client, setup):
    _, implementation, _ = setup
    response = get(client, f"/banshi/items/{implementation.code}/apply/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sso/start")
    low = verified_citizen(level=2)
    client.force_login(low)
    response = post(client, f"/banshi/items/{implementation.code}/apply/")
    # Back to the catalog's page that explains how to reach the level; no draft made.
    assert response["Location"] == f"/fuwu/items/{implementation.code}/apply/"
    assert not Case.objects.filter(applicant=low).exists()


def test_the_applicant_journey(client, setup, django_capture_on_commit_callbacks):
    _, implementation, citizen = setup
    client.force_login(citizen)
    case = start_draft(client, implementation)
    assert case.status == CaseStatus.DRAFT and case.applicant == citizen
    # Applying again resumes the same draft.
    response = get(client, f"/banshi/items/{implementation.code}/apply/")
    assert response["Location"] == f"/banshi/drafts/{case.pk}/"

    # A draft with badly formatted values is saved as entered, the errors shown at the
    # fields.
    response = post(client, f"/banshi/drafts/{case.pk}/", entered(citizen, mobile="123", reason=""))
    assert response.status_code == 400
    tree = page(response)
    mobile = tree.xpath("//input[@name='mobile']")[0]
    assert mobile.get("aria-invalid") == "true" and mobile.get("value") == "123"
    assert "草稿已保存" in text_of(response)
    case.refresh_from_db()
    assert case.form_data["mobile"] == "123" and case.form_data["name"] == citizen.display_name

    # Submitting without the material: refused, the missing material named, nothing lost.
    response = post(client, f"/banshi/drafts/{case.pk}/submit/", entered(citizen))
    assert response.status_code == 400
    assert f"请上传“{MATERIAL}”" in text_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.form_data["mobile"] == citizen.mobile

    # An HTML file named .pdf is refused by content, the error next to the material.
    fake = SimpleUploadedFile("假.pdf", b"<html><script>x</script></html>", "application/pdf")
    response = post(
        client, f"/banshi/cases/{case.pk}/upload/", {"material_name": MATERIAL, "file": fake}
    )
    assert response.status_code == 302
    response = get(client, response["Location"].split("#")[0])
    assert page(response).xpath("//input[@type='file'][@aria-invalid='true']")
    assert not case.materials.exists()

    response = post(
        client,
        f"/banshi/cases/{case.pk}/upload/",
        {"material_name": MATERIAL, "file": pdf_file()},
    )
    assert response.status_code == 302
    material = case.materials.get()
    assert material.content_type == "application/pdf" and material.original_name == "身份证.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/banshi/drafts/{case.pk}/submit/", entered(citizen))
    assert response.status_code == 302
    assert response["Location"] == f"/banshi/drafts/{case.pk}/receipt/"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.number
    response = get(client, response["Location"])
    receipt_text = text_of(response)
    assert case.number in receipt_text and "请记下查询码" in receipt_text
    sms = RecordingSmsBackend.outbox[-1].text
    code = next(
        node.text_content().strip()
        for node in page(response).xpath("//dd[@class='hall-number']")
        if node.text_content().strip() != case.number
    )
    assert code in sms
    # Shown once.
    again = text_of(get(client, f"/banshi/drafts/{case.pk}/receipt/"))
    assert code not in again and case.number in again
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    href = f"/banshi/cases/{case.number}/files/document/{receipt.pk}/"
    assert page(response).xpath(f"//a[@href='{href}']")
    download = get(client, href)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # 我的办件 and the case page.
    mine = get(client, "/banshi/mine/")
    assert case.number in text_of(mine) and "已提交，待受理" in text_of(mine)
    assert page(mine).xpath(f"//a[@href='/banshi/cases/{case.number}/']")
    detail = get(client, f"/banshi/cases/{case.number}/")
    assert detail.status_code == 200
    detail_text = text_of(detail)
    assert "提交申请" in detail_text and "受理" in detail_text
    # The diagram's text alternative marks the current step (受理).
    current = page(detail).xpath("//li[@aria-current='step']")
    assert current and "受理" in current[0].text_content()
    material_href = f"/banshi/cases/{case.number}/files/material/{material.pk}/"
    assert page(detail).xpath(f"//a[@href='{material_href}']")
    assert get(client, material_href).status_code == 200
    # The draft page of a submitted case leads to the case.
    assert get(client, f"/banshi/drafts/{case.pk}/")["Location"] == f"/banshi/cases/{case.number}/"


def test_a_correction_round_through_the_pages(client, setup, django_capture_on_commit_callbacks):
    world, implementation, citizen = setup
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = make_submitted(implementation, citizen)
        actions.request_correction(
            task=open_task(case, Step.ACCEPT),
            staff=world.acceptor,
            items=[{"material": MATERIAL, "reason": "复印件不清晰，请重新上传"}],
        )
    client.force_login(citizen)
    response = get(client, f"/banshi/cases/{case.number}/")
    assert "请补正材料" in text_of(response) and "复印件不清晰" in text_of(response)
    # Resubmitting before uploading: refused with the reason.
    response = post(client, f"/banshi/cases/{case.number}/resubmit/")
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    assert "请上传补正的" in text_of(get(client, response["Location"]))
    response = post(
        client,
        f"/banshi/cases/{case.pk}/upload/",
        {"material_name": MATERIAL, "file": pdf_file("清晰的身份证.pdf")},
    )
    assert response["Location"] == f"/banshi/cases/{case.number}/#correction"
    assert "清晰的身份证.pdf" in text_of(get(client, f"/banshi/cases/{case.number}/"))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, f"/banshi/cases/{case.number}/resubmit/")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.corrections.get().resubmitted_at is not None


def test_withdrawal_needs_confirmation(client, setup):
    _, implementation, citizen = setup
    case, _ = make_submitted(implementation, citizen)
    client.force_login(citizen)
    response = post(client, f"/banshi/cases/{case.number}/withdraw/", {"withdraw-reason": ""})
    assert response.status_code == 400 and "请勾选确认后再撤回" in text_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    response = post(
        client, f"/banshi/cases/{case.number}/withdraw/", {"reason": "不办了", "confirm": "on"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.withdrawal_reason == "不办了"
    response = get(client, f"/banshi/cases/{case.number}/")
    assert "已撤回" in text_of(response) and not page(response).xpath("//section[@id='withdraw']")


def test_lookup_by_number_and_query_code(client, setup, settings):
    _, implementation, citizen = setup
    case, code = make_submitted(implementation, citizen)
    response = post(client, "/banshi/lookup/", {"number": case.number, "query_code": code})
    assert response.status_code == 200
    found = text_of(response)
    assert "已提交，待受理" in found and implementation.name in found
    # No personal data and no files.
    assert citizen.display_name not in found and citizen.mobile not in found
    assert not page(response).xpath("//a[contains(@href, '/files/')]")

    response = post(client, "/banshi/lookup/", {"number": case.number, "query_code": "WRONG234"})
    assert response.status_code == 400 and "不正确" in text_of(response)
    assert "已提交，待受理" not in text_of(response)


def test_wrong_query_codes_are_throttled(client, setup, settings):
    settings.LOGIN_MAX_FAILURES = 3
    _, implementation, citizen = setup
    case, code = make_submitted(implementation, citizen)
    for _ in range(2):
        response = post(client, "/banshi/lookup/", {"number": case.number, "query_code": "BAD"})
        assert response.status_code == 400
    response = post(client, "/banshi/lookup/", {"number": case.number, "query_code": "BAD"})
    assert response.status_code == 429 and "分钟后再试" in text_of(response)
    # Even the right code is refused while locked.
    response = post(client, "/banshi/lookup/", {"number": case.number, "query_code": code})
    assert response.status_code == 429 and "已提交，待受理" not in text_of(response)


def test_a_file_can_be_removed_from_a_draft(client, setup):
    _, implementation, citizen = setup
    client.force_login(citizen)
    case = start_draft(client, implementation)
    post(
        client,
        f"/banshi/cases/{case.pk}/upload/",
        {"material_name": MATERIAL, "file": pdf_file()},
    )
    material = case.materials.get()
    draft_page = page(get(client, f"/banshi/drafts/{case.pk}/"))
    assert draft_page.xpath(
        f"//form[@action='/banshi/cases/{case.pk}/remove/']"
        f"/input[@name='material'][@value='{material.pk}']"
    )
    response = post(client, f"/banshi/cases/{case.pk}/remove/", {"material": material.pk})
    assert response["Location"] == f"/banshi/drafts/{case.pk}/#materials"
    assert not case.materials.filter(superseded=False).exists()
    # Someone else's draft: 403, the file stays.
    post(
        client, f"/banshi/cases/{case.pk}/upload/", {"material_name": MATERIAL, "file": pdf_file()}
    )
    client.force_login(verified_citizen(name="王五"))
    again = case.materials.get(superseded=False)
    response = post(client, f"/banshi/cases/{case.pk}/remove/", {"material": again.pk})
    assert response.status_code == 403
    assert case.materials.filter(pk=again.pk, superseded=False).exists()
