from django.contrib.auth import views as auth_views
from django.urls import path

from .. import views
from ..forms import EmailAuthenticationForm, StyledPasswordChangeForm, StyledPasswordResetForm, StyledSetPasswordForm

urlpatterns = [
    path(
        "accedi/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("esci/", views.LogoutView.as_view(), name="logout"),
    path("profilo/", views.profile, name="profile"),
    path("password/", auth_views.PasswordChangeView.as_view(form_class=StyledPasswordChangeForm), name="password_change"),
    path("password/fatto/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reimposta/",
        auth_views.PasswordResetView.as_view(form_class=StyledPasswordResetForm),
        name="password_reset",
    ),
    path("password/reimposta/inviata/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reimposta/completata/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/reimposta/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=StyledSetPasswordForm),
        name="password_reset_confirm",
    ),
]
