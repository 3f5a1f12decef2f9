"""Form parts every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max


class BootstrapMixin:
    """Give every widget Bootstrap's classes so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control form-control-sm"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def record_version(instance) -> str:
    """The newest history record of ``instance`` (django-simple-history): every save through the app writes one."""
    newest = type(instance).history.filter(**{instance._meta.pk.attname: instance.pk}).aggregate(m=Max("history_id"))
    return str(newest["m"] or 0)


class VersionedFormMixin:
    """Optimistic locking for a model form: the form carries the record's version (a hidden ``version`` field), and
    a save over a change someone made after the form was opened is refused with a message, the typed values kept.
    The form then carries the current version, so saving again is a deliberate choice. ``version`` is not a model
    field: read the others from ``model_values()``."""

    stale_message = ("保存未成功：您打开此页后，该记录已被他人修改。您填写的内容仍在表单中，"
                     "请核对后再次保存（将以您的内容为准）。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = record_version(self.instance)

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            current = record_version(self.instance)
            if data.get("version") != current:
                self.data = self.data.copy()
                self.data[self.add_prefix("version")] = current
                raise ValidationError(self.stale_message, code="stale")
        return data

    def model_values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
