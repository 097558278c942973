"""The demo's service guides (办事指南): written for the demo, not copied from any website.

Each ``Item`` is one base catalog item with the guide its implementations share; ``at`` names
where it is implemented: ``(place code, department key)`` pairs of ``geography.py`` (plus the
catalog's extra department kinds in ``EXTRA_KINDS``). In texts, ``{地}`` becomes the name of
the implementing region and ``{部门}`` that of the implementing department.

Legal bases name real laws and regulations; an article number or text is given only where it
is certain, and left empty otherwise. Places, phones and postcodes are the demo's invented
ones (read from the demo's departments and service centres when the guide is built).
"""

from dataclasses import dataclass, field

# The department kinds the catalog needs beyond the seven of ``geography.DEPARTMENT_KINDS``:
# key -> names at province, city and county level, and main duties.
EXTRA_KINDS = {
    "police": (("公安厅", "公安局", "公安局"), "负责户籍、居民身份证、出入境和道路交通安全管理"),
    "civil": (("民政厅", "民政局", "民政局"), "负责婚姻登记、社会组织登记管理和社会救助工作"),
    "medical": (
        ("医疗保障局", "医疗保障局", "医疗保障局"),
        "负责基本医疗保险、生育保险和医疗救助的经办管理",
    ),
    "transport": (
        ("交通运输厅", "交通运输局", "交通运输局"),
        "负责公路、水路运输市场监管和道路运输经营许可",
    ),
    "housing": (
        ("住房和城乡建设厅", "住房和城乡建设局", "住房和城乡建设局"),
        "负责建筑市场、工程质量安全和城乡建设管理",
    ),
}

# Credit-code serials of the extra departments (the builder's own run from 1 per division).
EXTRA_SERIAL_START = 101

# -- laws: (name, level, document number) ----------------------------------------------------

LICENSING_LAW = ("中华人民共和国行政许可法", "law", "")
CIVIL_CODE = ("中华人民共和国民法典", "law", "")
ID_CARD_LAW = ("中华人民共和国居民身份证法", "law", "")
HUKOU_RULES = ("中华人民共和国户口登记条例", "law", "")
MARRIAGE_RULES = ("婚姻登记条例", "administrative_regulation", "")
SOCIAL_INSURANCE_LAW = ("中华人民共和国社会保险法", "law", "")
UNEMPLOYMENT_RULES = ("失业保险条例", "administrative_regulation", "")
MARKET_ENTITY_RULES = ("中华人民共和国市场主体登记管理条例", "administrative_regulation", "")
COMPANY_LAW = ("中华人民共和国公司法", "law", "")
INDIVIDUAL_BUSINESS_RULES = ("促进个体工商户发展条例", "administrative_regulation", "")
FOOD_SAFETY_LAW = ("中华人民共和国食品安全法", "law", "")
FOOD_LICENCE_RULES = ("食品经营许可和备案管理办法", "department_rule", "")
FOOD_PRODUCTION_RULES = ("食品生产许可管理办法", "department_rule", "")
SPECIAL_EQUIPMENT_LAW = ("中华人民共和国特种设备安全法", "law", "")
CONSTRUCTION_LAW = ("中华人民共和国建筑法", "law", "")
CONSTRUCTION_PERMIT_RULES = ("建筑工程施工许可管理办法", "department_rule", "")
ROAD_TRANSPORT_RULES = ("中华人民共和国道路运输条例", "administrative_regulation", "")
TEACHERS_LAW = ("中华人民共和国教师法", "law", "")
TEACHER_QUALIFICATION_RULES = ("教师资格条例", "administrative_regulation", "")
COMPULSORY_EDUCATION_LAW = ("中华人民共和国义务教育法", "law", "")
SOCIAL_GROUP_RULES = ("社会团体登记管理条例", "administrative_regulation", "")
ROAD_SAFETY_LAW = ("中华人民共和国道路交通安全法", "law", "")
DRIVING_LICENCE_RULES = ("机动车驾驶证申领和使用规定", "department_rule", "")
REAL_ESTATE_RULES = ("不动产登记暂行条例", "administrative_regulation", "")
PLANNING_LAW = ("中华人民共和国城乡规划法", "law", "")
LAND_LAW = ("中华人民共和国土地管理法", "law", "")
MATERNAL_HEALTH_LAW = ("中华人民共和国母婴保健法", "law", "")
POPULATION_LAW = ("中华人民共和国人口与计划生育法", "law", "")
PUBLIC_PLACES_RULES = ("公共场所卫生管理条例", "administrative_regulation", "")
PHYSICIANS_LAW = ("中华人民共和国医师法", "law", "")
ENVIRONMENT_LAW = ("中华人民共和国环境保护法", "law", "")
EIA_LAW = ("中华人民共和国环境影响评价法", "law", "")
DISCHARGE_PERMIT_RULES = ("排污许可管理条例", "administrative_regulation", "")
INVESTMENT_RULES = ("企业投资项目核准和备案管理条例", "administrative_regulation", "")
ENERGY_LAW = ("中华人民共和国节约能源法", "law", "")
SOCIAL_ASSISTANCE_RULES = ("社会救助暂行办法", "administrative_regulation", "")
EMPLOYMENT_SERVICE_RULES = ("就业服务与就业管理规定", "department_rule", "")
EMPLOYMENT_LAW = ("中华人民共和国就业促进法", "law", "")
RURAL_PENSION_OPINION = (
    "国务院关于建立统一的城乡居民基本养老保险制度的意见",
    "normative_document",
    "国发〔2014〕8号",
)
CROSS_REGION_MEDICAL_NOTICE = (
    "国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知",
    "normative_document",
    "医保发〔2022〕22号",
)
REAL_ESTATE_FEE_BASIS = (
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
)
REAL_ESTATE_FEE_NOTICE = (
    "国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知",
    "normative_document",
    "发改价格规〔2016〕2559号",
)


def basis(law, article="", text=""):
    return {"law": law, "article": article, "text": text}


ART_29 = basis(
    LICENSING_LAW,
    "第二十九条",
    "公民、法人或者其他组织从事特定活动，依法需要取得行政许可的，应当向行政机关提出申请。"
    "申请书需要采用格式文本的，行政机关应当向申请人提供行政许可申请书格式文本。"
    "申请书格式文本中不得包含与申请行政许可事项没有直接关系的内容。",
)
ART_42 = basis(LICENSING_LAW, "第四十二条")


# -- the parts of a guide ------------------------------------------------------------------


@dataclass(frozen=True)
class Mat:
    """A material: form original / copy / original_and_copy / electronic; necessity required
    / conditional / optional; source applicant / government / intermediary / other; ``blank``
    names a form of ``FORMS`` attached as blank and sample form."""

    name: str
    form: str = "original"
    copies: int = 1
    necessity: str = "required"
    source: str = "applicant"
    note: str = ""
    license: str = ""
    situations: str = ""
    requirements: str = ""
    paper: str = "A4"
    blank: str = ""


ID_CARD = Mat(
    "申请人居民身份证",
    form="original",
    source="government",
    note="公安机关核发",
    license="居民身份证",
    requirements="核验原件后退还；已授权调用电子证照的可免于提交。",
    paper="",
)
HUKOU_BOOK = Mat(
    "居民户口簿",
    form="original",
    source="government",
    note="公安机关核发",
    license="居民户口簿",
    requirements="核验原件后退还。",
    paper="",
)
BUSINESS_LICENCE = Mat(
    "营业执照",
    form="copy",
    source="government",
    note="市场监督管理部门核发",
    license="营业执照",
    requirements="加盖申请单位公章；可用电子营业执照替代。",
)
LEGAL_REP_ID = Mat(
    "法定代表人（负责人）身份证明",
    form="copy",
    source="government",
    note="公安机关核发",
    license="居民身份证",
    requirements="复印件加盖申请单位公章。",
)
POWER_OF_ATTORNEY = Mat(
    "授权委托书及受托人身份证明",
    form="original",
    necessity="conditional",
    requirements="委托他人办理时提交，委托书写明委托事项和权限，由委托人签字或盖章。",
)


@dataclass(frozen=True)
class Item:
    key: str
    code: str  # 基本编码
    name: str
    item_type: int  # constants.ItemType
    at: tuple  # ((place code, department key), ...)
    audience: str
    themes: tuple
    summary: str
    conditions: tuple
    bases: tuple
    materials: tuple
    steps: tuple  # (name, description, working days, handler)
    statutory: int | None
    promised: int | None  # None: on the spot (即办件)
    window: str  # the counter within the service centre
    result: str
    result_type: str = "license"
    delivery: tuple = ("pickup",)
    visits: int = 1
    visit_reason: str = ""
    depth: int = 3
    real_name_level: int = 3
    situations: tuple = ()  # (code, name, description)
    specials: tuple = ()  # (name, days, counts in limit, description)
    fees: tuple = ()  # (name, standard, basis, reducible, reduction note)
    questions: tuple = ()  # (question, answer)
    prohibitions: str = ""
    statutory_note: str = ""
    responsibility_notes: str = ""
    variant: str = ""
    variant_of: str = ""  # key of the main item
    business_item: int = 0
    sequence: int = 0
    at_department: bool = False  # handled at the department's own office, not the centre
    competent: str = ""  # competent department (主管部门) of the base item
    levels: str = "省级、市级、县级"
    extra: dict = field(default_factory=dict)


def steps(*rows):
    return tuple(rows)


STANDARD_STEPS = steps(
    (
        "受理",
        "窗口核对申请材料，材料齐全、符合法定形式的当场受理；不齐全的一次性告知需补正的全部内容。",
        1,
        "综合受理窗口",
    ),
    ("审查", "对申请材料进行审查，需要现场核查的组织核查，提出审查意见。", 2, "业务科室经办人"),
    (
        "决定",
        "作出准予或不予许可的决定，不予许可的说明理由并告知申请人享有的救济权利。",
        1,
        "业务科室负责人",
    ),
    ("送达", "制作证照或决定书，通过窗口领取、邮政寄递或电子送达交付申请人。", 1, "综合出件窗口"),
)

COUNTIES = ("990121", "990122", "990221")


