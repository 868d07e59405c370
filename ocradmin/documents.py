"""PDF documents (receipts, certificates, reports) from HTML templates, with WeasyPrint.

A document's template extends ``templates/pdf/base.html``; every document is printed with
``templates/pdf/print.css`` (A4, margins, page numbers). The fonts are embedded from
``PDF_FONT_DIR``, the DejaVu fonts of Debian's ``fonts-dejavu-core`` package (installed by the
Dockerfile and CI); nothing is fetched from the network while rendering.

A document is rendered once, by a Celery task, and kept on Django storage in a ``FileField``
of its row (``store_once``); its view serves the stored file and never renders on a GET
(``serve``): until the task has run, the page says it is being prepared and refreshes.
"""

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import render
from django.template.loader import render_to_string

FONT_FILES = {
    # (family, weight, style): file in PDF_FONT_DIR
    ("Document Sans", "normal", "normal"): "DejaVuSans.ttf",
    ("Document Sans", "bold", "normal"): "DejaVuSans-Bold.ttf",
    ("Document Sans", "normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("Document Mono", "normal", "normal"): "DejaVuSansMono.ttf",
}
PREPARING_REFRESH_SECONDS = 5


def font_faces() -> list[dict]:
    font_dir = Path(settings.PDF_FONT_DIR)
    return [
        {"family": family, "weight": weight, "style": style, "url": (font_dir / name).as_uri()}
        for (family, weight, style), name in FONT_FILES.items()
    ]


def font_fetcher():
    """WeasyPrint's URL fetcher for documents: the font files, nothing else (no network at
    render time)."""
    from weasyprint.urls import URLFetcher

    class FontFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            font_dir = Path(settings.PDF_FONT_DIR).as_uri() + "/"
            if not url.startswith(font_dir) or ".." in url:
                raise ValueError(f"A document may not load {url!r}: only the embedded fonts.")
            return super().fetch(url, headers)

    return FontFetcher(allowed_protocols={"file"})


def render_pdf(template_name: str, context: dict) -> bytes:
    """The PDF of ``template_name`` (which extends ``pdf/base.html``) with ``context``."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher, fonts = font_fetcher(), FontConfiguration()
    stylesheet = CSS(
        string=render_to_string("pdf/print.css", {"font_faces": font_faces()}),
        url_fetcher=fetcher,
        font_config=fonts,
    )
    html = HTML(string=render_to_string(template_name, context), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def store_once(instance, field_name: str, *, template_name: str, context, filename: str):
    """Render the document and keep it in ``instance.<field_name>``, once: a second call (a
    retried task, a second worker) finds it stored and renders nothing. ``context`` is a
    callable giving the template's context, called only when rendering. Returns the row."""
    model = type(instance)
    if getattr(model._default_manager.get(pk=instance.pk), field_name):
        return model._default_manager.get(pk=instance.pk)
    pdf = render_pdf(template_name, context())
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        stored = getattr(locked, field_name)
        if not stored:
            stored.save(filename, ContentFile(pdf), save=False)
            locked.save(update_fields=[field_name])
        return locked


def serve(request, stored_file, *, filename: str, title: str):
    """The stored PDF, or (before the task has stored it) a page saying it is being prepared
    that refreshes itself. Never renders the document."""
    if stored_file:
        return FileResponse(
            stored_file.open("rb"), content_type="application/pdf", filename=filename
        )
    response = render(
        request,
        "pdf/preparing.html",
        {"title": title, "refresh": PREPARING_REFRESH_SECONDS},
        status=202,
    )
    response["Refresh"] = str(PREPARING_REFRESH_SECONDS)
    return response


@checks.register()
def fonts_installed(app_configs, **kwargs):
    font_dir = Path(settings.PDF_FONT_DIR)
    missing = [name for name in FONT_FILES.values() if not (font_dir / name).is_file()]
    if not missing:
        return []
    return [
        checks.Warning(
            f"PDF fonts missing from {font_dir}: {', '.join(missing)}.",
            hint="Install Debian's fonts-dejavu-core package, or set PDF_FONT_DIR.",
            id="ocradmin.W001",
        )
    ]
