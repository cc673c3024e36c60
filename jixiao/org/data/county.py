"""The shape of a county's budget agencies, for the demo and benchmark builders (``jixiao.org.demo``).

Names are templates: ``{c}`` is the county's full name (临朐县), ``{s}`` its short name (临朐), ``{city}``
the city (潍坊市), ``{town}`` / ``{town_s}`` a township of the county (五井镇 / 五井), taken in turn so two
units of one department never name the same township. Codes are the department's three digits plus a
three-digit unit number; townships are 901, 902 …

A unit marked optional is kept or dropped by the builder's seeded random generator, so different
seeds give counties of slightly different size (about 120 agencies) while a seed always gives the
same county. Sector codes are those of :mod:`jixiao.org.data.sectors`.
"""

from __future__ import annotations

FIXED, OPT = False, True

#: (code, name template, sector, [(unit name template, sector or None = the department's, optional)])
DEPARTMENTS = [
    ("101", "{c}教育和体育局", "education", [
        ("{c}第一中学", None, FIXED),
        ("{c}{town}中心小学", None, FIXED),
        ("{c}实验中学", None, FIXED),
        ("{c}实验小学", None, FIXED),
        ("{c}第二中学", None, FIXED),
        ("{c}职业教育中心学校", None, FIXED),
        ("{c}特殊教育学校", None, FIXED),
        ("{c}{town}中心小学", None, OPT),
        ("{c}{town}初级中学", None, OPT),
        ("{c}机关幼儿园", None, OPT),
        ("{c}教育科学研究中心", None, OPT),
        ("{c}青少年体育运动学校", "culture_sports_media", OPT),
    ]),
    ("102", "{c}农业农村局", "agriculture_water", [
        ("{c}农业技术推广中心", None, FIXED),
        ("{c}畜牧业发展中心", None, FIXED),
        ("{c}动物疫病预防控制中心", None, FIXED),
        ("{c}农业机械化服务中心", None, OPT),
        ("{c}农产品质量安全检验检测中心", None, OPT),
        ("{c}农村经营管理服务中心", None, OPT),
    ]),
    ("103", "{c}卫生健康局", "health", [
        ("{c}人民医院", None, FIXED),
        ("{c}中医院", None, FIXED),
        ("{c}妇幼保健院", None, FIXED),
        ("{c}疾病预防控制中心", None, FIXED),
        ("{c}{town_s}中心卫生院", None, FIXED),
        ("{c}{town_s}中心卫生院", None, OPT),
        ("{c}精神卫生中心", None, OPT),
        ("{c}卫生健康综合执法大队", None, OPT),
    ]),
    ("104", "{c}水利局", "agriculture_water", [
        ("{c}水利工程建设服务中心", None, FIXED),
        ("{c}水土保持站", None, FIXED),
        ("{c}农村供水服务中心", None, OPT),
        ("{c}防汛抗旱服务中心", None, OPT),
    ]),
    ("105", "{c}交通运输局", "transport", [
        ("{c}公路事业发展中心", None, FIXED),
        ("{c}交通运输综合执法大队", None, FIXED),
        ("{c}农村公路服务中心", None, OPT),
    ]),
    ("106", "{c}民政局", "social_security", [
        ("{c}社会福利中心", None, FIXED),
        ("{c}救助管理站", None, FIXED),
        ("{c}殡葬服务中心", None, OPT),
        ("{c}儿童福利院", None, OPT),
    ]),
    ("107", "{c}人力资源和社会保障局", "social_security", [
        ("{c}社会保险事业中心", None, FIXED),
        ("{c}公共就业和人才服务中心", None, FIXED),
        ("{c}劳动人事争议仲裁院", None, OPT),
        ("{c}技工学校", "education", OPT),
    ]),
    ("108", "{c}住房和城乡建设局", "housing", [
        ("{c}住房保障服务中心", None, FIXED),
        ("{c}建筑工程质量安全服务中心", "urban_rural_community", FIXED),
        ("{c}房产交易服务中心", None, OPT),
        ("{c}园林绿化服务中心", "urban_rural_community", OPT),
    ]),
    ("109", "{c}自然资源和规划局", "natural_resources", [
        ("{c}不动产登记中心", None, FIXED),
        ("{c}林业发展中心", "agriculture_water", FIXED),
        ("{c}国土空间规划服务中心", None, OPT),
    ]),
    ("110", "{city}生态环境局{s}分局", "environment", [
        ("{c}生态环境监测站", None, FIXED),
        ("{c}生态环境保护综合执法大队", None, OPT),
    ]),
    ("111", "{c}文化和旅游局", "culture_sports_media", [
        ("{c}图书馆", None, FIXED),
        ("{c}文化馆", None, FIXED),
        ("{c}博物馆", None, FIXED),
        ("{c}文物保护中心", None, OPT),
        ("{c}旅游服务中心", None, OPT),
    ]),
    ("112", "{c}财政局", "general_public_services", [
        ("{c}国库集中支付中心", None, FIXED),
        ("{c}财政投资评审中心", None, FIXED),
        ("{c}农业综合开发服务中心", "agricultural_development", FIXED),
        ("{c}政府采购服务中心", None, OPT),
    ]),
    ("113", "{c}科学技术局", "science", [
        ("{c}科技创新服务中心", None, FIXED),
        ("{c}生产力促进中心", None, OPT),
    ]),
    ("114", "{c}发展和改革局", "general_public_services", [
        ("{c}重点项目服务中心", None, FIXED),
        ("{c}粮食和物资储备中心", "commerce_industry", OPT),
    ]),
    ("115", "{c}工业和信息化局", "commerce_industry", [
        ("{c}中小企业服务中心", None, FIXED),
    ]),
    ("116", "{c}商务局", "commerce_industry", [
        ("{c}商务服务中心", None, OPT),
    ]),
    ("117", "{c}市场监督管理局", "general_public_services", [
        ("{c}检验检测中心", None, FIXED),
        ("{c}市场监管综合执法大队", None, OPT),
    ]),
    ("118", "{c}应急管理局", "public_security", [
        ("{c}应急救援保障中心", None, FIXED),
        ("{c}地震监测中心", None, OPT),
    ]),
    ("119", "{c}公安局", "public_security", [
        ("{c}公安局交通警察大队", None, FIXED),
        ("{c}看守所", None, OPT),
    ]),
    ("120", "{c}司法局", "public_security", [
        ("{c}公证处", None, FIXED),
        ("{c}法律援助中心", None, OPT),
    ]),
    ("121", "{c}退役军人事务局", "social_security", [
        ("{c}退役军人服务中心", None, FIXED),
        ("{c}烈士陵园服务中心", None, OPT),
    ]),
    ("122", "{c}医疗保障局", "health", [
        ("{c}医疗保障服务中心", None, FIXED),
    ]),
    ("123", "{c}乡村振兴局", "rural_revitalization", [
        ("{c}乡村振兴服务中心", None, OPT),
    ]),
    ("124", "{c}审计局", "general_public_services", []),
    ("125", "{c}统计局", "general_public_services", [
        ("{c}统计普查中心", None, OPT),
    ]),
    ("126", "{c}综合行政执法局", "urban_rural_community", [
        ("{c}环境卫生服务中心", None, FIXED),
        ("{c}市政设施服务中心", None, OPT),
    ]),
    ("127", "{c}行政审批服务局", "general_public_services", [
        ("{c}公共资源交易中心", None, FIXED),
    ]),
    ("128", "{c}机关事务服务中心", "general_public_services", []),
    ("129", "{c}融媒体中心", "culture_sports_media", []),
    ("130", "{c}人民法院", "public_security", []),
    ("131", "{c}人民检察院", "public_security", []),
    ("132", "中共{c}委办公室", "general_public_services", [
        ("{c}档案馆", None, FIXED),
    ]),
    ("133", "{c}人民政府办公室", "general_public_services", [
        ("{c}大数据中心", None, OPT),
    ]),
    ("134", "{c}人大常委会办公室", "general_public_services", []),
    ("135", "政协{c}委员会办公室", "general_public_services", []),
]

