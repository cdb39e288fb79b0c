from django.urls import path

from ..views import solutions

app_name = "catalog"

urlpatterns = [
    path("", solutions.solution_list, name="solution-list"),
    path("soluzioni/<slug:slug>/", solutions.solution_detail, name="solution-detail"),
]
