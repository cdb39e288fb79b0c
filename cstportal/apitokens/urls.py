from django.urls import path

from . import views

app_name = "apitokens"

urlpatterns = [
    path("", views.token_list, name="token-list"),
    path("<int:pk>/revoca/", views.token_revoke, name="token-revoke"),
]
