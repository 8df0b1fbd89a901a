"""Uploads are accepted by content, stored privately under random names, served only to allowed users."""

import base64
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from common.uploads import (
    IMAGE_TYPES,
    PDF,
    UploadRejected,
    private_storage,
    register_private_folder,
    save_private_upload,
    unregister_private_folder,
    validate_upload,
)

pytestmark = pytest.mark.django_db


# --- Sample files, built byte by byte ------------------------------------------------------------


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """A decodable 8x8 grey baseline JPEG: one DC and one AC Huffman code, one block, EOB."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01" + b"\x01\x11\x00")
    dc = segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")  # one 1-bit code: category 0
    ac = segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")  # one 1-bit code: end of block
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + jfif + dqt + sof + dc + ac + sos + b"\x3f" + b"\xff\xd9"


# 1x1 lossless WebP (the well-known feature-detection image).
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


def pdf_bytes(extra: bytes = b"") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


# --- Validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "extension"),
    [(jpeg_bytes(), "image/jpeg", "jpg"), (png_bytes(), "image/png", "png"), (WEBP, "image/webp", "webp")],
)
def test_real_images_are_accepted_and_stored_privately_under_a_random_name(media_root, data, content_type, extension):
    stored = save_private_upload(upload(data, name="../../My Photo.gif", content_type="text/plain"), folder="proofs")
    assert stored.content_type == content_type
    assert stored.name.startswith("proofs/") and stored.name.endswith(f".{extension}")
    assert "Photo" not in stored.name and ".." not in stored.name
    on_disk = media_root / "private" / stored.name
    assert on_disk.read_bytes() == data
    assert stored.url == reverse("private_file", args=[stored.name])
    assert private_storage().url(stored.name) == stored.url


def test_a_pdf_receipt_is_accepted(media_root):
    stored = save_private_upload(upload(pdf_bytes(), "receipt.pdf", PDF), folder="receipts")
    assert stored.content_type == PDF and stored.name.endswith(".pdf")


def test_a_php_script_renamed_jpg_is_refused():
    script = b"<?php system($_GET['cmd']); ?>"
    with pytest.raises(UploadRejected) as refused:
        validate_upload(upload(script, "shell.jpg", "image/jpeg"))
    assert refused.value.code == "file_type"
    assert "not accepted" in refused.value.message


def test_a_script_behind_a_jpeg_signature_is_refused_as_damaged():
    with pytest.raises(UploadRejected) as refused:
        validate_upload(upload(b"\xff\xd8\xff\xe0<?php system($_GET['cmd']); ?>", "shell.jpg"))
    assert refused.value.code == "file_corrupt"


@pytest.mark.parametrize(
    "data",
    [png_bytes()[:-5], png_bytes().replace(b"IEND", b"IEN?"), jpeg_bytes()[:40], WEBP[:20] + b"\x00" * 14],
)
def test_truncated_or_damaged_images_are_refused(data):
    with pytest.raises(UploadRejected):
        validate_upload(upload(data))


def test_a_pdf_is_refused_where_only_images_are_allowed():
    with pytest.raises(UploadRejected, match="JPEG or PNG or WebP"):
        validate_upload(upload(pdf_bytes(), "proof.pdf", PDF), allowed=IMAGE_TYPES)


def test_a_pdf_with_javascript_is_refused():
    evil = pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ")
    with pytest.raises(UploadRejected) as refused:
        validate_upload(upload(evil, "receipt.pdf", PDF))
    assert refused.value.code == "file_corrupt"


def test_an_oversized_file_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(UploadRejected, match="too large") as refused:
        validate_upload(upload(b"\xff\xd8\xff" + b"\x00" * 1100))
    assert refused.value.code == "file_too_large"
    validate_upload(upload(jpeg_bytes()))  # under the limit


def test_the_size_limit_holds_even_when_the_reported_size_lies(settings):
    settings.UPLOAD_MAX_BYTES = 100
    lying = upload(b"\x89PNG" + b"\x00" * 500)
    lying.size = 10
    with pytest.raises(UploadRejected, match="too large"):
        validate_upload(lying)


def test_the_default_limit_is_five_megabytes():
    with pytest.raises(UploadRejected, match=r"5\.0 MB"):
        validate_upload(upload(b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)))


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRejected, match="empty") as refused:
        validate_upload(upload(b""))
    assert refused.value.code == "file_empty"


# --- Serving ---------------------------------------------------------------------------------------


@pytest.fixture
def proofs(media_root):
    """A "testproofs/" folder whose files only the agent named in the checker may read."""
    owner = AgentFactory()
    seen = []

    def only_owner(user, path):
        seen.append(path)
        return user.pk == owner.pk

    register_private_folder("testproofs/", only_owner)
    image = save_private_upload(upload(png_bytes()), folder="testproofs")
    receipt = save_private_upload(upload(pdf_bytes(), "r.pdf", PDF), folder="testproofs")
    yield {"owner": owner, "image": image, "receipt": receipt, "seen": seen}
    unregister_private_folder("testproofs")


def test_an_allowed_user_gets_the_file_inline_with_safe_headers(client, proofs):
    client.force_login(proofs["owner"])
    response = client.get(proofs["image"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert proofs["seen"] == [proofs["image"].name]

    pdf = client.get(proofs["receipt"].url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")


def test_another_user_gets_a_404_not_a_403(client, proofs):
    client.force_login(AgentFactory())
    assert client.get(proofs["image"].url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, proofs):
    response = client.get(proofs["image"].url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_folder_nobody_registered_is_never_served(client, proofs, media_root):
    client.force_login(proofs["owner"])
    unregistered = save_private_upload(upload(png_bytes()), folder="unregistered")
    assert (media_root / "private" / unregistered.name).exists()
    assert client.get(unregistered.url).status_code == 404


def test_a_missing_file_is_a_404(client, proofs):
    client.force_login(proofs["owner"])
    assert client.get(reverse("private_file", args=["testproofs/2020/01/nothing.png"])).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "testproofs/../../outside.png",
        "testproofs/%2e%2e/%2e%2e/outside.png",
        "testproofs/..%2f..%2foutside.png",
        "testproofs/..\\..\\outside.png",
        "testproofs//outside.png",
        "testproofs/./x.png",
        "/testproofs/x.png",
        "testproofs/x.png%00.pdf",
        "testproofs/x.exe",
    ],
)
def test_path_traversal_is_impossible(client, proofs, media_root, path):
    (media_root / "outside.png").write_bytes(png_bytes())  # a file outside the private storage
    client.force_login(proofs["owner"])
    response = client.get("/files/" + path)
    assert response.status_code == 404
    assert proofs["seen"] == []  # refused before any checker is asked


def test_folder_prefixes_are_validated():
    with pytest.raises(ValueError):
        register_private_folder("../etc", lambda user, path: True)
    with pytest.raises(ValueError):
        save_private_upload(upload(png_bytes()), folder="a/../b")
