import os

from django.conf import settings


def test_ui_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "en" in dict(settings.LANGUAGES)


def test_jobs_run_in_process_without_a_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not os.environ.get("CELERY_BROKER_URL"))
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]


def test_chinese_by_default_whatever_the_browser_says(client, settings):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en"


def test_defusedxml_is_active():
    from core.checks import xml_parsing_is_defused

    assert xml_parsing_is_defused(None) == []
