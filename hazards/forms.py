from django import forms

from campaign.models import Unit
from campaign.selectors import campaign_units
from core.forms import BootstrapMixin, MultipleFileField

from .choices import Channel, HazardFollowUpKind, Industry, ListedLevel
from .models import Enterprise
from .validators import validate_credit_code

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class RegisterForm(BootstrapMixin, forms.Form):
    enterprise_name = forms.CharField(label="企业名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False,
                                  help_text="18 位；已登记过的企业按代码或名称自动关联，新企业必须填写")
    township = forms.ModelChoiceField(label="所在乡镇（街道）", queryset=Unit.objects.none())
    supervisor = forms.ModelChoiceField(label="监管部门", queryset=Unit.objects.none())
    industry = forms.ChoiceField(label="行业领域", choices=Industry.choices)
    channel = forms.ChoiceField(label="发现方式", choices=Channel.choices)
    found_on = forms.DateField(label="发现日期", widget=DATE)
    description = forms.CharField(label="隐患描述", widget=forms.Textarea(attrs={"rows": 3}))
    standard_clause = forms.CharField(label="判定依据", required=False, max_length=300,
                                      help_text="如《工贸企业重大事故隐患判定标准》第X条")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        units = campaign_units(campaign)
        self.fields["township"].queryset = units.filter(kind__in=["township", "zone"])
        self.fields["supervisor"].queryset = units.filter(kind="department")

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        if code:
            validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        if not data.get("credit_code") and data.get("enterprise_name") and data.get("township"):
            # A name alone finds only an enterprise of the township the hazard is registered in: it never links
            # to (or reveals) another township's enterprise of the same name.
            known = Enterprise.objects.filter(name=data["enterprise_name"].strip(), township=data["township"]).first()
            if known is None:
                self.add_error("credit_code", "该乡镇（街道）还没有登记过这家企业，请填写统一社会信用代码。")
            else:
                data["credit_code"] = known.credit_code
        return data


class PlanForm(BootstrapMixin, forms.Form):
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    funds = forms.DecimalField(label="整改资金（万元）", required=False, min_value=0, max_digits=12, decimal_places=2)
    responsible_person = forms.CharField(label="整改责任人", max_length=50)
    deadline = forms.DateField(label="整改期限", widget=DATE)


class RectifiedForm(BootstrapMixin, forms.Form):
    rectified_on = forms.DateField(label="整改完成日期", widget=DATE)
    files = MultipleFileField(label="整改佐证材料（照片、文件）")


class CloseForm(BootstrapMixin, forms.Form):
    closed_on = forms.DateField(label="销号日期", required=False, widget=DATE)
    approval = forms.CharField(label="挂牌级别销号批准文号", required=False, max_length=100,
                               help_text="市级、省级挂牌督办的隐患必填")


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}))


class NotifyForm(BootstrapMixin, forms.Form):
    principal_on = forms.DateField(label="通知主要负责人日期", required=False, widget=DATE)
    controller_on = forms.DateField(label="通知实际控制人日期", required=False, widget=DATE)


class FollowUpForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="措施", choices=HazardFollowUpKind.choices)
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))


class ListingForm(BootstrapMixin, forms.Form):
    level = forms.ChoiceField(label="挂牌督办级别", choices=ListedLevel.choices)
    listed_on = forms.DateField(label="挂牌日期", widget=DATE)
    listing_unit = forms.CharField(label="挂牌单位", max_length=100)
    notice_number = forms.CharField(label="督办文号", max_length=60, required=False)
