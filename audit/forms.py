from django import forms

from .selectors import KIND_CHOICES, LogFilters, model_choices


class LogFilterForm(forms.Form):
    """The operations log's filters; an invalid value is shown as an error and otherwise ignored."""

    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label="用户名", required=False, max_length=150)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + KIND_CHOICES)
    model = forms.ChoiceField(label="数据对象", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "全部")] + model_choices()
        for f in self.fields.values():
            select = isinstance(f.widget, forms.Select)
            f.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "截止日期不能早于起始日期。")
        return data

    def log_filters(self) -> LogFilters:
        if not self.is_bound:
            return LogFilters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return LogFilters(
            since=data.get("since"), until=data.get("until"), username=(data.get("user") or "").strip(),
            kind=data.get("kind") or "", model=data.get("model") or "",
        )
