"""National list of policy sectors (行业/领域). Codes are English (glossary); names are what
users see. Extended by later issues (indicator templates are keyed by these codes)."""

SECTORS = [
    ("education", "教育"),
    ("science", "科技"),
    ("rural_revitalization", "扶贫（乡村振兴）"),
    ("environment", "环保"),
    ("agriculture_water", "农林水"),
    ("social_security", "社会保障"),
    ("culture_sports_media", "文化体育与传媒"),
    ("housing", "保障住房"),
    ("transport", "交通运输"),
    ("health", "卫生健康"),
    ("agricultural_development", "农业开发"),
    ("urban_rural_community", "城乡社区"),
    ("general_public_services", "一般公共服务"),
    ("public_security", "公共安全"),
    ("natural_resources", "自然资源"),
    ("commerce_industry", "商业服务与工业"),
]
