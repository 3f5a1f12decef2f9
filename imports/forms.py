from django import forms

from .kinds import kind_of


class UploadForm(forms.Form):
    """A spreadsheet to import; the field is named after the kind of sheet (任务清单文件, 隐患台账文件)."""

    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.ods"}),
        error_messages={"required": "请选择要上传的表格文件。"},
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = f"{kind_of(kind).label}文件"
