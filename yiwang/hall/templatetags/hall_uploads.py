"""Template helpers of the material upload partial (``hall/includes/material_uploads.html``)."""

from django import template
from django.conf import settings

from yiwang.hall import uploads

register = template.Library()


@register.filter
def files_for(materials, name):
    """The uploaded files (``CaseMaterial``) of one material, by its name."""
    return [m for m in materials or [] if m.material_name == name]


@register.filter
def errors_for(upload_errors, name):
    """The upload errors of one material from ``{material name: [messages]}``."""
    if not upload_errors:
        return []
    errors = upload_errors.get(name) or []
    return [errors] if isinstance(errors, str) else list(errors)


@register.simple_tag
def upload_accept():
    return uploads.ACCEPT


@register.simple_tag
def upload_types():
    return "、".join(uploads.ALLOWED_TYPES.values())


@register.simple_tag
def upload_limit_mb():
    return uploads._megabytes(settings.HALL_UPLOAD_MAX_BYTES)