#: 临朐县's township-level agencies: four 街道, six 镇 and three functional areas with their own
#: budgets (风景区, 旅游区, 开发区), thirteen in all. (full name, short name, name template)
HOME_TOWNSHIPS = [
    ("城关街道", "城关", "{c}城关街道办事处"),
    ("东城街道", "东城", "{c}东城街道办事处"),
    ("冶源街道", "冶源", "{c}冶源街道办事处"),
    ("辛寨街道", "辛寨", "{c}辛寨街道办事处"),
    ("五井镇", "五井", "{c}五井镇人民政府"),
    ("寺头镇", "寺头", "{c}寺头镇人民政府"),
    ("九山镇", "九山", "{c}九山镇人民政府"),
    ("龙岗镇", "龙岗", "{c}龙岗镇人民政府"),
    ("上林镇", "上林", "{c}上林镇人民政府"),
    ("柳山镇", "柳山", "{c}柳山镇人民政府"),
    ("沂山风景区", "沂山", "{c}沂山风景区管理委员会"),
    ("嵩山生态旅游区", "嵩山", "{c}嵩山生态旅游区管理委员会"),
    ("经济开发区", "开发区", "{s}经济开发区管理委员会"),
]
TOWNSHIP_SECTOR = "urban_rural_community"

#: Finance sections of a county and the departments each looks after (对口管理; a section looking
#: after a department also covers its units). "townships" stands for every township.
#: (code, name, kind, looked-after department codes)
SECTIONS = [
    ("S01", "教科文股", "business", ["101", "111", "113", "129"]),
    ("S02", "农业股", "business", ["102", "104", "123", "townships"]),
    ("S03", "社保股", "business", ["103", "106", "107", "121", "122"]),
    ("S04", "经济建设股", "business", ["105", "108", "109", "110", "114", "115", "116", "126"]),
    ("S05", "行政政法股", "business", ["117", "118", "119", "120", "124", "125", "127", "130", "131"]),
    ("S06", "预算股", "budget", ["112", "128", "132", "133", "134", "135"]),
    ("S09", "绩效股", "performance", []),
]

