from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "安全生产治本攻坚三年行动 · 管理后台"
admin.site.site_title = "治本攻坚管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("campaign.urls")),
    path("", include("tasks.urls")),
    path("", include("hazards.urls")),
    path("", include("reporting.urls")),
]
