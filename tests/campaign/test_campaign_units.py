"""The campaign's units are the whole tree under its office: every form and filter that offers units lists them,
however deep (issue 17: the hazard form listed only the office's direct children)."""

import pytest

from campaign.choices import UnitKind
from campaign.selectors import campaign_units
from hazards.filters import HazardFilter
from hazards.forms import RegisterForm
from hazards.models import MajorHazard
from tasks.views.lists import ListFilterForm

from ..factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_a_unit_two_levels_down_can_be_picked_everywhere(world, users):
    zone = UnitFactory(code="zone-in-town", name="某某镇工业园区", kind=UnitKind.ZONE, parent=world.township)
    station = UnitFactory(code="dept-b-station", name="县应急局执法大队", kind=UnitKind.DEPARTMENT, parent=world.dept_b)
    elsewhere = UnitFactory(code="other-office", name="邻县安委办", kind=UnitKind.OFFICE)
    outside = UnitFactory(code="other-town", name="邻县某镇", kind=UnitKind.TOWNSHIP, parent=elsewhere)

    units = set(campaign_units(world.campaign))
    assert {world.dept_a, world.dept_b, world.township, zone, station} <= units
    assert outside not in units and elsewhere not in units

    form = RegisterForm(campaign=world.campaign)
    assert zone in form.fields["township"].queryset and station in form.fields["supervisor"].queryset
    assert outside not in form.fields["township"].queryset
    hazard_filter = HazardFilter(queryset=MajorHazard.objects.none(), campaign=world.campaign,
                                 on=world.campaign.start_date)
    assert zone in hazard_filter.filters["township"].queryset
    task_filter = ListFilterForm(campaign=world.campaign, user=users["office"])
    assert {zone, station} <= set(task_filter.fields["unit"].queryset)
