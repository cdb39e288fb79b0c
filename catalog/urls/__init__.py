from django.urls import path

from ..views import adoptions, publiccode, solutions

app_name = "catalog"

urlpatterns = [
    path("", solutions.solution_list, name="solution-list"),
    path("soluzioni/<slug:slug>/", solutions.solution_detail, name="solution-detail"),
    # publiccode.yml: upload (publishers, CST) and download of a solution's file.
    path("importa-publiccode/", publiccode.publiccode_import, name="publiccode-import"),
    path("soluzioni/<slug:slug>/publiccode.yml", publiccode.solution_publiccode, name="solution-publiccode"),
    # Adoptions: list, "Da fare", one adoption and the POSTs that move it (comments and story before <action>).
    path("adozioni/", adoptions.adoption_list, name="adoption-list"),
    path("da-fare/", adoptions.inbox, name="inbox"),
    path("adozioni/richiedi/<slug:slug>/", adoptions.adoption_request, name="adoption-request"),
    path("adozioni/<int:pk>/", adoptions.adoption_detail, name="adoption-detail"),
    path("adozioni/<int:pk>/commenti/", adoptions.adoption_comment, name="adoption-comment"),
    path("adozioni/<int:pk>/storia/", adoptions.adoption_story, name="adoption-story"),
    path("adozioni/<int:pk>/<slug:action>/", adoptions.adoption_action, name="adoption-action"),
]
