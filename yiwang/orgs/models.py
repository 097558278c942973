from django.core.exceptions import ValidationError
from django.db import models
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省级"
    CITY = 2, "市级"
    COUNTY = 3, "县级"
    TOWNSHIP = 4, "乡级"


def stats_code(code: str) -> str:
    """The twelve-digit statistics code of a division code of 2, 4, 6, 9 or 12 digits."""
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise ValueError(f"不是有效的行政区划代码：{code!r}")
    return code.ljust(12, "0")


def level_of(code: str) -> int:
    code = stats_code(code)
    if code[2:] == "0" * 10:
        return RegionLevel.PROVINCE
    if code[4:] == "0" * 8:
        return RegionLevel.CITY
    if code[6:] == "0" * 6:
        return RegionLevel.COUNTY
    return RegionLevel.TOWNSHIP


class Region(models.Model):
    """An administrative region (行政区划). ``code`` is the twelve-digit statistics code;
    ``division_code`` the six-digit GB/T 2260 code (a township carries its county's)."""

    code = models.CharField("统计用区划代码", max_length=12, unique=True)
    division_code = models.CharField("行政区划代码", max_length=6, db_index=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        names = []
        region = self
        while region is not None:
            # Municipal districts sit under a placeholder "市辖区" city: leave it out.
            if region.name not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
                names.append(region.name)
            region = region.parent
        return "".join(reversed(names))

    def ancestors(self):
        region, chain = self.parent, []
        while region is not None:
            chain.append(region)
            region = region.parent
        return list(reversed(chain))


# Digits of the twelve-digit statistics code shared by a region and everything below it.
_PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
}


def region_prefix(region):
    """The code prefix of ``region``'s subtree (``Region.code__startswith``)."""
    return region.code[: _PREFIX_LENGTH.get(region.level, 12)]


def subtree_region_ids(region):
    """Primary keys of ``region`` and every region below it (a list)."""
    return list(
        Region.objects.filter(code__startswith=region_prefix(region)).values_list("pk", flat=True)
    )


def normalize_uscc(value):
    """The stored form of a credit code: upper case, without spaces or hyphens."""
    return stdnum_uscc.compact(value or "")


def validate_uscc(value):
    if not value:
        return
    try:
        stdnum_uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            "统一社会信用代码无效（长度、字符或校验位不正确）：%(value)s",
            code="invalid_uscc",
            params={"value": value},
        ) from exc


class Department(models.Model):
    """A government department or body that belongs to a region."""

    name = models.CharField("名称", max_length=200)
    short_name = models.CharField("简称", max_length=50, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Empty when not yet known; unique among departments that have one.
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_uscc]
    )
    functions = models.TextField("主要职责", blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=50, blank=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~models.Q(uscc=""),
                name="department_uscc_unique",
                violation_error_code="duplicate_uscc",
                violation_error_message="已有部门使用这个统一社会信用代码。",
            ),
            models.UniqueConstraint(
                fields=["region", "name"],
                name="department_name_per_region",
                violation_error_code="duplicate_name",
                violation_error_message="同一区划下已有同名部门。",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = normalize_uscc(self.uscc)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.uscc = normalize_uscc(self.uscc)


class ServiceCentre(models.Model):
    """A physical government service centre (政务服务中心) of a region."""

    name = models.CharField("名称", max_length=200)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="service_centres"
    )
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)

    class Meta:
        verbose_name = "政务服务中心"
        verbose_name_plural = "政务服务中心"
        ordering = ["region__code", "name"]

    def __str__(self):
        return self.name
