"""The profile pages where a person creates, lists and revokes their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import ApiTokenForm
from .models import ApiToken
from .services import create_api_token, revoke_api_token


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = create_api_token(user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.of_user(request.user)
    status = 400 if form.errors else 200
    # The key is in this response only: never_cache keeps it out of browser and proxy caches.
    return render(request, "apitokens/token_list.html", {"form": form, "tokens": tokens, "issued": issued},
                  status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.of_user(request.user), pk=pk)  # another person's token: 404
    if request.method == "POST":
        revoke_api_token(token)
        messages.success(request, _("Il token «%(name)s» è stato revocato.") % {"name": token.name})
        return redirect("apitokens:token-list")
    return render(request, "apitokens/token_confirm_revoke.html", {"token": token})