ITEMS = (
    # -- province -----------------------------------------------------------------------------
    Item(
        key="special-food-production",
        code="991A1500100000",
        name="食品生产许可（保健食品、特殊医学用途配方食品、婴幼儿配方食品）",
        item_type=1,
        at=(("99", "market"),),
        audience="legal_person",
        themes=("l-permits", "l-health", "le-operate"),
        summary="在{地}行政区域内从事保健食品、特殊医学用途配方食品、婴幼儿配方食品生产的企业，"
        "应当取得食品生产许可证。",
        conditions=(
            "申请人已依法取得营业执照等合法主体资格。",
            "具有与生产的食品品种、数量相适应的生产场所、生产设备或者设施。",
            "具有专职或者兼职的食品安全专业技术人员、食品安全管理人员和保证食品安全的规章制度。",
            "具有合理的设备布局和工艺流程，防止交叉污染。",
            "产品已按规定取得注册或者完成备案。",
        ),
        bases=(
            basis(
                FOOD_SAFETY_LAW,
                "第三十五条",
            ),
            ART_29,
            basis(FOOD_PRODUCTION_RULES),
        ),
        materials=(
            Mat("食品生产许可申请书", blank="food-licence"),
            BUSINESS_LICENCE,
            Mat("食品生产设备布局图和食品生产工艺流程图", copies=1),
            Mat("食品生产主要设备、设施清单", copies=1),
            Mat("食品安全专业技术人员、食品安全管理人员名单和食品安全管理制度", copies=1),
            Mat(
                "产品注册证书或备案凭证",
                form="copy",
                source="government",
                note="国家或省级市场监督管理部门出具",
            ),
            POWER_OF_ATTORNEY,
        ),
        steps=steps(
            (
                "受理",
                "审查申请材料，当场或在5个工作日内作出受理决定。",
                1,
                "省政务服务中心市场监管窗口",
            ),
            ("材料审查", "对申请材料的实质内容进行核实。", 3, "食品生产安全监督管理处"),
            ("现场核查", "组织核查人员对生产场所进行现场核查。", 6, "核查组"),
            ("决定", "根据核查结论作出许可决定。", 2, "处室负责人"),
            ("制证送达", "准予许可的颁发食品生产许可证。", 1, "出件窗口"),
        ),
        specials=(
            ("现场核查", 10, False, "核查人员自接受任务之日起10个工作日内完成，不计入审批时限。"),
        ),
        statutory=20,
        promised=13,
        window="一楼市场监管窗口",
        result="食品生产许可证",
        delivery=("pickup", "post", "electronic"),
        depth=3,
        competent="市场监督管理部门",
        levels="省级",
        questions=(
            (
                "许可证有效期是多长？",
                "食品生产许可证有效期为5年，期满需继续生产的，应在有效期届满30个工作日前申请延续。",
            ),
            (
                "能否网上提交申请？",
                "可以。登录本网站在线申请并上传材料，现场核查通过后可选择邮寄领取证书。",
            ),
        ),
    ),
    Item(
        key="university-teacher",
        code="991A0300100000",
        name="高等学校教师资格认定",
        item_type=1,
        at=(("99", "edu"),),
        audience="individual",
        themes=("p-qualification", "p-education", "pe-job"),
        summary="具备《中华人民共和国教师法》规定学历、拟在高等学校任教的人员，申请认定高等学校教师资格。",
        conditions=(
            "遵守宪法和法律，热爱教育事业，具有良好的思想品德。",
            "具备研究生或者大学本科学历。",
            "具有教育教学能力，经高等学校组织的教育教学能力测试合格。",
            "体检合格。",
        ),
        bases=(
            basis(TEACHERS_LAW, "第十条"),
            basis(TEACHERS_LAW, "第十三条"),
            basis(TEACHER_QUALIFICATION_RULES),
        ),
        materials=(
            ID_CARD,
            Mat(
                "学历证书",
                form="original_and_copy",
                source="other",
                note="毕业院校颁发",
                license="学历证书",
                requirements="可通过学信网在线核验的免于提交。",
            ),
            Mat("教育教学能力测试合格证明", source="other", note="申请人所在高等学校出具"),
            Mat("教师资格认定体检表", source="intermediary", note="指定医院出具"),
            Mat(
                "近期免冠正面证件照",
                form="electronic",
                requirements="白底，JPG格式，不小于 10KB。",
                paper="",
            ),
        ),
        steps=steps(
            ("网上申报", "申请人登录网上平台填写申请信息、上传照片。", 0, "申请人"),
            ("受理", "核对申请材料，材料齐全的予以受理。", 2, "省教育厅教师工作处"),
            ("审查", "审查学历、能力测试和体检结论。", 10, "专家审查委员会"),
            ("决定", "作出认定或不予认定的决定。", 3, "教师工作处负责人"),
            ("送达", "颁发教师资格证书。", 1, "出件窗口"),
        ),
        statutory=30,
        promised=16,
        statutory_note="《教师资格条例》规定的认定期限",
        window="一楼教育窗口",
        result="高等学校教师资格证书",
        delivery=("pickup", "post"),
        depth=3,
        competent="教育行政部门",
        levels="省级",
        questions=(
            (
                "每年什么时候可以申请？",
                "每年春季、秋季各集中受理一次，具体时间以省教育厅当年发布的公告为准。",
            ),
        ),
    ),
    Item(
        key="pension-transfer",
        code="991S0700100000",
        name="企业职工基本养老保险关系转移接续",
        item_type=20,
        at=(("99", "hrss"),),
        audience="individual",
        themes=("p-social-security", "pe-job", "pe-retire"),
        summary="参保人员跨省、跨统筹地区流动就业，转移接续企业职工基本养老保险关系，缴费年限累计计算。",
        conditions=(
            "已参加企业职工基本养老保险。",
            "已在新就业地参保，或已达到领取待遇条件需归集参保关系。",
            "未同时存续两个及以上基本养老保险关系（重复的须先清理）。",
        ),
        bases=(
            basis(
                SOCIAL_INSURANCE_LAW,
                "第十九条",
                "个人跨统筹地区就业的，其基本养老保险关系随本人转移，缴费年限累计计算。"
                "个人达到法定退休年龄时，基本养老金分段计算、统一支付。"
                "具体办法由国务院规定。",
            ),
        ),
        materials=(
            ID_CARD,
            Mat(
                "基本养老保险关系转移接续申请表",
                requirements="可在网上申请时在线填写，无需另交纸质表。",
            ),
        ),
        steps=steps(
            ("申请", "向转入地社会保险经办机构提出申请，或在网上提交。", 0, "申请人"),
            ("联系函", "转入地核对信息后向转出地发出联系函。", 5, "转入地经办机构"),
            ("转出", "转出地办理转出手续，转移基金。", 15, "转出地经办机构"),
            ("接续", "转入地归集个人账户、记录缴费年限。", 10, "转入地经办机构"),
        ),
        statutory=45,
        promised=30,
        statutory_note="转出地和转入地各自的办理期限合计",
        window="二楼社会保险窗口",
        result="基本养老保险关系转移接续完成（参保缴费凭证）",
        result_type="other",
        delivery=("electronic",),
        visits=0,
        depth=4,
        real_name_level=3,
        competent="人力资源社会保障部门",
        levels="省级、市级、县级",
        questions=(
            (
                "需要回原参保地办理吗？",
                "不需要。向新就业地社会保险经办机构申请或在网上提交，两地经办机构之间传递信息。",
            ),
            ("转移后缴费年限会减少吗？", "不会，缴费年限累计计算。"),
        ),
    ),
    Item(
        key="eia-report",
        code="991A0900100000",
        name="建设项目环境影响报告书审批",
        item_type=1,
        at=(("99", "env"),),
        audience="legal_person",
        themes=("l-environment", "l-investment", "le-invest"),
        summary="按照分级审批权限，由省级生态环境主管部门审批的建设项目环境影响报告书。",
        conditions=(
            "建设项目符合生态环境保护法律法规和相关规划。",
            "环境影响报告书已按规定编制，内容符合技术导则要求。",
            "已依法开展公众参与。",
        ),
        bases=(
            basis(ENVIRONMENT_LAW, "第十九条"),
            basis(EIA_LAW, "第二十二条"),
        ),
        materials=(
            Mat("建设项目环境影响报告书审批申请", requirements="加盖建设单位公章。"),
            Mat(
                "建设项目环境影响报告书（全本）",
                copies=2,
                source="intermediary",
                note="环境影响评价技术单位编制",
            ),
            Mat("公众参与说明", copies=1),
            Mat(
                "删除涉及国家秘密和商业秘密内容的公示本及说明",
                form="electronic",
                necessity="optional",
            ),
        ),
        steps=steps(
            ("受理", "核对申请材料，符合要求的予以受理并在网站公开受理信息。", 1, "行政审批窗口"),
            ("技术评估", "委托技术评估机构对报告书进行技术评估。", 0, "省环境工程评估中心"),
            ("审查", "审查项目的环境可行性，拟批准前公示。", 20, "环境影响评价处"),
            ("决定", "作出审批决定并书面通知建设单位。", 3, "厅务会"),
        ),
        specials=(
            ("技术评估", 30, False, "技术评估时间不计入审批时限。"),
            ("拟批准前公示", 5, False, "公示期间不计入审批时限。"),
        ),
        statutory=60,
        promised=30,
        statutory_note="收到环境影响报告书之日起六十日内",
        window="一楼生态环境窗口",
        result="建设项目环境影响报告书批复",
        result_type="approval",
        delivery=("pickup", "electronic"),
        depth=3,
        competent="生态环境部门",
        levels="省级",
        questions=(
            (
                "哪些项目由省里审批？",
                "按照省生态环境厅公布的建设项目环境影响评价文件分级审批目录确定。",
            ),
        ),
    ),
    Item(
        key="energy-review",
        code="991Z0200100000",
        name="固定资产投资项目节能审查",
        item_type=10,
        at=(("99", "ndrc"),),
        audience="legal_person",
        themes=("l-investment", "l-climate", "le-invest"),
        summary="年综合能源消费量达到规定标准的固定资产投资项目，开工建设前应当通过节能审查。",
        conditions=(
            "项目符合国家和省的产业政策、能耗双控要求。",
            "节能报告内容完整，用能工艺和设备符合强制性节能标准。",
        ),
        bases=(
            basis(
                ENERGY_LAW,
                "第十五条",
                "国家实行固定资产投资项目节能评估和审查制度。不符合强制性节能标准的项目，"
                "建设单位不得开工建设；已经建成的，不得投入生产、使用。"
                "政府投资项目不符合强制性节能标准的，依法负责项目审批的机关不得批准建设。"
                "具体办法由国务院管理节能工作的部门会同国务院有关部门制定。",
            ),
        ),
        materials=(
            Mat("节能审查申请文件", requirements="加盖建设单位公章。"),
            Mat(
                "项目节能报告", copies=2, source="intermediary", note="建设单位或委托的咨询机构编制"
            ),
            Mat(
                "项目核准、备案或审批文件",
                form="copy",
                source="government",
                note="投资主管部门出具",
            ),
        ),
        steps=steps(
            ("受理", "审查申请材料是否齐全。", 1, "投资项目审批窗口"),
            ("评审", "组织专家对节能报告进行评审。", 10, "资源节约和环境保护处"),
            ("审查决定", "出具节能审查意见。", 4, "委主任办公会"),
        ),
        specials=(("专家评审", 15, False, "专家评审时间不计入审查时限。"),),
        statutory=20,
        promised=15,
        window="一楼投资项目审批窗口",
        result="节能审查意见",
        result_type="approval",
        delivery=("pickup", "electronic"),
        depth=3,
        competent="发展改革部门",
        levels="省级、市级、县级",
        questions=(
            (
                "哪些项目不需要单独节能审查？",
                "年综合能源消费量不满规定标准的项目，按照相关节能标准、规范建设，不再单独进行节能审查。",
            ),
        ),
    ),
    # -- city ----------------------------------------------------------------------------
    Item(
        key="discharge-permit",
        code="991A0900200000",
        name="排污许可证核发（首次申请）",
        item_type=1,
        at=(("9901", "env"),),
        audience="legal_person",
        themes=("l-environment", "l-permits", "le-operate"),
        summary="纳入固定污染源排污许可分类管理名录、实行重点管理或简化管理的排污单位，"
        "应当在排放污染物前申请取得排污许可证。",
        conditions=(
            "依法取得建设项目环境影响评价文件审批意见，或按规定办理了环境影响登记表备案。",
            "污染物排放符合污染物排放标准和重点污染物排放总量控制要求。",
            "采用的污染防治设施可以达到许可排放浓度要求，自行监测方案符合相关技术规范。",
        ),
        bases=(
            basis(
                ENVIRONMENT_LAW,
                "第四十五条",
                "国家依照法律规定实行排污许可管理制度。实行排污许可管理的企业事业单位和其他生产经营者"
                "应当按照排污许可证的要求排放污染物；未取得排污许可证的，不得排放污染物。",
            ),
            basis(DISCHARGE_PERMIT_RULES, "第二条"),
        ),
        materials=(
            Mat(
                "排污许可证申请表",
                form="electronic",
                requirements="在全国排污许可证管理信息平台填报并打印签章。",
            ),
            Mat("自行监测方案", form="electronic"),
            Mat("守法承诺书", requirements="法定代表人或主要负责人签字并加盖公章。"),
            Mat(
                "环境影响评价审批文件或备案材料",
                form="copy",
                source="government",
                note="生态环境部门出具",
            ),
        ),
        steps=steps(
            ("网上申报", "排污单位在全国排污许可证管理信息平台提交申请。", 0, "申请人"),
            ("受理", "审查材料完整性，作出受理决定。", 2, "行政审批科"),
            ("技术审查", "对申请材料进行技术审查，必要时现场核查。", 12, "技术审查组"),
            ("决定", "作出核发或不予核发决定。", 2, "局务会"),
        ),
        specials=(("现场核查", 5, False, "需要现场核查的，核查时间不计入审批时限。"),),
        statutory=20,
        promised=16,
        window="二楼生态环境窗口",
        result="排污许可证",
        delivery=("pickup", "post", "electronic"),
        depth=4,
        visits=0,
        competent="生态环境部门",
        levels="市级",
        questions=(
            (
                "排污许可证有效期多长？",
                "排污许可证有效期为5年，需要延续的，应当在有效期届满60日前提出申请。",
            ),
            (
                "简化管理和重点管理有什么区别？",
                "按照固定污染源排污许可分类管理名录确定，两者的申请材料和审查内容详略不同。",
            ),
        ),
    ),
    Item(
        key="driving-licence-renewal",
        code="991A0400100000",
        name="机动车驾驶证有效期满换证",
        item_type=1,
        at=(("9901", "police"),),
        audience="individual",
        themes=("p-transport", "p-documents", "pe-travel"),
        summary="机动车驾驶人在驾驶证有效期满前九十日内申请换领驾驶证。",
        conditions=(
            "持有本市核发或在本市居住的机动车驾驶证，且在有效期满前九十日内。",
            "身体条件符合驾驶许可条件。",
            "驾驶证未被依法扣押、扣留、暂扣。",
        ),
        bases=(
            basis(
                ROAD_SAFETY_LAW,
                "第十九条",
            ),
            basis(DRIVING_LICENCE_RULES),
        ),
        materials=(
            ID_CARD,
            Mat(
                "机动车驾驶人身体条件证明",
                source="intermediary",
                note="医疗机构出具，已联网的可免于提交",
            ),
        ),
        steps=steps(
            ("申请", "通过“交管12123”或窗口提交申请，核验身体条件证明。", 0, "申请人"),
            ("审核", "核对驾驶证信息和身体条件。", 0, "车驾管窗口"),
            ("制证", "制作新驾驶证，选择邮寄的按地址寄出。", 0, "制证室"),
        ),
        statutory=None,
        promised=None,
        window="一楼公安车驾管窗口",
        result="机动车驾驶证",
        delivery=("pickup", "post"),
        visits=0,
        depth=4,
        competent="公安机关交通管理部门",
        levels="市级",
        fees=(
            (
                "机动车驾驶证工本费",
                "10元/本",
                "国家发展改革委、财政部核定的公安交通管理收费标准",
                False,
                "",
            ),
        ),
        questions=(
            (
                "能否异地换证？",
                "可以。驾驶人在驾驶证核发地以外的地方居住的，可以向居住地车辆管理所申请换证。",
            ),
        ),
    ),
    Item(
        key="medical-filing",
        code="991S1400100000",
        name="基本医疗保险参保人员异地就医备案",
        item_type=20,
        at=(("9901", "medical"),),
        audience="individual",
        themes=("p-health", "p-social-security", "pe-illness"),
        summary="参保人员跨省或省内跨市异地长期居住、临时外出就医的，办理异地就医备案后可在就医地直接结算。",
        conditions=(
            "参加本市职工基本医疗保险或城乡居民基本医疗保险，且处于正常参保状态。",
            "属于异地长期居住人员（异地安置退休、异地长期居住、常驻异地工作）或临时外出就医人员。",
        ),
        bases=(
            basis(
                SOCIAL_INSURANCE_LAW,
                "第二十九条",
                "参保人员医疗费用中应当由基本医疗保险基金支付的部分，由社会保险经办机构与医疗机构、"
                "药品经营单位直接结算。社会保险行政部门和卫生行政部门应当建立异地就医医疗费用结算制度，"
                "方便参保人员享受基本医疗保险待遇。",
            ),
            basis(CROSS_REGION_MEDICAL_NOTICE),
        ),
        situations=(
            ("A", "异地长期居住", "异地安置退休、异地长期居住或常驻异地工作。"),
            ("B", "临时外出就医", "异地转诊就医、因工作或旅游等原因异地急诊抢救。"),
        ),
        materials=(
            ID_CARD,
            Mat("跨省异地就医登记备案表", requirements="网上办理的在线填写。", blank=""),
            Mat("个人承诺书", situations="A", requirements="承诺在就医地长期居住，可当场签署。"),
            Mat(
                "转诊转院证明",
                situations="B",
                source="other",
                note="参保地定点医疗机构出具",
                necessity="conditional",
                requirements="转诊就医时提交；可先备案后补交。",
            ),
        ),
        steps=steps(
            ("申请", "通过国家医保服务平台 App、本网站或窗口提出备案申请。", 0, "申请人"),
            ("备案", "经办机构核对参保状态，即时办结备案。", 0, "医保经办窗口"),
        ),
        statutory=None,
        promised=None,
        window="三楼医疗保障窗口",
        result="异地就医备案信息（可在线查询）",
        result_type="other",
        delivery=("electronic",),
        visits=0,
        depth=4,
        real_name_level=2,
        competent="医疗保障部门",
        levels="市级、县级",
        questions=(
            (
                "备案后多久可以使用？",
                "备案即时生效，可在就医地开通直接结算的定点医疗机构就医结算。",
            ),
            (
                "临时外出就医备案有效期多长？",
                "临时外出就医人员备案有效期一般不少于6个月，有效期内可多次就诊。",
            ),
        ),
    ),
    Item(
        key="special-equipment",
        code="991A1500200000",
        name="特种设备使用登记",
        item_type=1,
        at=(("9901", "market"),),
        audience="legal_person",
        themes=("l-quality", "l-work-safety", "le-operate"),
        summary="特种设备使用单位在特种设备投入使用前或者投入使用后三十日内，办理使用登记，取得使用登记证书。",
        conditions=(
            "特种设备已经监督检验合格（需要监督检验的）或定期检验合格。",
            "使用单位建立了特种设备安全管理制度，配备了安全管理人员。",
        ),
        bases=(
            basis(
                SPECIAL_EQUIPMENT_LAW,
                "第三十三条",
                "特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全监督"
                "管理的部门办理使用登记，取得使用登记证书。登记标志应当置于该特种设备的显著位置。",
            ),
        ),
        materials=(
            Mat("特种设备使用登记表", copies=2),
            Mat("特种设备产品合格证", form="copy", source="other", note="制造单位出具"),
            Mat(
                "监督检验证明或定期检验报告",
                form="copy",
                source="intermediary",
                note="特种设备检验机构出具",
            ),
            BUSINESS_LICENCE,
        ),
        steps=steps(
            ("受理", "核对申请材料。", 0.5, "市场监管窗口"),
            ("审查", "审查检验结论和产品资料。", 2, "特种设备安全监察科"),
            ("发证", "颁发使用登记证，发放登记标志。", 0.5, "特种设备安全监察科"),
        ),
        statutory=15,
        promised=3,
        window="二楼市场监管窗口",
        result="特种设备使用登记证",
        delivery=("pickup", "post"),
        depth=3,
        competent="市场监督管理部门",
        levels="市级、县级",
        questions=(
            (
                "电梯、锅炉都要办理吗？",
                "列入特种设备目录的锅炉、压力容器、电梯、起重机械、场（厂）内专用机动车辆等都应当办理使用登记。",
            ),
        ),
    ),
    Item(
        key="passenger-transport",
        code="991A1100100000",
        name="道路旅客运输经营许可（县内、县际）",
        item_type=1,
        at=(("9901", "transport"),),
        audience="legal_person",
        themes=("l-transport", "l-permits", "le-operate"),
        summary="申请从事县内、县际班车客运或包车客运经营的，应当取得道路运输经营许可证。",
        conditions=(
            "有与其经营业务相适应并经检测合格的客车。",
            "有符合规定条件的驾驶人员。",
            "有健全的安全生产管理制度。",
            "申请班车客运的，还应当有明确的线路和站点方案。",
        ),
        bases=(
            ART_29,
            basis(ROAD_TRANSPORT_RULES),
        ),
        materials=(
            Mat("道路旅客运输经营申请表"),
            Mat(
                "可行性报告",
                requirements="包括申请客运线路客流状况调查、运营方案、效益分析等内容。",
            ),
            Mat("拟投入车辆承诺书", requirements="写明车辆数量、类型、技术等级。"),
            Mat(
                "已聘用或拟聘用驾驶人员的驾驶证和从业资格证",
                form="copy",
                source="government",
                note="公安机关、交通运输部门核发",
            ),
            Mat("安全生产管理制度文本"),
            LEGAL_REP_ID,
        ),
        steps=STANDARD_STEPS,
        statutory=20,
        promised=10,
        window="二楼交通运输窗口",
        result="道路运输经营许可证",
        delivery=("pickup", "post"),
        depth=3,
        competent="交通运输部门",
        levels="省级、市级、县级",
        questions=(
            (
                "取得许可后还要办什么？",
                "投入运输的车辆应当办理道路运输证，客运班线还应当领取班车客运标志牌。",
            ),
        ),
    ),
    # -- counties: public security -----------------------------------------------------------
    Item(
        key="id-card-first",
        code="991S0400100000",
        name="居民身份证首次申领",
        item_type=20,
        at=tuple((code, "police") for code in COUNTIES),
        audience="individual",
        themes=("p-documents", "p-household", "pe-birth"),
        summary="居住在{地}的中国公民首次申请领取居民身份证；未满十六周岁的公民也可以申请领取。",
        conditions=(
            "申请人常住户口在{地}，或符合异地受理条件。",
            "申请人本人到场采集人像和指纹信息；未满十六周岁的，由监护人代为申请并陪同。",
        ),
        bases=(
            basis(ID_CARD_LAW, "第八条"),
            basis(ID_CARD_LAW, "第十条"),
        ),
        situations=(
            ("A", "年满十六周岁本人申领", "本人携带户口簿到场办理。"),
            ("B", "未满十六周岁由监护人代为申领", "监护人陪同未成年人到场办理。"),
        ),
        materials=(
            HUKOU_BOOK,
            Mat(
                "监护人居民身份证",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                situations="B",
                paper="",
            ),
            Mat(
                "近期免冠证件照",
                form="electronic",
                necessity="optional",
                requirements="可在窗口现场免费拍摄；自带照片须符合居民身份证照片标准。",
                paper="",
            ),
        ),
        steps=steps(
            ("受理", "核对户口簿信息，现场采集人像、指纹，申请人确认登记信息。", 0, "户政窗口"),
            ("审核", "审核申领信息并签发。", 20, "户政科"),
            ("领取", "本人或委托他人凭领证回执领取，或选择邮寄。", 0, "户政窗口"),
        ),
        statutory=60,
        promised=20,
        statutory_note="居民身份证法规定，公安机关应当自受理之日起六十日内发放",
        window="一楼公安户政窗口",
        result="居民身份证",
        delivery=("pickup", "post"),
        visits=1,
        visit_reason="须本人到场采集人像和指纹信息。",
        depth=2,
        fees=(
            (
                "居民身份证工本费",
                "20元/证",
                "《中华人民共和国居民身份证法》；国务院价格主管部门会同国务院财政部门核定的居民身份证工本费标准",
                True,
                "城市中领取最低生活保障金的居民、农村中有特殊生活困难的居民首次申领的，免收工本费。",
            ),
        ),
        competent="公安机关",
        levels="县级",
        questions=(
            (
                "办理后多久可以拿到？",
                "一般20个工作日内制作完成，可到受理窗口领取，也可在受理时选择邮寄到家。",
            ),
            ("没有照片可以办理吗？", "可以，受理窗口提供免费现场拍照。"),
        ),
    ),
    Item(
        key="hukou-move-in",
        code="991G0400100000",
        name="户口迁移（迁入）",
        item_type=7,
        at=(("990121", "police"), ("990122", "police")),
        audience="individual",
        themes=("p-household", "pe-home"),
        summary="符合{地}落户条件的人员申请将户口迁入{地}，实行“跨省通办”“一站式”迁移。",
        conditions=(
            "符合{地}现行户口迁入政策规定的落户条件。",
            "拟落户地址有合法稳定住所，或同意投靠的亲属户、集体户。",
        ),
        bases=(
            basis(HUKOU_RULES, "第十条"),
            basis(HUKOU_RULES, "第十三条"),
        ),
        situations=(
            ("A", "投靠亲属落户", "夫妻投靠、子女投靠父母、父母投靠子女。"),
            ("B", "购房落户", "在{地}购买合法产权住房。"),
            ("C", "大中专院校毕业生落户", "毕业两年内在{地}就业创业的毕业生。"),
        ),
        materials=(
            ID_CARD,
            HUKOU_BOOK,
            Mat(
                "结婚证或出生医学证明等亲属关系证明",
                source="government",
                note="民政部门、医疗机构出具",
                license="结婚证",
                situations="A",
            ),
            Mat(
                "被投靠人的居民户口簿",
                source="government",
                note="公安机关核发",
                license="居民户口簿",
                situations="A",
            ),
            Mat(
                "不动产权证书",
                form="original_and_copy",
                source="government",
                note="不动产登记机构核发",
                license="不动产权证书",
                situations="B",
            ),
            Mat(
                "毕业证书",
                form="original_and_copy",
                source="other",
                note="毕业院校颁发",
                license="学历证书",
                situations="C",
            ),
        ),
        steps=steps(
            ("受理", "核验材料，审核落户条件。", 1, "户政窗口"),
            ("审批", "对符合条件的签批准予迁入，通过户籍系统向迁出地发送迁移信息。", 3, "户政科"),
            ("落户", "迁出地注销后，办理迁入登记并签发户口簿。", 1, "户政窗口"),
        ),
        statutory=20,
        promised=5,
        window="一楼公安户政窗口",
        result="居民户口簿（户口迁入登记）",
        result_type="license",
        delivery=("pickup",),
        visits=1,
        visit_reason="须核验本人户口簿原件并在户口簿上登记。",
        depth=3,
        competent="公安机关",
        levels="县级",
        questions=(
            (
                "还需要回迁出地开准迁证吗？",
                "不需要。实行户口迁移“一站式”办理，迁入地审批后由系统通知迁出地办理迁出。",
            ),
        ),
    ),
    Item(
        key="birth-registration",
        code="991G0400200000",
        name="出生登记",
        item_type=7,
        at=(("990121", "police"), ("990221", "police")),
        audience="individual",
        themes=("p-household", "p-birth-adoption", "pe-birth"),
        summary="在{地}出生的婴儿，由监护人为其申报常住户口出生登记。",
        conditions=(
            "婴儿父亲或母亲一方常住户口在{地}。",
            "申报人为婴儿的监护人或受监护人委托的人员。",
        ),
        bases=(
            basis(
                HUKOU_RULES,
                "第七条",
                "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。"
                "弃婴，由收养人或者育婴机关向户口登记机关申报出生登记。",
            ),
        ),
        materials=(
            Mat(
                "出生医学证明",
                source="other",
                note="助产机构签发",
                license="出生医学证明",
                requirements="核验原件后退还。",
                paper="",
            ),
            Mat(
                "父母双方居民身份证",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                paper="",
            ),
            Mat(
                "父母的结婚证",
                necessity="conditional",
                source="government",
                note="婚姻登记机关核发",
                license="结婚证",
                paper="",
                requirements="无法提供的，可凭父母户口簿和承诺书办理。",
            ),
            HUKOU_BOOK,
        ),
        steps=steps(
            ("申报", "通过“出生一件事”联办平台网上申报或到窗口申报。", 0, "申请人"),
            ("审核登记", "核验出生医学证明信息，办理出生登记。", 0, "户政窗口"),
        ),
        statutory=None,
        promised=None,
        window="一楼公安户政窗口",
        result="居民户口簿（出生登记页）",
        delivery=("pickup", "post"),
        visits=0,
        depth=4,
        competent="公安机关",
        levels="县级",
        questions=(
            (
                "可以和其他出生事项一起办吗？",
                "可以。通过“出生一件事”可以一次申请出生医学证明、出生登记、医保参保和社保卡申领。",
            ),
        ),
    ),
    # -- counties: civil affairs -----------------------------------------------------------
    Item(
        key="marriage",
        code="991G0500100000",
        name="内地居民结婚登记",
        item_type=7,
        at=tuple((code, "civil") for code in COUNTIES),
        audience="individual",
        themes=("p-marriage", "pe-marriage"),
        summary="要求结婚的内地居民男女双方，共同到婚姻登记机关申请结婚登记。",
        conditions=(
            "男女双方完全自愿。",
            "男年满二十二周岁，女年满二十周岁。",
            "双方均无配偶，且没有直系血亲和三代以内旁系血亲关系。",
            "男女双方亲自到婚姻登记机关申请。",
        ),
        bases=(
            basis(
                CIVIL_CODE,
                "第一千零四十七条",
                "结婚年龄，男不得早于二十二周岁，女不得早于二十周岁。",
            ),
            basis(
                CIVIL_CODE,
                "第一千零四十九条",
                "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。符合本法规定的，予以登记，"
                "发给结婚证。完成结婚登记，即确立婚姻关系。未办理结婚登记的，应当补办登记。",
            ),
            basis(MARRIAGE_RULES),
        ),
        materials=(
            Mat(
                "双方居民身份证",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                requirements="在有效期内。",
                paper="",
            ),
            Mat(
                "双方近期半身免冠合影证件照",
                copies=3,
                requirements="2寸，红色背景。可在登记处现场拍摄。",
                paper="",
            ),
            Mat(
                "无配偶以及与对方没有直系血亲和三代以内旁系血亲关系的签字声明",
                requirements="在登记员面前当场填写并签名。",
            ),
        ),
        steps=steps(
            ("预约", "通过网上平台或电话预约登记日期（可选）。", 0, "申请人"),
            ("审查", "登记员核对证件，询问双方意愿，双方当场签字声明。", 0, "婚姻登记员"),
            ("登记颁证", "符合条件的当场予以登记，发给结婚证，可选颁证仪式。", 0, "婚姻登记员"),
        ),
        statutory=None,
        promised=None,
        window="婚姻登记处",
        at_department=True,
        result="结婚证",
        delivery=("pickup",),
        visits=1,
        visit_reason="法律规定男女双方应当亲自到婚姻登记机关申请。",
        depth=1,
        competent="民政部门",
        levels="县级",
        questions=(
            (
                "户口不在本地可以登记吗？",
                "可以。内地居民结婚登记已实行全国通办，可在任一婚姻登记机关办理。",
            ),
            ("结婚登记收费吗？", "不收费。"),
        ),
    ),
    Item(
        key="social-group",
        code="991A0500100000",
        name="社会团体成立登记",
        item_type=1,
        at=(("990121", "civil"),),
        audience="legal_person",
        themes=("l-establishment", "le-start"),
        summary="在{地}行政区域内活动的社会团体，经业务主管单位审查同意后申请成立登记。",
        conditions=(
            "有50个以上的个人会员或者30个以上的单位会员；个人会员、单位会员混合组成的，会员总数不得少于50个。",
            "有规范的名称和相应的组织机构。",
            "有固定的住所。",
            "有与其业务活动相适应的专职工作人员。",
            "有合法的资产和经费来源，地方性的社会团体有3万元以上活动资金。",
            "有独立承担民事责任的能力。",
        ),
        bases=(
            basis(
                SOCIAL_GROUP_RULES,
                "第三条",
            ),
            basis(SOCIAL_GROUP_RULES, "第十条"),
        ),
        materials=(
            Mat("社会团体法人登记申请书", requirements="由发起人签字。"),
            Mat("业务主管单位的批准文件", source="government", note="业务主管单位出具"),
            Mat("验资报告", source="intermediary", note="会计师事务所出具"),
            Mat("场所使用权证明", form="copy"),
            Mat("发起人和拟任负责人的基本情况、身份证明", form="copy", license="居民身份证"),
            Mat("章程草案"),
        ),
        steps=STANDARD_STEPS,
        specials=(("社会公告", 0, False, "准予登记的，由登记管理机关公告，不计入办理时限。"),),
        statutory=60,
        promised=20,
        statutory_note="登记管理机关自收到全部有效文件之日起60日内作出决定",
        window="二楼民政窗口",
        result="社会团体法人登记证书",
        delivery=("pickup",),
        depth=2,
        competent="民政部门",
        levels="省级、市级、县级",
        questions=(
            (
                "没有业务主管单位可以登记吗？",
                "行业协会商会类、科技类、公益慈善类、城乡社区服务类社会组织可以直接申请登记，其他社会团体须先经业务主管单位同意。",
            ),
        ),
    ),
    # -- counties: health -----------------------------------------------------------------
    Item(
        key="birth-filing",
        code="991S1300100000",
        name="生育登记",
        item_type=20,
        at=(("990121", "health"), ("990122", "health")),
        audience="individual",
        themes=("p-birth-adoption", "p-health", "pe-birth"),
        summary="夫妻生育子女实行登记服务，登记后可享受孕产期保健等服务。",
        conditions=(
            "夫妻一方户籍或居住地在{地}。",
            "在怀孕后至子女出生后六个月内办理。",
        ),
        bases=(basis(POPULATION_LAW),),
        materials=(
            Mat(
                "夫妻双方居民身份证",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                form="electronic",
                paper="",
            ),
            Mat(
                "结婚证",
                necessity="optional",
                source="government",
                note="婚姻登记机关核发",
                license="结婚证",
                form="electronic",
                paper="",
            ),
        ),
        steps=steps(
            ("网上申报", "夫妻一方通过网上平台填报信息并承诺。", 0, "申请人"),
            ("确认", "系统核验身份信息后即时办结，生成生育服务登记信息。", 0, "卫生健康部门"),
        ),
        statutory=None,
        promised=None,
        window="一楼社会事务窗口",
        result="生育登记服务信息（电子）",
        result_type="other",
        delivery=("electronic",),
        visits=0,
        depth=4,
        real_name_level=2,
        competent="卫生健康部门",
        levels="县级",
        questions=(
            (
                "必须先登记才能生育吗？",
                "不是。生育登记是服务性事项，不设前置条件，登记后便于获得孕产期保健服务。",
            ),
        ),
    ),
    Item(
        key="birth-certificate",
        code="991S1300200000",
        name="出生医学证明补发",
        item_type=20,
        at=(("990121", "health"),),
        audience="individual",
        themes=("p-birth-adoption", "p-documents", "pe-birth"),
        summary="在{地}出生的新生儿，出生医学证明遗失的，由监护人申请补发。",
        conditions=(
            "新生儿在{地}的助产机构出生，已签发出生医学证明。",
            "出生医学证明遗失，尚未办理出生登记或需要补发原件。",
        ),
        bases=(basis(MATERNAL_HEALTH_LAW, "第二十三条"),),
        materials=(
            Mat("出生医学证明补发申请表", blank=""),
            Mat(
                "父母双方居民身份证",
                form="original_and_copy",
                source="government",
                note="公安机关核发",
                license="居民身份证",
            ),
            Mat(
                "新生儿已落户的户口簿",
                necessity="conditional",
                source="government",
                note="公安机关核发",
                license="居民户口簿",
            ),
        ),
        steps=steps(
            ("受理", "核对申请信息和原签发记录。", 1, "社会事务窗口"),
            ("核查", "核查新生儿出生和原证签发情况。", 7, "妇幼健康科"),
            ("补发", "签发补发的出生医学证明。", 2, "县妇幼保健院"),
        ),
        statutory=20,
        promised=10,
        window="一楼社会事务窗口",
        result="出生医学证明（补发）",
        delivery=("pickup",),
        depth=2,
        competent="卫生健康部门",
        levels="县级",
        questions=(
            (
                "出生医学证明上的信息填错了怎么办？",
                "应办理出生医学证明换发，到原签发的助产机构申请。",
            ),
        ),
    ),
    Item(
        key="public-places",
        code="991A1300100000",
        name="公共场所卫生许可",
        item_type=1,
        at=(("990121", "health"), ("990221", "health")),
        audience="legal_person",
        themes=("l-health", "l-permits", "le-operate"),
        summary="在{地}开办宾馆、美容美发、沐浴、游泳场所等公共场所的经营者，应当取得公共场所卫生许可证。",
        conditions=(
            "经营场所的选址、设计和卫生设施符合国家卫生标准和规范。",
            "有健全的卫生管理制度和专（兼）职卫生管理人员。",
            "空气、微小气候、水质、采光、照明、噪声等检测符合国家卫生标准。",
        ),
        bases=(
            basis(PUBLIC_PLACES_RULES, "第八条"),
            ART_29,
        ),
        materials=(
            Mat("公共场所卫生许可申请表"),
            BUSINESS_LICENCE,
            Mat("公共场所卫生检测或评价报告", source="intermediary", note="具有资质的检测机构出具"),
            Mat("卫生管理制度和卫生管理人员名单"),
            Mat("经营场所平面布局图"),
        ),
        steps=STANDARD_STEPS,
        specials=(("现场审查", 5, True, "对经营场所进行现场审查，计入办结时限。"),),
        statutory=20,
        promised=8,
        window="一楼卫生健康窗口",
        result="公共场所卫生许可证",
        delivery=("pickup", "post"),
        depth=3,
        competent="卫生健康部门",
        levels="县级",
        questions=(
            (
                "许可证有效期多长？",
                "公共场所卫生许可证有效期为4年，期满需继续经营的，应当在有效期届满30日前申请延续。",
            ),
        ),
    ),
    Item(
        key="public-places-pledge",
        code="991A1300100000",
        name="公共场所卫生许可（告知承诺制）",
        item_type=1,
        at=(("990221", "health"),),
        sequence=1,
        audience="legal_person",
        themes=("l-health", "l-permits", "le-operate"),
        summary="申请人书面承诺符合公共场所卫生许可条件的，当场作出许可决定，许可后开展核查。",
        conditions=(
            "申请人书面承诺经营场所已符合公共场所卫生许可条件。",
            "申请人未因虚假承诺被记入失信记录。",
        ),
        bases=(
            basis(PUBLIC_PLACES_RULES, "第八条"),
            ART_29,
        ),
        materials=(
            Mat("公共场所卫生许可告知承诺书", requirements="法定代表人或负责人签字并加盖公章。"),
            BUSINESS_LICENCE,
        ),
        steps=steps(
            ("受理", "申请人签署告知承诺书，窗口核对。", 0, "卫生健康窗口"),
            ("决定", "当场作出许可决定并发证。", 0, "卫生健康窗口"),
            ("事后核查", "发证后两个月内对承诺内容开展现场核查。", 0, "卫生监督所"),
        ),
        statutory=20,
        promised=None,
        window="一楼卫生健康窗口",
        result="公共场所卫生许可证",
        delivery=("pickup", "electronic"),
        depth=4,
        visits=0,
        competent="卫生健康部门",
        levels="县级",
        questions=(
            ("承诺不实会怎样？", "核查发现不符合承诺条件的，依法撤销许可，并记入信用记录。"),
        ),
    ),
    Item(
        key="physician-registration",
        code="991A1300200000",
        name="医师执业注册",
        item_type=1,
        at=(("990121", "health"),),
        audience="individual",
        themes=("p-qualification", "p-health", "pe-job"),
        summary="取得医师资格的人员，向执业机构所在地卫生健康主管部门申请执业注册。",
        conditions=(
            "取得医师资格。",
            "拟执业的医疗机构已同意聘用。",
            "不存在法律规定的不予注册情形。",
        ),
        bases=(basis(PHYSICIANS_LAW),),
        materials=(
            Mat("医师执业注册申请审核表"),
            Mat(
                "医师资格证书",
                source="government",
                note="卫生健康主管部门核发",
                license="医师资格证书",
            ),
            Mat("近6个月内的健康体检证明", source="intermediary", note="县级以上医疗机构出具"),
            Mat("拟执业医疗机构的聘用证明"),
        ),
        steps=STANDARD_STEPS,
        statutory=20,
        promised=5,
        window="一楼卫生健康窗口",
        result="医师执业证书（电子证照）",
        delivery=("electronic",),
        visits=0,
        depth=4,
        competent="卫生健康部门",
        levels="省级、市级、县级",
        questions=(
            (
                "电子证照和纸质证书一样有效吗？",
                "医师电子注册系统生成的电子证照与纸质证书具有同等效力。",
            ),
        ),
    ),
    # -- counties: human resources and social security ------------------------------------------
    Item(
        key="unemployment-benefit",
        code="991E0700100000",
        name="失业保险金申领",
        item_type=5,
        at=tuple((code, "hrss") for code in COUNTIES),
        audience="individual",
        themes=("p-social-security", "p-employment", "pe-job"),
        summary="参加失业保险的失业人员，符合条件的，可以申领失业保险金。",
        conditions=(
            "失业前用人单位和本人已经缴纳失业保险费满一年。",
            "非因本人意愿中断就业。",
            "已经进行失业登记，并有求职要求。",
        ),
        bases=(
            basis(
                SOCIAL_INSURANCE_LAW,
                "第四十五条",
                "失业人员符合下列条件的，从失业保险基金中领取失业保险金：（一）失业前用人单位和本人已经"
                "缴纳失业保险费满一年的；（二）非因本人意愿中断就业的；（三）已经进行失业登记，"
                "并有求职要求的。",
            ),
            basis(SOCIAL_INSURANCE_LAW, "第五十条"),
            basis(UNEMPLOYMENT_RULES, "第十四条"),
        ),
        materials=(
            ID_CARD,
            Mat("失业保险金申领登记表", blank="unemployment"),
            Mat(
                "终止或者解除劳动关系的证明",
                necessity="conditional",
                source="other",
                note="原用人单位出具",
                requirements="用人单位已在系统中报送的，免于提交。",
            ),
            Mat(
                "社会保障卡或本人银行账户信息",
                form="electronic",
                source="government",
                note="人力资源社会保障部门",
                license="社会保障卡",
                paper="",
            ),
        ),
        steps=steps(
            ("申请", "通过网上平台、手机 App 或窗口提交申请。", 0, "申请人"),
            ("审核", "核对参保缴费和失业登记信息，核定领取期限和标准。", 3, "社保经办窗口"),
            ("发放", "审核通过的，按月发放到本人社会保障卡银行账户。", 2, "社保经办机构"),
        ),
        statutory=None,
        promised=5,
        window="二楼人社窗口",
        result="失业保险待遇核定结果（按月发放）",
        result_type="other",
        delivery=("electronic",),
        visits=0,
        depth=4,
        competent="人力资源社会保障部门",
        levels="县级",
        questions=(
            (
                "可以领多长时间？",
                "根据失业前累计缴费时间确定，缴费满1年不足5年的最长12个月，满5年不足10年的最长18个月，10年以上的最长24个月。",
            ),
            (
                "领取期间要缴医保吗？",
                "领取失业保险金期间，基本医疗保险费从失业保险基金中支付，个人不缴纳。",
            ),
        ),
    ),
    Item(
        key="resident-pension",
        code="991S0700200000",
        name="城乡居民基本养老保险参保登记",
        item_type=20,
        at=(("990121", "hrss"), ("990122", "hrss"), ("990121001", "gov")),
        audience="individual",
        themes=("p-social-security", "pe-elderly", "pe-retire"),
        summary="年满16周岁（不含在校学生）、非国家机关和事业单位工作人员及不属于职工基本养老保险覆盖范围的"
        "城乡居民，可以在户籍地参加城乡居民基本养老保险。",
        conditions=(
            "年满16周岁（不含在校学生）。",
            "户籍在{地}。",
            "未参加职工基本养老保险。",
        ),
        bases=(
            basis(SOCIAL_INSURANCE_LAW, "第二十条"),
            basis(SOCIAL_INSURANCE_LAW, "第二十二条"),
            basis(RURAL_PENSION_OPINION),
        ),
        materials=(
            ID_CARD,
            Mat(
                "城乡居民基本养老保险参保登记表",
                requirements="网上办理的在线填写；窗口办理的可当场填写。",
            ),
        ),
        steps=steps(
            (
                "申请",
                "本人通过网上平台、手机 App 或村（社区）、乡镇（街道）窗口申请。",
                0,
                "申请人",
            ),
            ("登记", "核对身份和参保状态，即时办理参保登记。", 0, "社保经办窗口"),
        ),
        statutory=None,
        promised=None,
        window="二楼人社窗口",
        result="城乡居民基本养老保险参保登记信息",
        result_type="other",
        delivery=("electronic",),
        visits=0,
        depth=4,
        real_name_level=2,
        competent="人力资源社会保障部门",
        levels="县级、乡级",
        questions=(
            ("缴费档次怎么选？", "按本省公布的年缴费档次自主选择，多缴多得，可以每年调整一次。"),
        ),
    ),
    Item(
        key="employment-card",
        code="991S0700300000",
        name="就业创业证申领",
        item_type=20,
        at=(("990121", "hrss"), ("990221", "hrss")),
        audience="individual",
        themes=("p-employment", "pe-job"),
        summary="劳动年龄内有劳动能力和就业要求的城乡劳动者，可申领《就业创业证》，用于记录就业失业状况和享受就业扶持政策。",
        conditions=(
            "在法定劳动年龄内，有劳动能力和就业要求。",
            "在{地}常住或已办理就业登记、失业登记。",
        ),
        bases=(
            basis(EMPLOYMENT_LAW),
            basis(EMPLOYMENT_SERVICE_RULES),
        ),
        materials=(ID_CARD,),
        steps=steps(
            ("申请", "网上或窗口申请，填写个人就业失业信息。", 0, "申请人"),
            ("核发", "核对信息，即时生成电子《就业创业证》。", 0, "就业服务窗口"),
        ),
        statutory=None,
        promised=None,
        window="二楼人社窗口",
        result="就业创业证（电子证照）",
        delivery=("electronic",),
        visits=0,
        depth=4,
        real_name_level=2,
        competent="人力资源社会保障部门",
        levels="县级",
        questions=(
            (
                "原来的《就业失业登记证》还能用吗？",
                "已发放的《就业失业登记证》继续有效，不需要更换。",
            ),
        ),
    ),
    Item(
        key="employment-registration-card",
        code="991S0700400000",
        name="就业失业登记证核发",
        item_type=20,
        at=(("990121", "hrss"),),
        audience="individual",
        themes=("p-employment", "pe-job"),
        summary="为城乡劳动者核发《就业失业登记证》（本事项已取消，由“就业创业证申领”取代）。",
        conditions=("在法定劳动年龄内，有劳动能力和就业要求。",),
        bases=(basis(EMPLOYMENT_SERVICE_RULES),),
        materials=(ID_CARD, Mat("近期免冠证件照", copies=2, paper="")),
        steps=steps(
            ("受理", "窗口核对身份信息。", 1, "就业服务窗口"),
            ("核发", "填写并核发《就业失业登记证》。", 4, "就业服务窗口"),
        ),
        statutory=None,
        promised=5,
        window="二楼人社窗口",
        result="就业失业登记证",
        delivery=("pickup",),
        depth=1,
        competent="人力资源社会保障部门",
        levels="县级",
        questions=(("本事项还能办理吗？", "不能，请改为申领《就业创业证》。"),),
    ),
    # -- counties: market regulation ------------------------------------------------------------
    Item(
        key="individual-business",
        code="991A1500300000",
        name="个体工商户设立登记",
        item_type=1,
        at=tuple((code, "market") for code in COUNTIES),
        audience="individual",
        themes=("p-establishment", "p-employment", "pe-job"),
        summary="有经营能力的自然人在{地}从事工商业经营，申请个体工商户设立登记。",
        conditions=(
            "申请人为有经营能力的自然人，或家庭经营的家庭成员。",
            "有固定的经营场所。",
            "经营范围不属于法律、行政法规禁止的项目；需要前置许可的，已经取得许可。",
        ),
        bases=(
            basis(MARKET_ENTITY_RULES, "第三条"),
            basis(MARKET_ENTITY_RULES, "第十六条"),
            basis(MARKET_ENTITY_RULES, "第十九条"),
            basis(INDIVIDUAL_BUSINESS_RULES),
        ),
        situations=(
            ("A", "经营者本人申请", "经营者本人到场或网上申请。"),
            ("B", "委托代理人申请", "经营者委托他人代为办理。"),
        ),
        materials=(
            Mat(
                "个体工商户登记（备案）申请书",
                blank="individual-business",
                requirements="经营者签字。",
            ),
            Mat(
                "经营者居民身份证",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                form="copy",
            ),
            Mat(
                "经营场所使用证明",
                form="copy",
                requirements="自有房屋提交不动产权证书，租用的提交租赁协议；实行住所申报承诺制的，可提交承诺书替代。",
                license="不动产权证书",
            ),
            Mat(
                "委托书及代理人居民身份证",
                situations="B",
                form="original",
                requirements="委托书由经营者签字。",
                license="居民身份证",
            ),
        ),
        steps=steps(
            ("申请", "网上或窗口提交申请，系统自动查重名称。", 0, "申请人"),
            (
                "审核",
                "对申请材料进行形式审查，材料齐全、符合法定形式的当场登记。",
                0,
                "市场准入窗口",
            ),
            ("发照", "核发营业执照，同步生成电子营业执照。", 0, "市场准入窗口"),
        ),
        statutory=3,
        promised=None,
        statutory_note="不能当场登记的，3个工作日内予以登记",
        window="一楼市场准入窗口",
        result="营业执照",
        delivery=("pickup", "post", "electronic"),
        visits=0,
        depth=4,
        competent="市场监督管理部门",
        levels="县级",
        questions=(
            ("个体工商户一定要起字号吗？", "不一定。个体工商户可以使用名称，也可以不使用名称。"),
            ("登记收费吗？", "不收费，营业执照免费发放。"),
        ),
    ),
    Item(
        key="company",
        code="991A1500400000",
        name="有限责任公司登记",
        item_type=1,
        at=(("990121", "market"),),
        audience="legal_person",
        themes=("l-establishment", "le-start"),
        summary="在{地}登记的有限责任公司的设立、变更和注销登记（按业务办理项分别办理）。",
        conditions=(
            "申请人具备法律、行政法规规定的主体资格。",
            "申请材料齐全、符合法定形式。",
            "按照所办业务（新设、变更、注销）满足相应条件。",
        ),
        bases=(
            basis(COMPANY_LAW),
            basis(MARKET_ENTITY_RULES, "第三条"),
            basis(MARKET_ENTITY_RULES, "第十九条"),
        ),
        materials=(
            Mat("公司登记（备案）申请书", blank="company", requirements="由法定代表人签署。"),
            Mat("按所办业务提交的其他材料", requirements="见各业务办理项的材料清单。"),
        ),
        steps=steps(
            ("申请", "通过企业开办“一网通办”平台或窗口提交。", 0, "申请人"),
            ("审核", "形式审查，当场登记或3个工作日内登记。", 0.5, "市场准入窗口"),
            ("发照", "核发或换发营业执照；注销的出具准予注销登记通知书。", 0.5, "市场准入窗口"),
        ),
        statutory=3,
        promised=1,
        window="一楼企业开办专区",
        result="营业执照或登记通知书",
        delivery=("pickup", "post", "electronic"),
        visits=0,
        depth=4,
        competent="市场监督管理部门",
        levels="省级、市级、县级",
        questions=(
            ("在哪里查看各类业务的材料？", "在本事项下分别查看“新设”“变更”“注销”业务办理项。"),
        ),
    ),
    Item(
        key="company-new",
        code="991A1500400000",
        name="有限责任公司设立登记",
        item_type=1,
        at=(("990121", "market"),),
        variant="new",
        variant_of="company",
        business_item=1,
        audience="legal_person",
        themes=("l-establishment", "le-start"),
        summary="设立有限责任公司，申请设立登记，领取营业执照；可同步办理公章刻制、涉税事项、社保登记和银行开户预约。",
        conditions=(
            "股东符合法定人数，出资符合公司章程规定。",
            "有公司名称，建立符合有限责任公司要求的组织机构。",
            "有公司住所。",
            "股东共同制定公司章程。",
        ),
        bases=(
            basis(COMPANY_LAW),
            basis(MARKET_ENTITY_RULES, "第十六条"),
            basis(MARKET_ENTITY_RULES, "第十九条"),
            basis(MARKET_ENTITY_RULES, "第二十一条"),
        ),
        materials=(
            Mat("公司登记（备案）申请书", blank="company", requirements="由拟任法定代表人签署。"),
            Mat("公司章程", requirements="由全体股东签署。"),
            Mat("股东的主体资格证明或自然人身份证明", form="copy", license="居民身份证"),
            Mat(
                "法定代表人、董事、监事和经理的任职文件及身份证明",
                form="copy",
                license="居民身份证",
            ),
            Mat(
                "住所使用相关文件",
                form="copy",
                requirements="实行住所申报承诺制的，提交住所信息申报承诺书。",
                license="不动产权证书",
            ),
            POWER_OF_ATTORNEY,
        ),
        steps=steps(
            ("申请", "在“一网通办”平台填报，全体股东和法定代表人实名认证、电子签名。", 0, "申请人"),
            ("审核", "形式审查，材料齐全的当场登记。", 0.5, "市场准入窗口"),
            (
                "发照",
                "核发营业执照和电子营业执照，同步推送公章刻制、税务、社保信息。",
                0.5,
                "市场准入窗口",
            ),
        ),
        statutory=3,
        promised=1,
        window="一楼企业开办专区",
        result="营业执照",
        delivery=("pickup", "post", "electronic"),
        visits=0,
        depth=4,
        competent="市场监督管理部门",
        levels="省级、市级、县级",
        questions=(
            (
                "注册资本需要实缴吗？",
                "全体股东认缴的出资额由股东按照公司章程的规定自公司成立之日起五年内缴足。",
            ),
            (
                "开办企业要多长时间？",
                "材料齐全的，营业执照、公章刻制、发票申领等在1个工作日内办结。",
            ),
        ),
    ),
    Item(
        key="company-change",
        code="991A1500400000",
        name="有限责任公司变更登记",
        item_type=1,
        at=(("990121", "market"),),
        variant="change",
        variant_of="company",
        business_item=2,
        audience="legal_person",
        themes=("l-establishment", "le-grow"),
        summary="有限责任公司变更名称、住所、法定代表人、注册资本、经营范围、股东等登记事项的，申请变更登记。",
        conditions=(
            "公司已作出变更决议或决定，或法定变更事项已发生。",
            "自作出变更决议、决定或者法定变更事项发生之日起30日内申请。",
        ),
        bases=(
            basis(COMPANY_LAW),
            basis(MARKET_ENTITY_RULES, "第二十四条"),
        ),
        materials=(
            Mat(
                "公司登记（备案）申请书",
                blank="company",
                requirements="由法定代表人签署；变更法定代表人的，由新任法定代表人签署。",
            ),
            Mat("关于变更事项的决议或决定", requirements="股东会决议由代表相应表决权的股东签署。"),
            Mat(
                "修改后的公司章程或章程修正案",
                necessity="conditional",
                requirements="变更事项涉及章程的提交。",
            ),
            BUSINESS_LICENCE,
        ),
        steps=steps(
            ("申请", "网上或窗口提交变更申请。", 0, "申请人"),
            ("审核", "形式审查，符合要求的当场办理。", 0.5, "市场准入窗口"),
            ("换照", "涉及营业执照记载事项的换发营业执照。", 0.5, "市场准入窗口"),
        ),
        statutory=3,
        promised=1,
        window="一楼企业开办专区",
        result="营业执照（变更后）",
        delivery=("pickup", "post", "electronic"),
        visits=0,
        depth=4,
        competent="市场监督管理部门",
        levels="省级、市级、县级",
        questions=(
            (
                "变更住所到外县怎么办？",
                "应向迁入地登记机关申请变更登记，迁出地登记机关通过系统移交档案。",
            ),
        ),
    ),
    Item(
        key="company-cancel",
        code="991A1500400000",
        name="有限责任公司注销登记",
        item_type=1,
        at=(("990121", "market"),),
        variant="cancellation",
        variant_of="company",
        business_item=3,
        audience="legal_person",
        themes=("l-deregistration", "le-close"),
        summary="有限责任公司因解散、被宣告破产或其他法定事由需要终止的，清算结束后申请注销登记；"
        "符合条件的可以适用简易注销。",
        conditions=(
            "公司已依法清算完毕，或符合简易注销条件并经公示无异议。",
            "已结清应缴税款和社会保险费（以清税信息为准）。",
        ),
        bases=(
            basis(COMPANY_LAW),
            basis(MARKET_ENTITY_RULES, "第三十一条"),
        ),
        situations=(
            ("A", "一般注销", "成立清算组清算后注销。"),
            ("B", "简易注销", "未发生债权债务或已将债权债务清偿完结，经20日公示无异议。"),
        ),
        materials=(
            Mat("注销登记申请书", blank="company"),
            Mat("清算报告", situations="A", requirements="由股东会确认并签署。"),
            Mat("股东会解散决议", situations="A"),
            Mat("全体投资人承诺书", situations="B", requirements="在公示期满后提交。"),
            BUSINESS_LICENCE,
        ),
        steps=steps(
            ("申请", "通过企业注销“一网服务”平台提交。", 0, "申请人"),
            ("审核", "核对清税信息和清算材料。", 0.5, "市场准入窗口"),
            ("注销", "准予注销并收缴营业执照。", 0.5, "市场准入窗口"),
        ),
        specials=(
            (
                "简易注销公示",
                20,
                False,
                "简易注销需在国家企业信用信息公示系统公示20日，不计入办理时限。",
            ),
        ),
        statutory=3,
        promised=1,
        window="一楼企业开办专区",
        result="准予注销登记通知书",
        result_type="other",
        delivery=("pickup", "electronic"),
        visits=0,
        depth=4,
        competent="市场监督管理部门",
        levels="省级、市级、县级",
        questions=(
            (
                "营业执照丢了还能注销吗？",
                "可以，在国家企业信用信息公示系统发布营业执照作废声明后办理。",
            ),
        ),
    ),
    Item(
        key="food-business",
        code="991A1500500000",
        name="食品经营许可",
        item_type=1,
        at=(("990121", "market"), ("990122", "market")),
        audience="both",
        themes=("l-permits", "l-health", "le-operate", "p-permits"),
        summary="在{地}从事食品销售和餐饮服务活动（仅销售预包装食品的除外），应当取得食品经营许可证。",
        conditions=(
            "具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所。",
            "具有与经营的食品品种、数量相适应的经营设备或者设施。",
            "有专职或者兼职的食品安全管理人员和保证食品安全的规章制度。",
            "具有合理的设备布局和工艺流程。",
        ),
        bases=(
            basis(
                FOOD_SAFETY_LAW,
                "第三十五条",
            ),
            ART_29,
            ART_42,
            basis(FOOD_LICENCE_RULES),
        ),
        materials=(
            Mat("食品经营许可申请书", blank="food-licence"),
            BUSINESS_LICENCE,
            Mat("与食品经营相适应的主要设备设施、经营布局、操作流程等文件"),
            Mat("食品安全自查、从业人员健康管理等食品安全管理制度目录"),
        ),
        steps=STANDARD_STEPS,
        specials=(("现场核查", 5, True, "需要对经营场所进行现场核查的，核查时间计入办结时限。"),),
        statutory=10,
        promised=5,
        window="一楼市场准入窗口",
        result="食品经营许可证",
        delivery=("pickup", "post", "electronic"),
        visits=0,
        depth=4,
        competent="市场监督管理部门",
        levels="县级",
        questions=(
            (
                "只卖预包装食品要办许可证吗？",
                "不需要许可，但应当向所在地县级市场监督管理部门备案。",
            ),
            ("许可证有效期多长？", "食品经营许可证有效期为5年。"),
        ),
    ),
    # -- counties: other departments ------------------------------------------------------------
    Item(
        key="construction-permit",
        code="991A1000100000",
        name="建筑工程施工许可证核发",
        item_type=1,
        at=(("990121", "housing"),),
        audience="legal_person",
        themes=("l-land-planning", "l-investment", "le-invest"),
        summary="在{地}行政区域内从事各类房屋建筑及其附属设施的建造、装修装饰和城镇市政基础设施工程施工，"
        "建设单位在开工前申请领取施工许可证。",
        conditions=(
            "已经办理该建筑工程用地批准手续。",
            "依法应当办理建设工程规划许可证的，已经取得建设工程规划许可证。",
            "已经确定施工企业。",
            "有满足施工需要的资金安排、施工图纸及技术资料。",
            "有保证工程质量和安全的具体措施。",
        ),
        bases=(
            basis(CONSTRUCTION_LAW, "第七条"),
            basis(CONSTRUCTION_LAW, "第八条"),
            basis(CONSTRUCTION_PERMIT_RULES),
        ),
        materials=(
            Mat("建筑工程施工许可证申请表"),
            Mat(
                "建设工程规划许可证",
                form="copy",
                source="government",
                note="自然资源和规划部门核发",
                license="建设工程规划许可证",
                necessity="conditional",
            ),
            Mat("施工合同", form="copy"),
            Mat("建设资金已经落实承诺书"),
            Mat(
                "施工图审查合格书或承诺书",
                form="copy",
                source="intermediary",
                note="施工图审查机构出具",
            ),
        ),
        steps=steps(
            ("受理", "审查申请材料。", 1, "工程建设审批窗口"),
            ("审查", "审查开工条件，必要时现场踏勘。", 2, "建筑市场管理股"),
            ("发证", "颁发施工许可证。", 1, "工程建设审批窗口"),
        ),
        statutory=7,
        promised=3,
        window="二楼工程建设审批窗口",
        result="建筑工程施工许可证",
        delivery=("pickup", "electronic"),
        visits=0,
        depth=4,
        competent="住房和城乡建设部门",
        levels="市级、县级",
        questions=(
            (
                "多小的工程可以不办？",
                "工程投资额在30万元以下或者建筑面积在300平方米以下的建筑工程，可以不申请办理施工许可证。",
            ),
        ),
    ),
    Item(
        key="freight-transport",
        code="991A1100200000",
        name="道路货物运输经营许可",
        item_type=1,
        at=(("990121", "transport"), ("990221", "transport")),
        audience="legal_person",
        themes=("l-transport", "l-permits", "le-operate"),
        summary="使用总质量4500千克以上的普通货运车辆从事道路货物运输经营的，应当取得道路运输经营许可证。",
        conditions=(
            "有与其经营业务相适应并经检测合格的车辆。",
            "有符合规定条件的驾驶人员。",
            "有健全的安全生产管理制度。",
        ),
        bases=(ART_29, basis(ROAD_TRANSPORT_RULES)),
        materials=(
            Mat("道路货物运输经营申请表"),
            LEGAL_REP_ID,
            Mat(
                "机动车行驶证或拟购置车辆承诺书",
                form="copy",
                source="government",
                note="公安机关交通管理部门核发",
                license="机动车行驶证",
            ),
            Mat(
                "驾驶人员的驾驶证和从业资格证",
                form="copy",
                source="government",
                note="公安机关、交通运输部门核发",
            ),
            Mat("安全生产管理制度文本"),
        ),
        steps=STANDARD_STEPS,
        statutory=20,
        promised=5,
        window="二楼交通运输窗口",
        result="道路运输经营许可证",
        delivery=("pickup", "post", "electronic"),
        visits=0,
        depth=4,
        competent="交通运输部门",
        levels="县级",
        questions=(
            (
                "小货车需要办吗？",
                "使用总质量4500千克及以下普通货运车辆从事普通货运经营的，无需申请道路运输经营许可。",
            ),
        ),
    ),
    Item(
        key="school-transfer",
        code="991S0300100000",
        name="义务教育阶段学生转学",
        item_type=20,
        at=(("990121", "edu"), ("990122", "edu")),
        audience="individual",
        themes=("p-education", "pe-schooling"),
        summary="因家庭搬迁、父母工作调动等原因，义务教育阶段学生申请转入或转出{地}的学校。",
        conditions=(
            "学生具有义务教育阶段正式学籍。",
            "有家庭住址变动、父母工作调动等正当理由。",
            "转入学校有学位。",
        ),
        bases=(
            basis(
                COMPULSORY_EDUCATION_LAW,
                "第十二条",
            ),
        ),
        materials=(
            Mat("学生转学申请表"),
            Mat(
                "监护人居民身份证",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                paper="",
            ),
            HUKOU_BOOK,
            Mat(
                "居住证明或工作调动证明",
                form="copy",
                requirements="不动产权证书、租赁备案证明或单位证明任一。",
            ),
        ),
        steps=steps(
            ("申请", "监护人向转入学校提出申请。", 0, "监护人"),
            ("学校审核", "转入学校核实学位并在学籍系统发起转学申请。", 3, "转入学校"),
            ("教育局审核", "转出、转入地教育行政部门审核学籍转接。", 4, "基础教育股"),
        ),
        statutory=None,
        promised=7,
        window="一楼教育窗口",
        result="学籍转接完成通知",
        result_type="other",
        delivery=("electronic",),
        visits=1,
        visit_reason="须到转入学校确认学位和报到。",
        depth=3,
        competent="教育行政部门",
        levels="县级",
        questions=(
            (
                "什么时候可以办理转学？",
                "原则上在每学期开学前后两周内集中办理，特殊情况可随时申请。",
            ),
        ),
    ),
    Item(
        key="teacher-qualification",
        code="991A0300200000",
        name="幼儿园、小学和初级中学教师资格认定",
        item_type=1,
        at=tuple((code, "edu") for code in COUNTIES),
        audience="individual",
        themes=("p-qualification", "p-education", "pe-job"),
        summary="户籍、居住地或就读学校在{地}的人员，申请认定幼儿园、小学、初级中学教师资格。",
        conditions=(
            "遵守宪法和法律，热爱教育事业，具有良好的思想品德。",
            "具备《中华人民共和国教师法》规定的相应学历。",
            "中小学教师资格考试合格，或属于免考的教育类专业毕业生。",
            "普通话水平达到二级乙等以上。",
            "体检合格。",
        ),
        bases=(
            basis(TEACHERS_LAW, "第十条"),
            basis(TEACHERS_LAW, "第十三条"),
            basis(TEACHER_QUALIFICATION_RULES),
        ),
        materials=(
            ID_CARD,
            Mat(
                "学历证书",
                form="original_and_copy",
                source="other",
                note="毕业院校颁发",
                license="学历证书",
                requirements="可在线核验的免于提交。",
            ),
            Mat(
                "中小学教师资格考试合格证明",
                form="electronic",
                source="government",
                note="教育部教育考试院",
                requirements="系统自动核验。",
                paper="",
            ),
            Mat(
                "普通话水平测试等级证书",
                form="electronic",
                source="government",
                note="语言文字工作部门",
                requirements="系统自动核验。",
                paper="",
            ),
            Mat("教师资格认定体检表", source="intermediary", note="指定医院出具"),
        ),
        steps=steps(
            ("网上申报", "在中国教师资格网填报申请。", 0, "申请人"),
            (
                "现场确认",
                "在规定时间内到确认点核验材料（已实现在线核验的免于现场确认）。",
                0,
                "教育窗口",
            ),
            ("审查决定", "专家审查委员会审查，作出认定决定。", 20, "教师工作股"),
            ("送达", "颁发教师资格证书。", 2, "教育窗口"),
        ),
        statutory=30,
        promised=22,
        window="一楼教育窗口",
        result="教师资格证书",
        delivery=("pickup", "post"),
        visits=0,
        depth=3,
        competent="教育行政部门",
        levels="县级",
        questions=(
            ("高中教师资格在哪里认定？", "高级中学、中等职业学校教师资格由市级教育行政部门认定。"),
        ),
    ),
    Item(
        key="investment-filing",
        code="991Z0200200000",
        name="企业投资项目备案",
        item_type=10,
        at=(("990121", "ndrc"),),
        audience="legal_person",
        themes=("l-investment", "le-invest"),
        summary="企业在{地}投资建设实行备案管理的项目，在开工建设前通过投资项目在线审批监管平台告知备案信息。",
        conditions=(
            "项目不属于《政府核准的投资项目目录》规定的核准范围。",
            "项目符合国家产业政策，不属于禁止投资的项目。",
        ),
        bases=(basis(INVESTMENT_RULES, "第三条"),),
        materials=(
            Mat(
                "项目备案信息",
                form="electronic",
                requirements="在线填写企业基本情况，项目名称、建设地点、建设规模和内容、项目总投资额。",
                paper="",
            ),
            Mat("项目信息真实性承诺", form="electronic", paper=""),
        ),
        steps=steps(
            ("在线告知", "企业通过在线平台如实填报备案信息。", 0, "申请人"),
            ("备案", "备案机关收到全部信息即为备案，在线出具备案证明。", 0, "投资股"),
        ),
        statutory=None,
        promised=None,
        window="二楼投资项目审批窗口",
        result="企业投资项目备案证明（在线打印）",
        result_type="approval",
        delivery=("electronic",),
        visits=0,
        depth=4,
        competent="发展改革部门",
        levels="省级、市级、县级",
        questions=(
            (
                "备案信息变了怎么办？",
                "项目法人、建设地点、规模、内容发生较大变更的，应当及时通过在线平台告知备案机关，修改备案信息。",
            ),
        ),
    ),
    Item(
        key="real-estate-transfer",
        code="991G0800100000",
        name="国有建设用地使用权及房屋所有权转移登记",
        item_type=7,
        at=tuple((code, "land") for code in COUNTIES),
        audience="both",
        themes=("p-housing", "p-mortgage", "pe-home", "l-land-planning"),
        summary="已登记的国有建设用地使用权及房屋所有权因买卖、赠与、继承等发生转移的，当事人申请转移登记。",
        conditions=(
            "不动产已办理首次登记或转移登记。",
            "不动产未被查封，不存在限制转移的情形。",
            "转移原因合法，当事人共同申请（继承等可单方申请）。",
        ),
        bases=(
            basis(
                CIVIL_CODE,
                "第二百零九条",
                "不动产物权的设立、变更、转让和消灭，经依法登记，发生效力；未经登记，不发生效力，"
                "但是法律另有规定的除外。依法属于国家所有的自然资源，所有权可以不登记。",
            ),
            basis(
                CIVIL_CODE,
                "第二百一十条",
                "不动产登记，由不动产所在地的登记机构办理。国家对不动产实行统一登记制度。"
                "统一登记的范围、登记机构和登记办法，由法律、行政法规规定。",
            ),
            basis(REAL_ESTATE_RULES, "第二十条"),
            basis(REAL_ESTATE_FEE_NOTICE),
        ),
        situations=(
            ("A", "存量房买卖", "二手房买卖，买卖双方共同申请。"),
            ("B", "赠与", "赠与双方共同申请。"),
        ),
        materials=(
            Mat("不动产登记申请书", requirements="在窗口或网上填写，双方签字。"),
            Mat("申请人身份证明", source="government", note="公安机关核发", license="居民身份证"),
            Mat(
                "不动产权证书",
                source="government",
                note="不动产登记机构核发",
                license="不动产权证书",
            ),
            Mat("存量房买卖合同", situations="A", requirements="网签备案的，系统获取，免于提交。"),
            Mat("赠与合同或经公证的赠与书", situations="B"),
            Mat(
                "完税凭证",
                source="government",
                note="税务部门出具",
                requirements="“一窗受理”的由税务部门同步推送。",
                form="electronic",
            ),
        ),
        steps=steps(
            ("一窗受理", "登记、税务、交易“一窗”受理，采集人像信息。", 0.5, "不动产登记窗口"),
            ("审核", "查验不动产权属状况和限制情况。", 2, "审核岗"),
            ("登簿", "记载于不动产登记簿。", 0.5, "登簿岗"),
            ("缮证发证", "缮制不动产权证书，窗口领取或邮寄。", 1, "发证窗口"),
        ),
        statutory=30,
        promised=4,
        statutory_note="不动产登记暂行条例规定的30个工作日",
        window="一楼不动产登记窗口",
        result="不动产权证书",
        delivery=("pickup", "post", "electronic"),
        visits=1,
        visit_reason="须核验双方身份并当面签署申请书（已实现远程视频核验的除外）。",
        depth=3,
        fees=(
            (
                "不动产登记费",
                "住宅类每件80元；非住宅类每件550元（含第一本证书工本费）",
                REAL_ESTATE_FEE_BASIS,
                True,
                "小微企业（含个体工商户）申请不动产登记的，按规定免收登记费。",
            ),
            (
                "不动产权证书工本费",
                "每增加一本证书加收证书工本费10元",
                REAL_ESTATE_FEE_BASIS,
                False,
                "",
            ),
        ),
        competent="自然资源部门",
        levels="县级",
        questions=(
            (
                "买卖二手房要跑几个窗口？",
                "只需到不动产登记“一窗受理”窗口，登记、交易、缴税一次办结。",
            ),
            ("可以和水电气过户一起办吗？", "可以，申请时勾选水、电、气、网联动过户即可。"),
        ),
    ),
    Item(
        key="land-planning-permit",
        code="991A0800200000",
        name="建设用地规划许可证核发（出让类）",
        item_type=1,
        at=(("990121", "land"),),
        audience="legal_person",
        themes=("l-land-planning", "l-investment", "le-invest"),
        summary="以出让方式取得国有土地使用权的建设项目，建设单位申请核发建设用地规划许可证。",
        conditions=(
            "已签订国有建设用地使用权出让合同。",
            "已取得建设项目批准、核准或备案文件。",
            "建设项目符合国土空间详细规划和规划条件。",
        ),
        bases=(basis(PLANNING_LAW, "第三十八条"),),
        materials=(
            Mat("建设用地规划许可申请表"),
            Mat(
                "国有建设用地使用权出让合同",
                form="copy",
                source="government",
                note="自然资源部门签订",
            ),
            Mat(
                "建设项目批准、核准或备案文件",
                form="copy",
                source="government",
                note="投资主管部门出具",
            ),
        ),
        steps=STANDARD_STEPS,
        statutory=20,
        promised=3,
        window="二楼工程建设审批窗口",
        result="建设用地规划许可证",
        delivery=("pickup", "electronic"),
        visits=0,
        depth=4,
        competent="自然资源部门",
        levels="市级、县级",
        questions=(
            (
                "可以和用地批准一起办吗？",
                "可以，实行“多审合一、多证合一”，建设用地规划许可证和用地批准书合并办理。",
            ),
        ),
    ),
    Item(
        key="eia-form",
        code="991A0900300000",
        name="建设项目环境影响报告表审批",
        item_type=1,
        at=(("990121", "env"),),
        audience="legal_person",
        themes=("l-environment", "l-investment", "le-invest"),
        summary="按照建设项目环境影响评价分类管理名录应当编制环境影响报告表的项目，由建设单位报{部门}审批。",
        conditions=(
            "建设项目符合生态环境保护法律法规和相关规划。",
            "环境影响报告表编制规范，污染防治措施可行。",
        ),
        bases=(basis(EIA_LAW, "第二十二条"),),
        materials=(
            Mat("建设项目环境影响报告表审批申请"),
            Mat(
                "建设项目环境影响报告表",
                copies=2,
                source="intermediary",
                note="建设单位或委托的技术单位编制",
            ),
        ),
        steps=steps(
            ("受理", "审查材料并公开受理信息。", 1, "生态环境窗口"),
            ("审查", "技术审查，拟审批前公示。", 12, "环境影响评价股"),
            ("决定", "作出审批决定。", 2, "局务会"),
        ),
        specials=(("拟审批公示", 5, False, "公示期间不计入审批时限。"),),
        statutory=30,
        promised=15,
        statutory_note="收到环境影响报告表之日起三十日内",
        window="二楼生态环境窗口",
        result="建设项目环境影响报告表批复",
        result_type="approval",
        delivery=("pickup", "electronic"),
        depth=3,
        competent="生态环境部门",
        levels="市级、县级",
        questions=(
            (
                "哪些项目只填登记表？",
                "按照建设项目环境影响评价分类管理名录，填报环境影响登记表的项目实行网上备案，不需审批。",
            ),
        ),
    ),
    # -- townships ---------------------------------------------------------------------------
    Item(
        key="subsistence",
        code="991E3000100000",
        name="最低生活保障审核确认",
        item_type=5,
        at=(("990121101", "gov"),),
        audience="individual",
        themes=("p-social-security", "pe-elderly"),
        summary="共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合财产状况规定的家庭，"
        "向户籍所在地乡镇人民政府申请最低生活保障。",
        conditions=(
            "申请人户籍在{地}。",
            "共同生活的家庭成员人均收入低于当地最低生活保障标准。",
            "家庭财产状况符合本省规定。",
        ),
        bases=(
            basis(
                SOCIAL_ASSISTANCE_RULES,
                "第九条",
                "国家对共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合当地最低生活保障家庭"
                "财产状况规定的家庭，给予最低生活保障。",
            ),
            basis(SOCIAL_ASSISTANCE_RULES, "第十一条"),
        ),
        materials=(
            Mat(
                "最低生活保障申请书",
                blank="subsistence",
                requirements="申请人签字；不能书写的可口头申请，由工作人员代为记录。",
            ),
            Mat(
                "家庭成员居民身份证或户口簿",
                source="government",
                note="公安机关核发",
                license="居民身份证",
                form="copy",
            ),
            Mat("家庭经济状况核对授权书", requirements="共同生活的家庭成员签字授权。"),
        ),
        steps=steps(
            ("申请", "向乡镇人民政府（便民服务中心）或委托村（居）民委员会提出申请。", 0, "申请人"),
            ("调查核实", "入户调查、信息核对，必要时组织民主评议。", 15, "社会事务办"),
            ("公示", "在申请人所在村（社区）公示调查结果。", 0, "村（居）委会"),
            ("确认", "作出审核确认决定，不符合条件的书面说明理由。", 5, "乡镇人民政府"),
        ),
        specials=(("村（社区）公示", 7, False, "公示7天，不计入办理时限。"),),
        statutory=30,
        promised=20,
        window="便民服务中心",
        at_department=True,
        result="最低生活保障证或审核确认通知书",
        delivery=("pickup",),
        visits=1,
        visit_reason="需入户调查核实家庭经济状况。",
        depth=2,
        competent="民政部门",
        levels="县级、乡级",
        questions=(
            (
                "不在户籍地居住可以申请吗？",
                "可以向经常居住地乡镇（街道）提出申请，由其协助户籍地办理。",
            ),
        ),
    ),
    Item(
        key="homestead",
        code="991A3000200000",
        name="农村村民宅基地审批",
        item_type=1,
        at=(("990121102", "gov"),),
        audience="individual",
        themes=("p-planning", "p-housing", "pe-home"),
        summary="符合“一户一宅”规定的农村村民新建、改建、扩建住宅，申请使用宅基地。",
        conditions=(
            "申请人为本集体经济组织成员，以户为单位申请。",
            "符合“一户一宅”规定，申请面积不超过本省规定的标准。",
            "符合国土空间规划和村庄规划，尽量使用原有宅基地和村内空闲地。",
        ),
        bases=(
            basis(LAND_LAW, "第六十二条"),
            basis(PLANNING_LAW, "第四十一条"),
        ),
        materials=(
            Mat("农村宅基地和建房（规划许可）申请表", blank="homestead"),
            Mat("农村宅基地使用承诺书"),
            Mat(
                "申请户家庭成员户口簿",
                form="copy",
                source="government",
                note="公安机关核发",
                license="居民户口簿",
            ),
            Mat(
                "村民小组会议讨论通过的记录和公示情况",
                source="other",
                note="村民小组、村民委员会出具",
            ),
        ),
        steps=steps(
            ("村级审查", "村民小组讨论、公示，村集体经济组织或村委会审查。", 0, "村民委员会"),
            ("受理", "乡镇便民服务中心统一受理。", 1, "便民服务中心"),
            ("联审", "农业农村、自然资源等机构实地审查、联合审查。", 10, "联审小组"),
            ("审批", "乡镇人民政府审批，同时核发乡村建设规划许可证。", 4, "乡镇人民政府"),
        ),
        specials=(("村级公示", 5, False, "村民小组讨论结果公示，不计入办理时限。"),),
        statutory=20,
        promised=15,
        window="便民服务中心",
        at_department=True,
        result="农村宅基地批准书",
        delivery=("pickup",),
        visits=1,
        visit_reason="须实地丈量放线和竣工验收。",
        depth=2,
        competent="农业农村部门",
        levels="乡级",
        questions=(
            (
                "批准后多久要建房？",
                "应在批准后按规定期限内开工，开工前申请乡镇组织实地丈量批放宅基地。",
            ),
            ("审批收费吗？", "不收费。"),
        ),
    ),
)


