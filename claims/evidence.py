"""What an evidence file is, judged by its content (magic bytes), never by its name.

``inspect(file, name)`` answers an ``Inspected(kind, content_type)`` or raises ``BadFile`` with
a message for the person who uploaded it. Accepted: PDF; Office documents (OOXML ``.docx``
``.xlsx`` ``.pptx`` and OpenDocument ``.odt`` ``.ods`` ``.odp``); images (PNG, JPEG, GIF, WebP,
TIFF); audio (MP3, WAV, Ogg, FLAC, M4A); video (MP4, MOV, WebM, MKV, AVI); ZIP archives. The
name's extension must agree with the content. Every ZIP-based file (a ZIP, and the Office
formats, which are ZIPs) is checked for a ZIP bomb: too many members, an expansion ratio no
real document has, or more bytes unpacked than the cap; and for members whose names climb out
of the archive.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings

HEAD_BYTES = 64


class BadFile(ValueError):
    """The file is refused; the message says why in plain words."""


@dataclass(frozen=True)
class Inspected:
    kind: str  # an Evidence.Kind value
    content_type: str


# extension → (kind, content type)
EXTENSIONS = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": (
        "document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": (
        "document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".odt": ("document", "application/vnd.oasis.opendocument.text"),
    ".ods": ("document", "application/vnd.oasis.opendocument.spreadsheet"),
    ".odp": ("document", "application/vnd.oasis.opendocument.presentation"),
    ".png": ("image", "image/png"),
    ".jpg": ("image", "image/jpeg"),
    ".jpeg": ("image", "image/jpeg"),
    ".gif": ("image", "image/gif"),
    ".webp": ("image", "image/webp"),
    ".tif": ("image", "image/tiff"),
    ".tiff": ("image", "image/tiff"),
    ".mp3": ("audio", "audio/mpeg"),
    ".wav": ("audio", "audio/wav"),
    ".ogg": ("audio", "audio/ogg"),
    ".flac": ("audio", "audio/flac"),
    ".m4a": ("audio", "audio/mp4"),
    ".mp4": ("video", "video/mp4"),
    ".mov": ("video", "video/quicktime"),
    ".webm": ("video", "video/webm"),
    ".mkv": ("video", "video/x-matroska"),
    ".avi": ("video", "video/x-msvideo"),
    ".zip": ("zip", "application/zip"),
}

# What the first bytes say: a "family" each extension must belong to.
FAMILY_OF_EXTENSION = {
    ".pdf": "pdf",
    ".docx": "ooxml",
    ".xlsx": "ooxml",
    ".pptx": "ooxml",
    ".odt": "odf",
    ".ods": "odf",
    ".odp": "odf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".webp": "webp",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".mp3": "mp3",
    ".wav": "wav",
    ".ogg": "ogg",
    ".flac": "flac",
    ".m4a": "iso_media",
    ".mp4": "iso_media",
    ".mov": "iso_media",
    ".webm": "matroska",
    ".mkv": "matroska",
    ".avi": "avi",
    ".zip": "zip",
}

DESCRIPTIONS = {
    "pdf": "a PDF",
    "ooxml": "a Word, Excel or PowerPoint document",
    "odf": "an OpenDocument file",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "webp": "a WebP image",
    "tiff": "a TIFF image",
    "mp3": "an MP3 recording",
    "wav": "a WAV recording",
    "ogg": "an Ogg recording",
    "flac": "a FLAC recording",
    "iso_media": "an MP4, MOV or M4A recording",
    "matroska": "a WebM or MKV video",
    "avi": "an AVI video",
    "zip": "a ZIP archive",
}

ACCEPTED = "PDF, Word, Excel, PowerPoint, OpenDocument, images, audio, video or ZIP"


def check_name(name: str) -> str:
    """The file's own name, refused when it carries a path or characters no file name needs."""
    if not name or not name.strip():
        raise BadFile("The file has no name.")
    if "/" in name or "\\" in name or ".." in name or ":" in name:
        raise BadFile(
            f"The file name “{name}” contains a path; upload the file under its own name."
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise BadFile("The file name contains control characters; rename the file and try again.")
    if len(name) > 200:
        raise BadFile("The file name is longer than 200 characters; rename the file.")
    return name.strip()


def _family(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # refined by _zip_family
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp":
        return "iso_media"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    return None


def _check_zip(file, name: str) -> str:
    """Refuse a ZIP bomb or a ZIP that climbs out of itself; say whether it is OOXML, ODF or a
    plain ZIP."""
    try:
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise BadFile(f"“{name}” is damaged: it could not be opened as an archive.") from error
    if len(members) > settings.CLAIM_EVIDENCE_ZIP_MAX_MEMBERS:
        raise BadFile(
            f"“{name}” holds {len(members):,} files; at most "
            f"{settings.CLAIM_EVIDENCE_ZIP_MAX_MEMBERS:,} are accepted."
        )
    total = 0
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            raise BadFile(f"“{name}” contains a file whose path leaves the archive.")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > settings.CLAIM_EVIDENCE_ZIP_MAX_RATIO:
            raise BadFile(
                f"“{name}” unpacks to far more than its size (a ZIP bomb), so it was refused."
            )
    if total > settings.CLAIM_EVIDENCE_ZIP_MAX_UNPACKED_BYTES:
        raise BadFile(f"“{name}” unpacks to more than the limit, so it was refused.")
    names = {member.filename for member in members}
    if "[Content_Types].xml" in names:
        return "ooxml"
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100]
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            return "odf"
    return "zip"


def inspect(file, name: str) -> Inspected:
    """What ``file`` (an open, seekable binary file) is; raises ``BadFile``."""
    name = check_name(name)
    extension = PurePosixPath(name.lower()).suffix
    if extension not in EXTENSIONS:
        raise BadFile(f"“{name}” is not a type of file that can be sent: upload {ACCEPTED}.")
    file.seek(0)
    head = file.read(HEAD_BYTES)
    family = _family(head)
    if family == "zip":
        file.seek(0)
        family = _check_zip(file, name)
    file.seek(0)
    expected = FAMILY_OF_EXTENSION[extension]
    if family != expected:
        found = DESCRIPTIONS.get(family, "not a file type that can be sent")
        raise BadFile(f"“{name}” is named as {DESCRIPTIONS[expected]} but its content is {found}.")
    kind, content_type = EXTENSIONS[extension]
    return Inspected(kind=kind, content_type=content_type)
