"""The hazard ledger through the import engine: 60 rows in, out and in again; a bad code refused."""

import pytest
from django.core.management import call_command

from hazards.models import MajorHazard
from hazards.validators import make_credit_code

from .. import spreadsheets as books

pytestmark = pytest.mark.django_db
HEADER = ["序号", "企业名称", "统一社会信用代码", "所在乡镇（街道）", "行业领域", "监管部门", "隐患描述", "判定依据",
          "发现方式", "发现日期", "整改期限", "整改责任人", "是否挂牌督办", "整改状态", "销号日期"]


def ledger(rows=60, bad_row=None):
    data = []
    for n in range(rows):
        code = make_credit_code(f"91370826{n + 1:08d}")
        if n == bad_row:
            code = code[:17] + ("0" if code[17] != "0" else "1")
        closed = n % 3 == 0
        data.append([str(n + 1), f"企业{n}", code, "某某镇", ["燃气", "消防", "危化品"][n % 3], "县应急局",
                     f"隐患描述{n}", "判定标准第3条", "执法检查", f"2024年{n % 12 + 1}月1日", "2024年12月31日",
                     "张三", "市级" if n % 10 == 0 else "否", "已销号" if closed else "整改中",
                     "2024-11-30" if closed else ""])
    return books.simple_xlsx(HEADER, data, title_rows=[["某县重大事故隐患台账"]])


def test_sixty_rows_round_trip(world, tmp_path, capsys):
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(ledger())
    call_command("import_hazards", str(source), "--campaign", world.campaign.slug)
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=60 updated=0 unchanged=0"
    assert MajorHazard.objects.filter(state="closed").count() == 20
    assert MajorHazard.objects.filter(listed_level="city").count() == 6
    out = tmp_path / "export.xlsx"
    call_command("export_hazards", "--campaign", world.campaign.slug, "--output", str(out))
    call_command("import_hazards", str(out), "--campaign", world.campaign.slug)
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=60"
    call_command("import_hazards", str(source), "--campaign", world.campaign.slug)
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=60"


def test_a_bad_credit_code_is_refused_naming_its_row(world, tmp_path, capsys):
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(ledger(bad_row=6))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_hazards", str(source), "--campaign", world.campaign.slug)
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("row 9, column C:") and "校验码" in err[0]
    assert MajorHazard.objects.count() == 0


def test_office_imports_the_ledger_in_the_browser(client, world, users, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from imports.models import ImportBatch

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["liaison_a"])
    assert client.get(reverse("hazard-import", args=[world.campaign.slug])).status_code == 403
    assert client.get(reverse("hazard-export", args=[world.campaign.slug])).status_code == 403
    client.force_login(users["office"])
    response = client.post(reverse("hazard-import", args=[world.campaign.slug]),
                           {"file": SimpleUploadedFile("台账.xlsx", ledger(rows=5))})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == "hazards" and batch.state == "preview"
    assert MajorHazard.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and "企业3" in page
    client.post(response["Location"], {"action": "confirm"})
    assert MajorHazard.objects.count() == 5
    client.force_login(users["leader"])
    export = client.get(reverse("hazard-export", args=[world.campaign.slug]))
    assert export.status_code == 200 and export.content.startswith(b"PK")


def test_a_re_import_cannot_move_a_hazard_along_its_lifecycle(world, tmp_path, capsys):
    """A hazard listed at city level, still being rectified, cannot become 已销号 by editing the ledger."""
    first = ledger(rows=2)  # row 1 (n=0) is closed and listed at city level; row 2 (n=1) is 整改中
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(first)
    call_command("import_hazards", str(source), "--campaign", world.campaign.slug)
    capsys.readouterr()
    hazard = MajorHazard.objects.get(description="隐患描述1")
    MajorHazard.objects.filter(pk=hazard.pk).update(listed_level="city")
    data = []
    for n in range(2):
        data.append([str(n + 1), f"企业{n}", make_credit_code(f"91370826{n + 1:08d}"), "某某镇",
                     ["燃气", "消防"][n], "县应急局", f"隐患描述{n}", "判定标准第3条", "执法检查",
                     f"2024年{n + 1}月1日", "2024年12月31日", "张三", "市级", "已销号", "2024-11-30"])
    source.write_bytes(books.simple_xlsx(HEADER, data, title_rows=[["某县重大事故隐患台账"]]))
    with pytest.raises(SystemExit):
        call_command("import_hazards", str(source), "--campaign", world.campaign.slug)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("row 4:") and "整改状态：台账为“整改中”，文件为“已销号”" in err[0]
    assert "只能在隐患页面办理" in err[0]
    hazard.refresh_from_db()
    assert hazard.state == "rectifying" and hazard.closed_on is None