# --- province scale -------------------------------------------------------------------------------

#: Shandong's cities (GB/T 2260 prefixes); synthetic counties are spread over them.
CITIES = [
    ("3701", "济南市"), ("3702", "青岛市"), ("3703", "淄博市"), ("3704", "枣庄市"), ("3705", "东营市"),
    ("3706", "烟台市"), ("3707", "潍坊市"), ("3708", "济宁市"), ("3709", "泰安市"), ("3710", "威海市"),
    ("3711", "日照市"), ("3713", "临沂市"), ("3714", "德州市"), ("3715", "聊城市"), ("3716", "滨州市"),
    ("3717", "菏泽市"),
]

#: Syllables for synthetic county and township names. The province builder makes names up from
#: these rather than copying a list of real counties, since its codes are made up too (a few may
#: coincide with real places by chance).
NAME_FIRST = "安宝昌成大德东丰福高广汉和河华惠嘉金景锦乐临龙鲁梅明宁平青清庆荣瑞山寿泰桃天通万文西祥新兴阳永玉长正中"
NAME_SECOND = "安昌城川丰峰港和河湖华济江津口乐林陵宁平桥泉山水台亭田溪县原阳邑源州庄"
TOWN_KINDS = ["街道", "街道", "镇", "镇", "镇", "镇", "镇", "镇", "镇", "镇", "乡", "乡", "镇"]
