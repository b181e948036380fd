"""The token pages of the site: administrators create integration accounts and issue tokens
to the accounts they manage; everyone sees and may revoke their own tokens."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.views import user_manager_required
from core.errors import DomainError
from core.pagination import paginate
from core.views_helpers import apply_domain_error

from .forms import IntegrationAccountForm, TokenIssueForm
from .models import ApiToken, IntegrationAccount
from .services import integration_account_create, token_issue, token_revoke

PAGE_SIZE = 25


def token_list(request):
    tokens = (
        ApiToken.objects.visible_to(request.user)
        .select_related("owner", "owner__integration_account", "created_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )
    page = paginate(request, tokens, per_page=PAGE_SIZE)
    accounts = IntegrationAccount.objects.visible_to(request.user).select_related(
        "user", "user__region", "user__hospital"
    )
    is_admin = request.user.is_superuser or request.user.can_manage_users
    return render(
        request,
        "api/token_list.html",
        {"page_obj": page, "accounts": accounts, "is_admin": is_admin},
    )


@user_manager_required
def token_create(request):
    initial = {}
    if request.GET.get("owner", "").isdigit():
        initial["owner"] = int(request.GET["owner"])
    form = TokenIssueForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = token_issue(
                owner=data["owner"],
                name=data["name"],
                scope=data["scope"],
                expires_on=data["expires_on"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            # Shown once, on this response only (never stored, never in a redirect URL).
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form, "title": _("签发接口令牌")})


@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    try:
        token_revoke(token=token, by=request.user)
    except DomainError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("api_tokens:list")


@user_manager_required
def integration_create(request):
    form = IntegrationAccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = integration_account_create(
                name=data["name"],
                description=data["description"],
                role=data["role"],
                region=data["region"],
                hospital=data["hospital"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已创建接口对接账号“%(name)s”,请为它签发令牌。") % {"name": account.name},
            )
            return redirect(f"{reverse('api_tokens:create')}?owner={account.user_id}")
    return render(request, "api/token_form.html", {"form": form, "title": _("新建接口对接账号")})