# The items withdrawn after publication, to show the lifecycle (see ``catalog.py``).
LIFECYCLE = (
    {
        "action": "suspend",
        "item": "public-places",
        "place": "990221",
        "replacement": ("public-places-pledge", "990221"),
        "effective": (2026, 9, 1),
        "reason": "鹿鸣县自2026年9月1日起对公共场所卫生许可全面实行告知承诺制，原审批方式暂停受理；"
        "请通过“公共场所卫生许可（告知承诺制）”办理。",
    },
    {
        "action": "cancel",
        "item": "employment-registration-card",
        "place": "990121",
        "replacement": ("employment-card", "990121"),
        "effective": (2026, 6, 1),
        "reason": "《就业失业登记证》已统一更名为《就业创业证》，本事项取消，"
        "请改为办理“就业创业证申领”。",
    },
)


# -- application forms (.xlsx): (title, rows); each row is ((label, sample value), ...) with
# one or two fields; the sample fills in a fictional applicant.

FORMS = {
    "individual-business": (
        "个体工商户登记（备案）申请书",
        (
            (("个体工商户名称", "松林县青石镇小禾便利店"),),
            (("经营者姓名", "张三"), ("联系电话", "139****0001")),
            (("身份证件类型", "居民身份证"), ("身份证件号码", "110101********4514")),
            (("经营场所", "明川省青岚市松林县青石镇府前街18号"),),
            (("组成形式", "个人经营"), ("从业人数", "2")),
            (("资金数额（万元）", "5"), ("邮政编码", "990100")),
            (("经营范围", "食品销售（仅销售预包装食品）；日用百货销售"),),
        ),
    ),
    "company": (
        "公司登记（备案）申请书",
        (
            (("申请类型", "☑设立  □变更  □注销"),),
            (("公司名称", "松林县青禾农业科技有限公司"),),
            (
                ("统一社会信用代码", "（设立时不填）"),
                ("公司类型", "有限责任公司（自然人投资或控股）"),
            ),
            (("住所", "明川省青岚市松林县城关街道人民路66号"),),
            (("法定代表人", "张三"), ("注册资本（万元）", "100")),
            (("经营范围", "农业科学研究和试验发展；农作物种子经营（仅限不再分装的包装种子）"),),
            (("联络员", "李四"), ("联络员电话", "139****0002")),
        ),
    ),
    "food-licence": (
        "食品经营许可申请书",
        (
            (("经营者名称", "松林县青禾农业科技有限公司"),),
            (("统一社会信用代码", "91990121MA00000Q0K"), ("法定代表人（负责人）", "张三")),
            (("经营场所", "明川省青岚市松林县城关街道人民路66号一层"),),
            (("主体业态", "食品销售经营者"), ("经营项目", "散装食品销售")),
            (("食品安全管理人员", "李四"), ("联系电话", "139****0002")),
            (("经营面积（平方米）", "120"), ("申请类型", "☑新办  □变更  □延续")),
        ),
    ),
    "unemployment": (
        "失业保险金申领登记表",
        (
            (("姓名", "张三"), ("性别", "男")),
            (("身份证件号码", "110101********4514"), ("联系电话", "139****0001")),
            (("原工作单位", "青岚市某某商贸有限公司"),),
            (("参保缴费起止时间", "2019年3月至2026年8月"), ("失业时间", "2026年8月31日")),
            (("失业原因", "劳动合同期满终止"), ("失业登记日期", "2026年9月3日")),
            (("社会保障卡银行账号", "6217 **** **** 1234"),),
        ),
    ),
    "subsistence": (
        "最低生活保障申请书",
        (
            (("申请人姓名", "王某某"), ("联系电话", "139****0003")),
            (("身份证件号码", "990121********0021"), ("户籍地址", "青石镇东坪村三组")),
            (("共同生活家庭成员人数", "3"), ("家庭月总收入（元）", "1500")),
            (("申请理由", "本人患慢性病丧失劳动能力，配偶务农收入低，子女在校就读。"),),
            (("开户银行及账号", "明川农商银行 **** 5678"),),
        ),
    ),
    "homestead": (
        "农村宅基地和建房（规划许可）申请表",
        (
            (("申请户主", "赵某某"), ("身份证件号码", "990121********0035")),
            (("家庭成员人数", "4"), ("所在村组", "松涛镇石桥村五组")),
            (("现宅基地面积（平方米）", "无"), ("拟申请面积（平方米）", "120")),
            (("拟建房屋层数", "2"), ("拟建建筑面积（平方米）", "200")),
            (("申请理由", "分户后无宅基地，申请新建住宅。"),),
            (("四至", "东：道路；南：赵某甲宅；西：耕地；北：村道"),),
        ),
    ),
}
