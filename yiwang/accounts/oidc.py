"""The platform as an OpenID Connect provider for other departments' systems.

django-oauth-toolkit (DOT) does the protocol: discovery, JWKS, the authorization code flow
with PKCE, RS256 ID tokens, refresh and revocation (settings.OAUTH2_PROVIDER, docs/oidc.md).
This module says what a department system learns about the user, scope by scope:

- ``profile``: ``name`` (display name), ``preferred_username``;
- ``phone``: ``phone_number`` (a verified mobile only, E.164) and ``phone_number_verified``;
- ``real_name``: ``real_name_level`` (1–3) and ``id_number_masked`` (never the full number);
- ``legal_person``: the legal person the user acts for in this login, as
  ``{"name", "uscc", "role": "agent" | "administrator"}``.

The legal person is chosen at authorization time from the session
(``acting_legal_person_id``, set by the "act for a company" switch) and kept with the token
family: on the grant while the code is unexchanged, then in the audit row of the login
(``OIDC_LOGIN``, one per token family), which records "user X for company Y" in any case.
It is checked again every time a token or userinfo is issued, so an authorization that
expired or was revoked after the login stops the claim.

Client registration for the back office (``register_client`` and friends) is here too.
"""

import json
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, RefreshToken
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator

from yiwang.core.audit import client_address, record
from yiwang.core.masking import mask_code

from .models import LegalPerson
from .queries import acting_role

# The session key the "act for a company" switch sets (a LegalPerson pk).
ACTING_SESSION_KEY = "acting_legal_person_id"

# Audit actions (to be moved into yiwang/accounts/events.py).
OIDC_LOGIN = "accounts.oidc_login"
OIDC_CLIENT_REGISTERED = "accounts.oidc_client_registered"
OIDC_CLIENT_CHANGED = "accounts.oidc_client_changed"
OIDC_CLIENT_SECRET_RESET = "accounts.oidc_client_secret_reset"
OIDC_CLIENT_DELETED = "accounts.oidc_client_deleted"

# Our own member of the grant's stored "claims" request object: what the authorization
# decided about the login (a relying party's own value for it is always replaced).
_GRANT_KEY = "yiwang_login"


def acting_legal_person(user, legal_person_id):
    """The ``(legal_person, role)`` ``user`` may act for now, given a requested pk (from the
    session or a stored login), or ``None``. A legal person's own account acts for it
    without asking."""
    if not legal_person_id and user is not None and user.legal_person_id:
        legal_person_id = user.legal_person_id
    try:
        legal_person = LegalPerson.objects.get(pk=int(legal_person_id))
    except (TypeError, ValueError, LegalPerson.DoesNotExist):
        return None
    role = acting_role(user, legal_person, own_account_counts=True)
    return (legal_person, role) if role else None


def _legal_person_claim(legal_person, role):
    return {"name": legal_person.name, "uscc": legal_person.uscc, "role": role}


def _phone_number(mobile):
    digits = "".join(ch for ch in mobile if ch.isdigit())
    if mobile.startswith("+"):
        return "+" + digits
    return "+86" + digits


def _token_family(request):
    """The refresh-token family of the request's login: at a refresh, of the presented
    refresh token; at userinfo, of the access token."""
    refresh_token = getattr(request, "refresh_token_instance", None)
    if isinstance(refresh_token, RefreshToken):
        return refresh_token.token_family
    access_token = getattr(request, "access_token", None)
    if isinstance(access_token, AccessToken):
        family = (
            RefreshToken.objects.filter(access_token=access_token)
            .values_list("token_family", flat=True)
            .first()
        )
        if family is None and access_token.source_refresh_token_id:
            family = (
                RefreshToken.objects.filter(pk=access_token.source_refresh_token_id)
                .values_list("token_family", flat=True)
                .first()
            )
        return family
    return None


def _stored_login(request):
    """What the authorization decided about this login (``{"legal_person_id": ...}``)."""
    if getattr(request, "grant_type", None) == "authorization_code":
        claims = getattr(request, "claims", None)
        if isinstance(claims, dict) and isinstance(claims.get(_GRANT_KEY), dict):
            return claims[_GRANT_KEY]
        return {}
    family = _token_family(request)
    if family is None or request.user is None:
        return {}
    # Imported here: the core app's models are not needed to load the settings module.
    from yiwang.core.models import AuditEvent

    detail = (
        AuditEvent.objects.filter(
            action=OIDC_LOGIN, actor=request.user, detail__token_family=str(family)
        )
        .values_list("detail", flat=True)
        .first()
    )
    return detail or {}


class PlatformOAuthLibCore(OAuthLibCore):
    """Hands the session's choice of legal person to the validator at authorization time
    (oauthlib sets every credential on its request object)."""

    def create_authorization_response(self, request, scopes, credentials, allow):
        credentials = {
            **credentials,
            "yiwang_acting_legal_person_id": request.session.get(ACTING_SESSION_KEY),
            "yiwang_client_address": client_address(request),
        }
        return super().create_authorization_response(request, scopes, credentials, allow)


class PlatformOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        "sub": "openid",
        "name": "profile",
        "preferred_username": "profile",
        "phone_number": "phone",
        "phone_number_verified": "phone",
        "real_name_level": "real_name",
        "id_number_masked": "real_name",
        "legal_person": "legal_person",
    }

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        # Simple string comparison with a registered URI (OpenID Connect Core 3.1.2.1):
        # DOT alone lets any port through for loopback addresses.
        registered = request.client.redirect_uris.split()
        return redirect_uri in registered and super().validate_redirect_uri(
            client_id, redirect_uri, request, *args, **kwargs
        )

    def _create_authorization_code(self, request, code, expires=None):
        claims = request.claims
        if isinstance(claims, str):
            try:
                claims = json.loads(claims)
            except ValueError:
                claims = None
        claims = dict(claims) if isinstance(claims, dict) else {}
        acting = None
        if "legal_person" in request.scopes:
            acting = acting_legal_person(
                request.user, getattr(request, "yiwang_acting_legal_person_id", None)
            )
        claims[_GRANT_KEY] = {
            "legal_person_id": acting[0].pk if acting else None,
            "client_address": getattr(request, "yiwang_client_address", None),
        }
        request.claims = claims
        return super()._create_authorization_code(request, code, expires)

    def _create_refresh_token(
        self, request, refresh_token_code, access_token, previous_refresh_token
    ):
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous_refresh_token
        )
        if previous_refresh_token is None and request.grant_type == "authorization_code":
            # A new login into a department system: audited (inside DOT's transaction),
            # and the row keeps the legal person for the token family.
            stored = _stored_login(request)
            legal_person_id = stored.get("legal_person_id")
            acting = acting_legal_person(request.user, legal_person_id) if legal_person_id else None
            legal_person, role = acting or (None, None)
            address = stored.get("client_address")
            record(
                action=OIDC_LOGIN,
                actor=request.user,
                obj=request.client,
                request=SimpleNamespace(META={"REMOTE_ADDR": address}) if address else None,
                on_behalf_of=legal_person.name if legal_person else "",
                detail={
                    "client_id": request.client.client_id,
                    "scope": " ".join(request.scopes),
                    "token_family": str(refresh_token.token_family),
                    "legal_person_id": legal_person.pk if legal_person else None,
                    "legal_person_uscc": mask_code(legal_person.uscc) if legal_person else "",
                    "role": role or "",
                },
            )
        return refresh_token

    def get_additional_claims(self, request):
        user = request.user
        scopes = set(request.scopes or ())
        claims = {}
        if "profile" in scopes:
            claims["name"] = user.display_name or user.get_full_name() or user.username
            claims["preferred_username"] = user.username
        if "phone" in scopes:
            verified = bool(user.mobile and user.mobile_verified_at)
            if verified:
                claims["phone_number"] = _phone_number(user.mobile)
            claims["phone_number_verified"] = verified
        if "real_name" in scopes:
            claims["real_name_level"] = int(user.real_name_level)
            if user.id_number_masked:
                claims["id_number_masked"] = user.id_number_masked
        if "legal_person" in scopes:
            legal_person_id = _stored_login(request).get("legal_person_id")
            acting = acting_legal_person(user, legal_person_id) if legal_person_id else None
            if acting:
                claims["legal_person"] = _legal_person_claim(*acting)
        return claims

    def get_discovery_claims(self, request):
        return list(self.oidc_claim_scope)


# Client registration (the back office's "接入系统（单点登录）", oidc_admin.py).


def _check_client(application):
    try:
        application.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def register_client(
    *,
    name,
    redirect_uris,
    post_logout_redirect_uris="",
    skip_authorization=True,
    client_id=None,
    acting_user=None,
    request=None,
):
    """Register a department system as a confidential client: authorization code grant,
    RS256 ID tokens, exactly the given redirect URIs (space or newline separated).

    Returns ``(application, client_secret)``: the secret in plain text, which exists only
    here (DOT stores its hash), for showing once."""
    secret = generate_client_secret()
    application = Application(
        name=(name or "").strip(),
        redirect_uris=" ".join((redirect_uris or "").split()),
        post_logout_redirect_uris=" ".join((post_logout_redirect_uris or "").split()),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=skip_authorization,
        hash_client_secret=True,
        client_secret=secret,
    )
    if client_id:
        application.client_id = client_id
    if not application.name:
        raise ValidationError({"name": "请填写接入系统的名称。"})
    _check_client(application)
    with transaction.atomic():
        application.save()
        record(
            action=OIDC_CLIENT_REGISTERED,
            actor=acting_user,
            obj=application,
            request=request,
            detail=_client_detail(application),
        )
    return application, secret


def update_client(*, application, changed=(), acting_user=None, request=None):
    """Save the edited fields of a registered client (its type, grant and algorithm stay
    as registered)."""
    application.redirect_uris = " ".join(application.redirect_uris.split())
    application.post_logout_redirect_uris = " ".join(application.post_logout_redirect_uris.split())
    application.client_type = Application.CLIENT_CONFIDENTIAL
    application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    application.algorithm = Application.RS256_ALGORITHM
    _check_client(application)
    with transaction.atomic():
        application.save()
        record(
            action=OIDC_CLIENT_CHANGED,
            actor=acting_user,
            obj=application,
            request=request,
            detail={**_client_detail(application), "changed": sorted(changed)},
        )
    return application


def reset_client_secret(*, application, acting_user=None, request=None):
    """Give the client a new secret; returns it in plain text (shown once)."""
    secret = generate_client_secret()
    with transaction.atomic():
        application.client_secret = secret
        application.hash_client_secret = True
        application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
        record(
            action=OIDC_CLIENT_SECRET_RESET,
            actor=acting_user,
            obj=application,
            request=request,
            detail={"client_id": application.client_id},
        )
    return secret


def delete_client(*, application, acting_user=None, request=None):
    """Remove a client and every token issued to it."""
    with transaction.atomic():
        record(
            action=OIDC_CLIENT_DELETED,
            actor=acting_user,
            obj=application,
            request=request,
            detail=_client_detail(application),
        )
        application.delete()


def _client_detail(application):
    return {
        "client_id": application.client_id,
        "name": application.name,
        "redirect_uris": application.redirect_uris.split(),
        "skip_authorization": application.skip_authorization,
    }
