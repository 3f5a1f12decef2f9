"""Upload → preview → confirm in the browser's pages; history, original file, template; who may do it."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportBatch
from tasks.models import Task

from .. import spreadsheets as books

pytestmark = pytest.mark.django_db
HEADER = ["序号", "具体任务", "牵头单位", "完成时限"]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def upload(client, world, plan, data, name="任务清单.xlsx"):
    url = reverse("import-upload", args=[world.campaign.slug, plan.unit.code])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_liaison_uploads_previews_and_confirms(client, world, users):
    client.force_login(users["liaison_a"])
    response = upload(client, world, world.plan_a, books.simple_xlsx(
        ["序号", "具体任务", "完成时限"],
        [["5", "开展燃气安全专项整治", "2026年12月底前"], ["6", "老旧小区改造", "2026年底前"]],
        title_rows=[["县住建局子方案"]],
    ))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{batch.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "开展燃气安全专项整治" in page and "新增" in page and "确认导入" in page
    assert not Task.objects.filter(plan=world.plan_a, code="5").exists()  # nothing saved before confirming
    client.post(response["Location"], {"action": "confirm"})
    batch.refresh_from_db()
    assert batch.state == "saved" and batch.counts["new"] == 2
    task = Task.objects.get(plan=world.plan_a, code="5")
    assert task.history.first().history_user == users["liaison_a"]
    history = client.get(reverse("import-history", args=[world.campaign.slug])).content.decode()
    assert "任务清单.xlsx" in history and "已导入" in history
    original = client.get(reverse("import-original", args=[world.campaign.slug, batch.pk]))
    assert b"".join(original.streaming_content).startswith(b"PK")


def test_preview_lists_every_problem_and_offers_no_confirm(client, world, users):
    client.force_login(users["office"])
    upload(client, world, world.master, books.simple_xlsx(HEADER, [
        ["1", "甲", "县住建局", "2025年13月底前"], ["2", "乙", "县不存在局", ""],
    ]))
    batch = ImportBatch.objects.get()
    assert batch.state == "invalid"
    page = client.get(reverse("import-batch", args=[world.campaign.slug, batch.pk])).content.decode()
    assert "发现 2 个问题" in page and "确认导入" not in page
    assert "县不存在局" in page and "13" in page
    # Confirming an invalid batch does nothing.
    before = Task.objects.count()
    client.post(reverse("import-batch", args=[world.campaign.slug, batch.pk]), {"action": "confirm"})
    assert Task.objects.count() == before


def test_bad_file_type_is_refused_with_a_message(client, world, users):
    client.force_login(users["office"])
    upload(client, world, world.master, b"this is not a workbook", name="清单.xlsx")
    batch = ImportBatch.objects.get()
    page = client.get(reverse("import-batch", args=[world.campaign.slug, batch.pk])).content.decode()
    assert "不是 Excel 或 WPS 表格" in page


def test_oversized_file_is_refused_before_storing(client, world, users, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(users["office"])
    response = upload(client, world, world.master, books.real_shaped_xlsx())
    assert response.status_code == 200 and "超过" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_remove_missing_only_when_ticked(client, world, users):
    client.force_login(users["office"])
    data = books.simple_xlsx(HEADER, [["1", "第1项任务的内容。", "县住建局", "2024年底前"]])
    upload(client, world, world.master, data)
    batch = ImportBatch.objects.get()
    page = client.get(reverse("import-batch", args=[world.campaign.slug, batch.pk])).content.decode()
    assert "方案中有、文件中没有的任务（1 项）" in page
    client.post(reverse("import-batch", args=[world.campaign.slug, batch.pk]), {"action": "confirm",
                                                                               "remove_missing": "on"})
    assert not Task.objects.filter(pk=world.task_b.pk).exists()


@pytest.mark.parametrize("who, plan_attr, expected", [
    ("liaison_a", "plan_a", 200), ("liaison_a", "plan_b", 404), ("liaison_a", "master", 403),
    ("leader", "master", 403), ("office", "plan_b", 200),
])
def test_who_may_import(client, world, users, who, plan_attr, expected):
    client.force_login(users[who])
    plan = getattr(world, plan_attr)
    assert client.get(reverse("import-upload", args=[world.campaign.slug, plan.unit.code])).status_code == expected
    assert client.get(reverse("import-template", args=[world.campaign.slug, plan.unit.code])).status_code == expected


def test_other_units_batches_are_hidden(client, world, users):
    client.force_login(users["liaison_a"])
    upload(client, world, world.plan_a, books.simple_xlsx(["序号", "具体任务"], [["5", "x"]]), name="住建局清单.xlsx")
    batch = ImportBatch.objects.get()
    client.force_login(users["liaison_b"])
    assert client.get(reverse("import-batch", args=[world.campaign.slug, batch.pk])).status_code == 404
    assert client.get(reverse("import-original", args=[world.campaign.slug, batch.pk])).status_code == 404
    assert "住建局清单.xlsx" not in client.get(reverse("import-history", args=[world.campaign.slug])).content.decode()


def test_template_has_columns_choices_and_instructions_and_imports_as_is(client, world, users):
    client.force_login(users["office"])
    response = client.get(reverse("import-template", args=[world.campaign.slug, world.master.unit.code]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["任务清单", "选项", "填写说明"]
    sheet = book["任务清单"]
    headers = ["序号", "行动", "重点工作", "具体任务", "牵头单位", "配合单位", "完成时限", "量化目标"]
    assert [c.value for c in sheet[1]] == headers
    assert sheet.data_validations.dataValidation  # drop-down lists
    assert "填写说明" in book["填写说明"]["A1"].value
    # The example sits on the instructions sheet; copied into the task sheet, it imports cleanly.
    from imports.engine import build_preview
    from tasks.importers import TaskSheetImport

    notes = list(book["填写说明"].iter_rows(values_only=True))
    example = notes[-1][1:]
    sheet.append(list(example))
    buffer = io.BytesIO()
    book.save(buffer)
    preview = build_preview(TaskSheetImport(world.master), buffer.getvalue())
    assert not preview.problems, preview.problems
    assert preview.counts["new"] + preview.counts["changed"] == 1


def test_a_liaisons_upload_is_bound_to_its_own_unit(client, world, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .. import spreadsheets as books

    client.force_login(users["liaison_a"])
    url = reverse("import-upload", args=[world.campaign.slug, world.plan_a.unit.code])
    header = ["序号", "具体任务", "牵头单位", "完成时限", "配合单位"]
    rows = [["5", "另一单位牵头的任务", world.dept_b.name, "2026年12月31日", ""],
            ["7", "本单位的任务，配合单位为其他单位", world.dept_a.name, "2026年12月31日", world.township.name]]
    page = client.post(url, {"file": SimpleUploadedFile("sub.xlsx", books.simple_xlsx(header, rows))},
                       follow=True).content.decode()
    assert "子方案的牵头单位只能是本单位" in page and world.dept_b.display_name in page
    assert "安办未开放在子方案中指定其他配合单位" in page
    past = [["6", "本单位的任务", world.dept_a.name, "2025年6月30日", ""]]
    page = client.post(url, {"file": SimpleUploadedFile("sub.xlsx", books.simple_xlsx(header, past))},
                       follow=True).content.decode()
    assert "早于今天" in page
    assert not Task.objects.filter(plan=world.plan_a, code__in=["5", "6", "7"]).exists()
