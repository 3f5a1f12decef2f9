"""Kinds of sheet are registered by the apps that own them; the engine looks them up by name."""

import pytest

from imports.forms import UploadForm
from imports.kinds import kind_of


def test_tasks_and_hazards_register_their_kinds_of_sheet():
    assert kind_of("tasks").label == "任务清单"
    assert kind_of("hazards").label == "隐患台账"
    with pytest.raises(LookupError):
        kind_of("accidents")


def test_the_upload_field_names_the_kind_of_sheet():
    assert UploadForm(kind="hazards").fields["file"].label == "隐患台账文件"
    assert UploadForm(kind="tasks").fields["file"].label == "任务清单文件"
    form = UploadForm({}, {}, kind="hazards")
    assert not form.is_valid() and form.errors["file"] == ["请选择要上传的表格文件。"]


@pytest.mark.django_db
def test_a_batch_gets_the_importer_of_its_kind(world, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazards.importers import HazardSheetImport
    from imports.batches import import_batch_create, importer_for
    from tasks.importers import TaskSheetImport

    upload = SimpleUploadedFile("a.xlsx", b"x")
    tasks = import_batch_create(plan=world.master, upload=upload, user=users["office"])
    hazards = import_batch_create(plan=None, campaign=world.campaign, upload=upload, user=users["office"],
                                  kind="hazards")
    assert isinstance(importer_for(tasks), TaskSheetImport) and importer_for(tasks).plan == world.master
    assert isinstance(importer_for(hazards), HazardSheetImport) and importer_for(hazards).campaign == world.campaign
