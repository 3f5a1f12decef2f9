from django.core.checks import Error, register


@register()
def xml_parsing_is_defused(app_configs, **kwargs):
    """Uploaded workbooks are XML: openpyxl must parse them through defusedxml (no entity expansion)."""
    try:
        from openpyxl.xml import DEFUSEDXML
    except ImportError:  # pragma: no cover - openpyxl is a hard dependency
        DEFUSEDXML = False
    if not DEFUSEDXML:
        return [Error("defusedxml 未安装：上传的表格可能含有 XML 实体炸弹。", hint="pip install defusedxml",
                      id="campaign.E001")]
    return []
