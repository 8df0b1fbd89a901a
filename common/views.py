"""Serving private uploads (proofs, receipts) to the users allowed to see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from .uploads import CONTENT_TYPES, DOCUMENT_TYPES, IMAGE_TYPES, checker_for, clean_private_path, private_storage

INLINE_TYPES = IMAGE_TYPES | DOCUMENT_TYPES


@require_GET
@login_required
def private_file(request: HttpRequest, path: str) -> FileResponse:
    """The file at `path` in the private storage, if its folder's checker accepts the user.

    Every refusal is a 404 (unknown folder, checker says no, bad or missing path), so the answer
    never tells whether a file exists. Images and PDFs open inline, anything else downloads.
    """
    path = clean_private_path(path)
    checker = checker_for(path) if path else None
    if checker is None or not checker(request.user, path):
        raise Http404("No such file.")
    try:
        handle = private_storage().open(path, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise Http404("No such file.") from exc
    content_type = CONTENT_TYPES[path.rpartition(".")[2]]
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=path.rpartition("/")[2],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
