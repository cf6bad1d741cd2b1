"""The upload test corpus, generated: good files of every accepted type and every bad case the
issue names. Each maker returns bytes; ``BAD_CASES`` pairs an upload name with its bytes."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

LIMIT = 4 * 1024 * 1024  # the document limit the tests use


def pdf(pages: int = 1, text: str = "Licheng", extra: Callable[..., None] | None = None, **save: object) -> bytes:
    import pikepdf

    document = pikepdf.new()
    for n in range(pages):
        document.add_blank_page(page_size=(595, 842))
        page = document.pages[n]
        font = document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
        )
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        content = f"BT /F1 36 Tf 72 700 Td ({text} {n + 1}) Tj ET 0 0 1 rg 72 400 300 200 re f".encode()
        page.Contents = document.make_stream(content)
    if extra is not None:
        extra(document)
    out = io.BytesIO()
    document.save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


def pdf_of_size(size: int, token: bytes = b"") -> bytes:
    """A valid PDF of exactly ``size`` bytes: an unused stream of padding (starting with ``token``)."""
    padding = max(0, size - 1200)
    for _ in range(5):

        def add(document: object, n: int = padding) -> None:
            document.Root.Padding = document.make_stream(token + b" " * max(0, n - len(token)))  # type: ignore[attr-defined]

        data = pdf(extra=add, compress_streams=False)
        if len(data) == size:
            return data
        padding += size - len(data)
    raise AssertionError(f"could not make a PDF of {size} bytes")


def encrypted_pdf() -> bytes:
    import pikepdf

    return pdf(encryption=pikepdf.Encryption(owner="owner", user="user", R=6))


def owner_encrypted_pdf() -> bytes:
    import pikepdf

    return pdf(encryption=pikepdf.Encryption(owner="owner", user="", R=6))


def javascript_pdf() -> bytes:
    import pikepdf

    def add(document: pikepdf.Pdf) -> None:
        document.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello');")
        )

    return pdf(extra=add)


def annotation_javascript_pdf() -> bytes:
    import pikepdf

    def add(document: pikepdf.Pdf) -> None:
        action = document.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("x()")))
        annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=action)
        document.pages[0].Annots = document.make_indirect(pikepdf.Array([document.make_indirect(annot)]))

    return pdf(extra=add, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def embedded_file_pdf() -> bytes:
    import pikepdf

    def add(document: pikepdf.Pdf) -> None:
        document.attachments["evil.exe"] = pikepdf.AttachedFileSpec(  # type: ignore[call-arg]
            document, b"MZ\x90\x00", filename="evil.exe"
        )

    return pdf(extra=add)


def launch_pdf() -> bytes:
    import pikepdf

    def add(document: pikepdf.Pdf) -> None:
        document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))

    return pdf(extra=add)


def truncated_pdf() -> bytes:
    data = pdf(pages=2)
    return data[: len(data) * 2 // 3]


def pdf_zip_polyglot() -> bytes:
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return pdf() + archive.getvalue()


def pdf_with_html_prefix() -> bytes:
    return b"<html><body><script>alert(1)</script></body></html>\n" + pdf()


def pdf_with_html_inside() -> bytes:
    return pdf().replace(b"%PDF-1.3\n", b"%PDF-1.3\n%<html><script>alert(1)</script>\n", 1)


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>\n"
)


def png(width: int = 40, height: int = 30, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 60, height: int = 20) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" (orientation 6) and carries a GPS position."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (10, 120, 200))
    for x in range(width // 2):
        for y in range(height):
            image.putpixel((x, y), (250, 250, 0))  # left half yellow: shows where the top went
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (25.0, 2.0, 0.0), 3: "E", 4: (121.0, 33.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def mp3(frames: int = 60) -> bytes:
    """MPEG-1 layer III, 128 kbit/s, 44.1 kHz frames of silence (417 bytes each, ~26 ms each)."""
    frame = bytes([0xFF, 0xFB, 0x90, 0x00]) + b"\x00" * (417 - 4)
    return frame * frames


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(duration_ms: int = 2500) -> bytes:
    """An ftyp box and a moov box with only a movie header (duration ``duration_ms``)."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        b"\x00\x00\x00\x00"
        + struct.pack(">IIII", 0, 0, 1000, duration_ms)
        + struct.pack(">IH", 0x00010000, 0x0100)
        + b"\x00" * 10
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 2),
    )
    return ftyp + _box(b"moov", mvhd)


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

# (case, upload name, bytes maker, words the message must contain in English)
BAD_CASES: list[tuple[str, str, Callable[[], bytes], str]] = [
    ("zero bytes", "empty.pdf", lambda: b"", "empty"),
    ("one byte over the limit", "big.pdf", lambda: pdf_of_size(LIMIT + 1), "limit"),
    ("content is not what the name says (png named pdf)", "photo.pdf", png, "PNG"),
    ("pdf named jpg", "scan.jpg", pdf, "PDF"),
    ("html renamed pdf", "page.pdf", lambda: HTML, "not a PDF"),
    ("svg renamed pdf", "drawing.pdf", lambda: SVG, "not a PDF"),
    ("executable renamed pdf", "setup.pdf", exe, "not a PDF"),
    ("pdf + zip polyglot", "report.pdf", pdf_zip_polyglot, "ZIP"),
    ("pdf with html prefix", "report.pdf", pdf_with_html_prefix, "PDF"),
    ("pdf with html inside", "report.pdf", pdf_with_html_inside, "HTML"),
    ("encrypted pdf", "secret.pdf", encrypted_pdf, "encrypted"),
    ("owner-password pdf", "locked.pdf", owner_encrypted_pdf, "encrypted"),
    ("pdf with javascript open action", "js.pdf", javascript_pdf, "scripts"),
    ("pdf with javascript link in an object stream", "js2.pdf", annotation_javascript_pdf, "scripts"),
    ("pdf with an attached file", "attach.pdf", embedded_file_pdf, "attached"),
    ("pdf with a launch action", "launch.pdf", launch_pdf, "scripts"),
    ("malformed (truncated) pdf", "cut.pdf", truncated_pdf, "damaged"),
    ("truncated jpeg", "cut.jpg", lambda: jpeg_with_gps()[:300], "damaged"),
    ("mp3 that is not audio", "song.mp3", lambda: b"ID3" + b"\x00" * 500, "MP3"),
    ("mp4 without a duration", "clip.mp4", lambda: mp4(duration_ms=0), "length"),
    ("mp4 named mp3", "clip.mp3", mp4, "MP4"),
    ("not an allowed extension", "notes.docx", pdf, ".docx"),
    ("no extension", "README", pdf, "extension"),
    ("svg with svg name", "logo.svg", lambda: SVG, ".svg"),
]
