from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponseBadRequest
from django.template import loader
from django.urls import include, path

from core.health import healthz

admin.site.site_header = "安全生产治本攻坚三年行动 · 管理后台"
admin.site.site_title = "治本攻坚管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Login, logout and password change; no e-mailed password reset (intranets rarely have mail): the
    # administrator sets a new password in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", healthz, name="healthz"),
    path("", include("campaign.urls")),
    path("", include("imports.urls")),
    path("", include("tasks.urls")),
    path("", include("hazards.urls")),
    path("", include("reporting.urls")),
    path("", include("audit.urls")),
]


def bad_request(request, exception, template_name="400.html"):
    """The 400 page (a bad Host header, a malformed request), rendered without the request.

    Such a request is often refused before the authentication middleware has run, so it has no ``user`` for
    the layout's context processors; 400.html needs none.
    """
    return HttpResponseBadRequest(loader.render_to_string(template_name))


handler400 = bad_request
