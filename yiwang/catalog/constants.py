"""Fixed lists of the service catalog, with the national codes and the labels users see."""

from django.db import models


class ItemType(models.IntegerChoices):
    """事项类型 with the national codes used in real data (STANDARDS.md)."""

    LICENSING = 1, "行政许可"
    PENALTY = 2, "行政处罚"
    ENFORCEMENT = 3, "行政强制"
    LEVY = 4, "行政征收"
    PAYMENT = 5, "行政给付"
    INSPECTION = 6, "行政检查"
    CONFIRMATION = 7, "行政确认"
    AWARD = 8, "行政奖励"
    ADJUDICATION = 9, "行政裁决"
    OTHER_POWER = 10, "其他行政权力"
    PUBLIC_SERVICE = 20, "公共服务"


# The types that are administrative powers and go on a department's power list.
POWER_TYPES = frozenset(t for t in ItemType if t != ItemType.PUBLIC_SERVICE)


class Audience(models.TextChoices):
    """服务对象."""

    INDIVIDUAL = "individual", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    BOTH = "both", "自然人、法人"


class ThemeAudience(models.TextChoices):
    INDIVIDUAL = "individual", "个人办事"
    LEGAL_PERSON = "legal_person", "法人办事"


class ThemeKind(models.TextChoices):
    TOPIC = "topic", "主题分类"
    LIFE_EVENT = "life_event", "人生事件（企业生命周期）"


class OnlineDepth(models.IntegerChoices):
    """网上办理深度."""

    GUIDE = 1, "一级：网上办事指南"
    FORMS = 2, "二级：表格下载"
    ONLINE_APPLICATION = 3, "三级：网上申请、现场取件"
    FULLY_ONLINE = 4, "四级：全程网办"


# From this depth on, the item page shows "apply online".
ONLINE_APPLICATION_DEPTH = OnlineDepth.ONLINE_APPLICATION


class Variant(models.TextChoices):
    """业务办理项: the business variant of an implementation."""

    NONE = "", "（不区分）"
    NEW = "new", "新设"
    CHANGE = "change", "变更"
    RENEWAL = "renewal", "延续"
    CANCELLATION = "cancellation", "注销"
    REISSUE = "reissue", "补办"
    OTHER = "other", "其他"


class LimitKind(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", "即办件"
    PROMISED = "promised", "承诺件"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    ORIGINAL_AND_COPY = "original_and_copy", "原件和复印件"
    ELECTRONIC = "electronic", "电子件"


class MaterialNecessity(models.TextChoices):
    REQUIRED = "required", "必要"
    CONDITIONAL = "conditional", "容缺后补"
    OPTIONAL = "optional", "非必要"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人自备"
    GOVERNMENT = "government", "政府部门核发"
    INTERMEDIARY = "intermediary", "中介机构出具"
    OTHER = "other", "其他"


class LawLevel(models.TextChoices):
    """Ordered higher law first: the guide lists legal basis in this order."""

    LAW = "law", "法律"
    ADMINISTRATIVE_REGULATION = "administrative_regulation", "行政法规"
    LOCAL_REGULATION = "local_regulation", "地方性法规"
    DEPARTMENT_RULE = "department_rule", "部门规章"
    LOCAL_RULE = "local_rule", "地方政府规章"
    NORMATIVE_DOCUMENT = "normative_document", "规范性文件"


LAW_LEVEL_ORDER = {level: index for index, level in enumerate(LawLevel)}


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", "窗口领取"
    POST = "post", "邮政寄递"
    ELECTRONIC = "electronic", "电子证照/电子送达"


class ResultType(models.TextChoices):
    LICENSE = "license", "证照"
    APPROVAL = "approval", "批文"
    OTHER = "other", "其他"


class ImplementationStatus(models.TextChoices):
    IN_FORCE = "in_force", "在用"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "取消"


# The ten key guide elements of the national website check (STANDARDS.md), in its order,
# with the labels the completeness report shows.
KEY_ELEMENTS = {
    "name": "事项名称",
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "materials": "申请材料",
    "place": "办理地点",
    "implementing_body": "实施主体",
    "fees": "收费标准",
    "hours": "办理时间",
    "phone": "咨询电话",
    "process": "办理流程",
}

# The service veto rule of the national check: 4+ of the 10 key elements missing in 5+ items.
VETO_MISSING_ELEMENTS = 4
VETO_ITEMS = 5

# Responsibilities every power of a type carries on the responsibility list (责任清单).
STANDARD_RESPONSIBILITIES = {
    "受理责任": (
        "公示应当提交的材料，一次性告知补正材料，依法受理或不予受理（不予受理的说明理由）。"
    ),
    "审查责任": "对申请材料进行审查，提出审查意见；依法需要现场核查、听证的，组织实施。",
    "决定责任": "作出决定，不予批准的说明理由并告知申请人享有的救济权利。",
    "送达责任": "准予的，制作并送达文书或证照，信息公开。",
    "事后监管责任": "依法对被许可人或相对人开展监督检查，查处违法行为。",
    "其他责任": "法律法规规章文件规定应履行的其他责任。",
}
ACCOUNTABILITY = (
    "因不履行或不正确履行行政职责，有下列情形的，行政机关及相关工作人员应承担相应责任："
    "对符合条件的申请不予受理、不予批准或不在法定期限内作出决定的；"
    "对不符合条件的申请准予批准或超越法定职权作出决定的；"
    "未一次性告知应补正的全部内容的；"
    "擅自收费或不按照法定项目和标准收费的；"
    "在办理过程中滥用职权、玩忽职守、徇私舞弊、索取或收受他人财物的；"
    "其他违反法律法规规章文件规定的行为。"
)
