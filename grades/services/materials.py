"""Assessment materials: staff upload them per qualification; centres download them."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import QualificationApproval, Role
from centres.selectors import people_by_centre
from ocradmin import audit
from ocradmin.notifications import Delivery, notify_each

from ..models import AssessmentMaterial
from . import GradeError, require_window

MAX_MATERIAL_BYTES = 20 * 1024 * 1024

# What a material may be, by its first bytes (never by its name).
SIGNATURES = {
    b"%PDF-": "PDF",
    b"PK\x03\x04": "Office document (.docx, .xlsx, .pptx) or zip",
}


def check_material_file(upload) -> None:
    """Refuse a file by size before reading it, then by its content."""
    if upload.size > MAX_MATERIAL_BYTES:
        raise GradeError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_MATERIAL_BYTES // 1024 // 1024} MB."
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES):
        kinds = ", ".join(SIGNATURES.values())
        raise GradeError(f"This file's content is not one of: {kinds}.")


def add_material(
    *, series, qualification, title: str, upload, available_from, by
) -> AssessmentMaterial:
    check_material_file(upload)
    with transaction.atomic():
        material = AssessmentMaterial(
            series=series,
            qualification=qualification,
            title=title,
            original_name=upload.name[:200],
            size=upload.size,
            available_from=available_from,
            uploaded_by=by,
        )
        material.file.save(upload.name, upload, save=False)
        material.save()
        audit.record(
            actor=by,
            action="material.added",
            target=material,
            data={"qualification": qualification.entry_code, "file": material.original_name},
        )
        if material.available_from <= timezone.now():
            tell_materials_available(material)
    return material


def tell_materials_available(material) -> None:
    """The assessment materials users at every centre approved for the material's
    qualification, once each (two queries whatever the number of centres). A material that
    becomes available later is on their dashboard from that moment."""
    centre_ids = list(
        QualificationApproval.objects.filter(
            qualification=material.qualification, status=QualificationApproval.Status.APPROVED
        ).values_list("centre_id", flat=True)
    )
    people = people_by_centre(centre_ids, Role.AAM_USER)
    deliveries = [
        Delivery(
            user,
            {"material": material, "qualification": material.qualification},
            reverse("grades:materials", args=[number]),
        )
        for number, users in _numbers(people).items()
        for user in users
    ]
    notify_each(notice="grades/materials_available", deliveries=deliveries)


def _numbers(people: dict) -> dict:
    from centres.models import Centre

    numbers = dict(Centre.objects.filter(pk__in=list(people)).values_list("pk", "number"))
    return {numbers[pk]: users for pk, users in people.items()}


def record_download(*, material, centre, by) -> None:
    """Check the centre may download it now, and audit the download."""
    require_window(material.series, "materials")
    if material.available_from > timezone.now():
        available = timezone.localtime(material.available_from)
        raise GradeError(f"This material is available from {available:%d %B %Y, %H:%M}.")
    with transaction.atomic():
        audit.record(
            actor=by,
            action="material.downloaded",
            centre=centre,
            target=material,
            data={"qualification": material.qualification.entry_code},
        )
