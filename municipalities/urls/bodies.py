from django.urls import path

from .. import views

app_name = "municipalities"

urlpatterns = [
    path("", views.body_list, name="body-list"),
    path("<str:key>/", views.body_detail, name="body-detail"),
]
