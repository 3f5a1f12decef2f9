from django.db import models


class Industry(models.TextChoices):
    HAZCHEM = "hazchem", "危化品"
    COAL = "coal", "煤矿"
    NONCOAL = "noncoal", "非煤矿山"
    INDUSTRY_TRADE = "industry_trade", "工贸"
    CONSTRUCTION = "construction", "建筑施工"
    ROAD = "road", "道路运输"
    WATERWAY = "waterway", "水上交通"
    GAS = "gas", "燃气"
    FIRE = "fire", "消防"
    SPECIAL_EQUIPMENT = "special_equipment", "特种设备"
    FIREWORKS = "fireworks", "烟花爆竹"
    EXPLOSIVES = "explosives", "民爆"
    WATER = "water", "水利"
    POWER = "power", "电力"
    OTHER = "other", "其他"


class Channel(models.TextChoices):
    SELF_REPORT = "self_report", "企业自查上报"
    SUPERVISION = "supervision", "督导检查"
    ENFORCEMENT = "enforcement", "执法检查"
    TIP_OFF = "tip_off", "群众举报查实"
    OTHER = "other", "其他"


class HazardState(models.TextChoices):
    REGISTERED = "registered", "待整改"
    RECTIFYING = "rectifying", "整改中"
    PENDING_CLOSE = "pending_close", "待销号"
    CLOSED = "closed", "已销号"


class ListedLevel(models.TextChoices):
    COUNTY = "county", "县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"


class HazardFollowUpKind(models.TextChoices):
    LETTER = "letter", "函告"
    BULLETIN = "bulletin", "通报"
    INTERVIEW = "interview", "约谈"
    EXPOSURE = "exposure", "曝光"
