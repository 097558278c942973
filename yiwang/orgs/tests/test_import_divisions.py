"""Importing administrative divisions: all of the real national list, and bad input."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from yiwang.core.models import AuditEvent
from yiwang.orgs.importers import DivisionImportError, import_divisions
from yiwang.orgs.models import Region, RegionLevel

REAL = Path(settings.BASE_DIR).parent / "shared" / "real-material" / "admin-divisions-modood"
needs_real = pytest.mark.skipif(
    not (REAL / "streets.csv").is_file(),
    reason=f"the real division list is not at {REAL} (../shared beside the repository)",
)


def level_counts():
    return {level: Region.objects.filter(level=level).count() for level in RegionLevel.values}


def chain(code):
    region = Region.objects.get(code=code)
    return [(r.code, r.name, r.level) for r in [region, *reversed(region.ancestors())]]


@pytest.mark.slow
@needs_real
@pytest.mark.django_db
def test_imports_the_whole_country_and_a_second_run_changes_nothing():
    result = import_divisions(REAL)

    # Rows in the files: 31 provinces, 342 cities, 2,978 counties, 41,352 towns.
    assert [level.rows_read for level in result.levels] == [31, 342, 2978, 41352]
    # Three "counties" repeat their city (东莞市, 中山市, 儋州市 have no counties) and one
    # "town" repeats its county (金门县): same statistics code, same region.
    assert [level.folded for level in result.levels] == [0, 0, 3, 1]
    assert level_counts() == {
        RegionLevel.PROVINCE: 31,
        RegionLevel.CITY: 342,
        RegionLevel.COUNTY: 2975,
        RegionLevel.TOWNSHIP: 41351,
    }
    assert chain("110101001000") == [
        ("110101001000", "东华门街道", RegionLevel.TOWNSHIP),
        ("110101000000", "东城区", RegionLevel.COUNTY),
        ("110100000000", "市辖区", RegionLevel.CITY),
        ("110000000000", "北京市", RegionLevel.PROVINCE),
    ]
    assert Region.objects.get(code="110101001000").division_code == "110101"
    assert Region.objects.get(code="110101001000").full_name == "北京市东城区东华门街道"
    # Towns of 东莞 hang from the city itself.
    dongguan_town = Region.objects.filter(code__startswith="441900").exclude(code="441900000000")[0]
    assert dongguan_town.parent.code == "441900000000"
    assert dongguan_town.parent.name == "东莞市"
    assert Region.objects.get(code="330100000000").name == "杭州市"
    assert Region.objects.filter(parent__code="330000000000").count() == 11
    assert AuditEvent.objects.filter(action="orgs.import_divisions").count() == 1

    snapshot = dict(Region.objects.values_list("code", "pk"))
    again = import_divisions(REAL)
    assert (again.created, again.updated) == (0, 0)
    assert [level.unchanged for level in again.levels] == [31, 342, 2975, 41351]
    assert dict(Region.objects.values_list("code", "pk")) == snapshot

    # A name changed by hand is put back, and nothing else is touched.
    Region.objects.filter(code="110101001000").update(name="改错的名字")
    third = import_divisions(REAL)
    assert (third.created, third.updated) == (0, 1)
    assert Region.objects.get(code="110101001000").name == "东华门街道"


@needs_real
@pytest.mark.django_db
def test_command_imports_one_province(capsys):
    call_command("import_divisions", str(REAL), province="33", verbosity=1)
    out = capsys.readouterr().out
    assert "县级：读取 90 行，新增 90" in out
    assert level_counts() == {
        RegionLevel.PROVINCE: 1,
        RegionLevel.CITY: 11,
        RegionLevel.COUNTY: 90,
        RegionLevel.TOWNSHIP: 1387,
    }
    assert not Region.objects.exclude(code__startswith="33").exists()
    assert chain("330102001000")[-2:] == [
        ("330100000000", "杭州市", RegionLevel.CITY),
        ("330000000000", "浙江省", RegionLevel.PROVINCE),
    ]


# --- Small hand-made directories ------------------------------------------------------


GOOD = {
    "provinces.csv": 'code,name\n99,"示范省"\n',
    "cities.csv": 'code,name,provinceCode\n9901,"青山市",99\n',
    "areas.csv": 'code,name,cityCode,provinceCode\n990102,"松林县",9901,99\n',
    "streets.csv": (
        "code,name,areaCode,provinceCode,cityCode\n"
        '990102101,"青石镇",990102,99,9901\n'
        '990102102,"白沙镇",990102,99,9901\n'
    ),
}


def write_dir(path, **overrides):
    files = {**GOOD, **overrides}
    for name, text in files.items():
        if text is not None:
            (path / name).write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_small_directory_imports_and_names_are_updated(tmp_path):
    write_dir(tmp_path)
    result = import_divisions(tmp_path)
    assert result.created == 5
    assert Region.objects.get(code="990102102000").parent.code == "990102000000"

    write_dir(tmp_path, **{"streets.csv": GOOD["streets.csv"].replace("白沙镇", "白沙街道")})
    result = import_divisions(tmp_path)
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="990102102000").name == "白沙街道"


@pytest.mark.django_db
def test_missing_file_is_reported_and_nothing_is_written(tmp_path):
    write_dir(tmp_path, **{"streets.csv": None})
    with pytest.raises(CommandError) as excinfo:
        call_command("import_divisions", str(tmp_path), verbosity=0)
    assert "缺少文件" in str(excinfo.value)
    assert "streets.csv" in str(excinfo.value)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path):
    streets = (
        "code,name,areaCode,provinceCode,cityCode\n"
        '990102101,"青石镇",990102,99,9901\n'
        '99010210,"短代码",990102,99,9901\n'
        '990103101,"无上级",990103,99,9901\n'
        '990102101,"重复",990102,99,9901\n'
        '990102103,"",990102,99,9901\n'
        '990102104,"错上级",990109,99,9901\n'
    )
    write_dir(tmp_path, **{"streets.csv": streets})
    with pytest.raises(DivisionImportError) as excinfo:
        import_divisions(tmp_path)
    errors = excinfo.value.errors
    assert errors == [
        "streets.csv 第 3 行：代码应为 9 位数字，实为 '99010210'",
        "streets.csv 第 4 行：上级区划 990103 不存在",
        "streets.csv 第 5 行：代码 990102101 与第 2 行重复",
        "streets.csv 第 6 行：名称为空",
        "streets.csv 第 7 行：代码 '990102104' 不在上级区划 990109 之下",
    ]
    # The good provinces, cities and counties were not written either.
    assert not Region.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_bad_header_encoding_and_province_option(tmp_path):
    write_dir(tmp_path, **{"cities.csv": "code,title\n9901,青山市\n"})
    with pytest.raises(DivisionImportError, match="cities.csv 缺少列：name、provinceCode"):
        import_divisions(tmp_path)

    write_dir(tmp_path)
    (tmp_path / "areas.csv").write_bytes("code,name,cityCode\n990102,松林县,9901\n".encode("gbk"))
    with pytest.raises(DivisionImportError, match="areas.csv 不是 UTF-8 编码"):
        import_divisions(tmp_path)

    write_dir(tmp_path)
    with pytest.raises(CommandError, match="省级代码应为两位数字"):
        call_command("import_divisions", str(tmp_path), province="zj", verbosity=0)
    with pytest.raises(CommandError, match="没有代码为 33 的省级区划"):
        call_command("import_divisions", str(tmp_path), province="33", verbosity=0)
    with pytest.raises(CommandError, match="目录不存在"):
        call_command("import_divisions", str(tmp_path / "nowhere"), verbosity=0)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_existing_regions_are_adopted_not_duplicated(tmp_path, regions):
    """The fixture's regions (created by hand) have the same codes: the import updates
    them in place."""
    write_dir(tmp_path)
    result = import_divisions(tmp_path)
    assert result.created == 1  # only 白沙镇 990102102 is new
    assert Region.objects.get(code="990102101000").pk == regions["town_a"].pk
    assert Region.objects.count() == 7
