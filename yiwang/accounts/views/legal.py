"""Legal person administration (法人管理): a natural person at real-name level 3 registers a
company and becomes its administrator; its agents are then managed in the personal centre
(``views.centre``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from .. import acting
from ..actions import register_legal_person
from ..centre_forms import LegalPersonForm
from ..decorators import real_name_required
from ..models import RealNameLevel, UserKind


@never_cache
@real_name_required(RealNameLevel.IDENTITY)
def register(request):
    if request.user.kind != UserKind.NATURAL:
        raise PermissionDenied("只有自然人用户可以登记法人。")
    form = LegalPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_person = register_legal_person(
                name=form.cleaned_data["name"],
                uscc=form.cleaned_data["uscc"],
                legal_representative=form.cleaned_data["legal_representative"],
                acting_user=request.user,
                request=request,
                on_behalf_of=acting.on_behalf_of_label(request),
            )
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            messages.success(
                request, f"已登记“{legal_person.name}”，你是它的法人管理员，可以为它授权经办人。"
            )
            return redirect("accounts:centre_companies")
    return render(request, "accounts/legal/register.html", {"form": form})


urlpatterns = [
    path("legal/register/", register, name="legal_register"),
]
