"""A list's rows as a download: CSV streamed as it is written, or an Excel workbook; every cell
formula-safe (``ocradmin.spreadsheets``)."""

from django.http import HttpResponse, StreamingHttpResponse

from .spreadsheets import csv_lines, write_xlsx

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(*, file_format: str, name: str, columns, rows, title: str, dates=()):
    """``name`` without its extension. CSV goes out row by row (memory stays flat however
    many rows); a workbook is built whole (the format needs it)."""
    if file_format == "csv":
        response = StreamingHttpResponse(
            csv_lines(columns, rows), content_type="text/csv; charset=utf-8"
        )
    elif file_format == "xlsx":
        response = HttpResponse(
            write_xlsx(columns, rows, title=title, dates=dates), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise ValueError(f"No export format {file_format!r}.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response
