"""The fast widgets render what Django's own widgets render."""

import re

import pytest
from django import forms

from campaign.models import Unit
from core.widgets import lean_choices, speed_up

pytestmark = pytest.mark.django_db


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


class Filters(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.order_by("code"), required=False, to_field_name="code")
    state = forms.ChoiceField(choices=[("", "全部"), ("a", "甲<乙>"), ("b", "“丙”&丁")], required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    q = forms.CharField(required=False)


@pytest.mark.parametrize("data", [None, {"unit": "dept-b", "state": "b", "day": "2024-05-01", "q": 'a"<b>'},
                                  {"unit": "nope", "state": "zz", "day": "x", "q": ""}])
def test_same_markup_as_django(world, data):
    plain, fast = Filters(data), Filters(data)
    for field in fast.fields.values():
        field.widget.attrs["class"] = "form-control"
    for field in plain.fields.values():
        field.widget.attrs["class"] = "form-control"
    lean_choices(fast.fields["unit"], "name")
    speed_up(fast)
    for name in plain.fields:
        assert squeeze(fast[name]) == squeeze(plain[name]), name
    assert type(fast.fields["unit"].widget).__name__ == "FastSelect"


def test_lean_choices_validate_to_the_object(world):
    form = Filters({"unit": world.dept_a.code})
    lean_choices(form.fields["unit"], "name")
    assert form.is_valid() and form.cleaned_data["unit"] == world.dept_a
