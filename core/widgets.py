"""Form widgets that render in Python instead of through Django's widget templates.

Django renders every widget, and every ``<option>`` of a select, through the form renderer's templates:
about 40 µs per option. A province's filter bar lists 2,000 units, which alone cost more than the rest of
the page. These widgets produce the same markup (name, attributes, value, the selected option) directly;
``speed_up(form)`` swaps them in for a form's plain selects and inputs, keeping each widget's attributes
and choices.
"""

from __future__ import annotations

import functools
import html

from django import forms
from django.utils.safestring import SafeData, mark_safe


def attributes(attrs: dict) -> str:
    """Attributes in their order, as Django's widgets/attrs.html writes them (True: the name alone; False: left out)."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{html.escape(str(value))}"')
    return "".join(parts)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        choices = [choice for choice in self.choices]  # not list(): that asks a ModelChoiceIterator for a COUNT
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's own rendering
        wanted = set(self.format_value(value))
        parts = [f'<select name="{html.escape(name)}"{attributes(self.build_attrs(self.attrs, attrs))}>']
        selected_one = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not selected_one and text in wanted
            selected_one = selected_one or selected
            # The standard library's escape (what Django's wraps) straight away: thousands of options.
            label = label if isinstance(label, SafeData) else html.escape(str(label))
            parts.append(f'<option value="{html.escape(text)}"{" selected" if selected else ""}>{label}</option>')
        parts.append("</select>")
        return mark_safe("\n".join(parts))


class FastInputMixin:
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = f' value="{html.escape(str(value))}"' if value is not None else ""
        final = attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{html.escape(self.input_type)}" name="{html.escape(name)}"{shown}{final}>')


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


SWAPS = {forms.Select: FastSelect, forms.TextInput: FastTextInput, forms.DateInput: FastDateInput}


def speed_up(form: forms.BaseForm) -> forms.BaseForm:
    """Replace the form's plain Select, TextInput and DateInput widgets by the fast ones (same markup)."""
    for field in form.fields.values():
        fast = SWAPS.get(type(field.widget))
        if fast is None:
            continue
        widget = field.widget
        new = fast(attrs=widget.attrs)
        new.input_type = widget.input_type  # Input.__init__ took "type" out of the attributes
        if isinstance(widget, forms.Select):
            new.choices = widget.choices
        if isinstance(widget, forms.DateInput):
            new.format = widget.format
            new.attrs = widget.attrs
        new.is_required = widget.is_required
        field.widget = new
    return form


class LeanModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A ModelChoiceField's options from plain rows (no model instances); see ``lean_choices``."""

    columns: tuple[str, ...] = ()
    label = None

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        for value, *rest in self.queryset.values_list(key, *self.columns):
            yield (value, self.label(*rest))


def first_column(first, *rest):
    return first


@functools.cache
def _iterator(columns: tuple[str, ...], label) -> type:
    return type("LeanIterator", (LeanModelChoiceIterator,), {"columns": columns, "label": staticmethod(label)})


def lean_choices(field: forms.ModelChoiceField, *columns: str, label=first_column) -> None:
    """Build ``field``'s options from ``columns`` of its queryset, labelled by ``label(*values)`` (default: the
    first column; pass a module-level function). Validation still fetches the chosen object; only the option
    list skips model instances, which for a province's 2,000 units cost more than the rest of the page."""
    field.iterator = _iterator(columns, label)
    field.widget.choices = field.choices
