import datetime

from yiwang.portal.constants import ColumnType, SubjectCategory
from yiwang.portal.models import ColumnPage, PolicyDocumentPage
from yiwang.portal.sitegroup import child_portals, parent_portal


def test_portals_link_down_the_administrative_hierarchy(site_group):
    province = site_group["province"].root_page.specific
    city = site_group["city"].root_page.specific
    assert [p.title for p in child_portals(province)] == ["青山市人民政府"]
    assert [p.title for p in child_portals(city)] == ["松林县人民政府", "临溪县人民政府"]
    assert parent_portal(city).pk == province.pk


def test_policy_documents_get_sequential_index_numbers_per_site(site_group):
    home = site_group["county_a"].root_page
    column = home.add_child(
        instance=ColumnPage(title="政策文件", slug="zcwj", column_type=ColumnType.POLICY)
    )
    numbers = []
    for i in range(3):
        doc = PolicyDocumentPage(
            title=f"文件{i}",
            slug=f"doc{i}",
            issuing_authority="松林县人民政府",
            date_written=datetime.date(2026, 1, 5),
            subject_category=SubjectCategory.GENERAL,
        )
        column.add_child(instance=doc)
        numbers.append(doc.index_number)
    year = doc.publish_date.year
    assert numbers == [f"9901020001/{year}-0000{i}" for i in (1, 2, 3)]
