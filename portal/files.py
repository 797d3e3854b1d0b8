"""Files kept in private storage, served only by views that checked who asks."""

from django.http import FileResponse


def private_file_response(field_file, filename, content_type, *, as_attachment=True):
    response = FileResponse(
        field_file.open("rb"), as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
