from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionLine, Campaign, KeyTask, Plan, Profile, Unit
from .resources import ActionLineResource, KeyTaskResource, UnitResource


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "short_name", "code", "kind", "parent", "sort_order", "is_active"]
    list_filter = ["kind", "is_active", "parent"]
    search_fields = ["name", "short_name", "code", "aliases"]
    autocomplete_fields = ["parent"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "office", "start_date", "end_date", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "campaign", "unit", "kind"]
    list_filter = ["campaign", "kind", "unit__kind"]
    search_fields = ["title", "unit__name", "unit__short_name"]
    autocomplete_fields = ["unit"]


class KeyTaskInline(admin.TabularInline):
    model = KeyTask
    extra = 0


@admin.register(ActionLine)
class ActionLineAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [ActionLineResource]
    list_display = ["number", "title", "plan"]
    list_filter = ["plan__campaign", "plan"]
    search_fields = ["title"]
    inlines = [KeyTaskInline]


@admin.register(KeyTask)
class KeyTaskAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [KeyTaskResource]
    list_display = ["title", "number", "action_line"]
    list_filter = ["action_line__plan"]
    search_fields = ["title"]


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
    autocomplete_fields = ["unit", "user"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]
    verbose_name_plural = "角色与所属单位"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "is_staff", "is_active", "profile__role", "profile__unit"]
    list_filter = ["is_staff", "is_active", "profile__role"]
