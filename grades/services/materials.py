"""Assessment materials: staff upload them per qualification; centres download them."""

from django.db import transaction
from django.utils import timezone

from ocradmin import audit

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
    return material


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
