from django.urls import path

from catalog import feeds
from catalog.adoptions import views as adoptions
from catalog.dashboards import views as dashboards
from catalog.harvest import views as harvest
from catalog.publiccode import views as publiccode
from catalog.reports import views as reports
from catalog.solutions import views as solutions
from catalog.webhooks import views as webhooks

app_name = "catalog"

urlpatterns = [
    path("", solutions.solution_list, name="solution-list"),
    path("soluzioni/<slug:slug>/", solutions.solution_detail, name="solution-detail"),
    path("nuova-soluzione/", solutions.solution_create, name="solution-create"),
    path("mie-soluzioni/", solutions.solution_mine, name="solution-mine"),
    path("revisione/", solutions.review_queue, name="review-queue"),
    path("soluzioni/<slug:slug>/modifica/", solutions.solution_edit, name="solution-edit"),
    path("soluzioni/<slug:slug>/rilasci/nuovo/", solutions.release_create, name="release-create"),
    path("soluzioni/<slug:slug>/invia-in-revisione/", solutions.solution_submit, name="solution-submit"),
    path("soluzioni/<slug:slug>/pubblica/", solutions.solution_publish, name="solution-publish"),
    path("soluzioni/<slug:slug>/richiedi-modifiche/", solutions.solution_request_changes,
         name="solution-request-changes"),
    path("soluzioni/<slug:slug>/ritira/", solutions.solution_retire, name="solution-retire"),
    # publiccode.yml: upload (publishers, CST) and download of a solution's file.
    path("importa-publiccode/", publiccode.publiccode_import, name="publiccode-import"),
    path("soluzioni/<slug:slug>/publiccode.yml", publiccode.solution_publiccode, name="solution-publiccode"),
    # Atom feeds: new solutions and new releases, of the whole catalogue, one category or one body.
    path("feed/soluzioni.atom", feeds.NewSolutionsFeed(), name="feed-solutions"),
    path("feed/categorie/<slug:category>/soluzioni.atom", feeds.NewSolutionsFeed(), name="feed-solutions-category"),
    path("feed/enti/<str:body>/soluzioni.atom", feeds.NewSolutionsFeed(), name="feed-solutions-body"),
    path("feed/rilasci.atom", feeds.NewReleasesFeed(), name="feed-releases"),
    path("feed/categorie/<slug:category>/rilasci.atom", feeds.NewReleasesFeed(), name="feed-releases-category"),
    path("feed/enti/<str:body>/rilasci.atom", feeds.NewReleasesFeed(), name="feed-releases-body"),
    # Adoptions: list, "Da fare", one adoption and the POSTs that move it (comments and story before <action>).
    path("adozioni/", adoptions.adoption_list, name="adoption-list"),
    path("da-fare/", adoptions.inbox, name="inbox"),
    path("adozioni/richiedi/<slug:slug>/", adoptions.adoption_request, name="adoption-request"),
    path("adozioni/<int:pk>/", adoptions.adoption_detail, name="adoption-detail"),
    path("adozioni/<int:pk>/commenti/", adoptions.adoption_comment, name="adoption-comment"),
    path("adozioni/<int:pk>/storia/", adoptions.adoption_story, name="adoption-story"),
    path("adozioni/<int:pk>/<slug:action>/", adoptions.adoption_action, name="adoption-action"),
    # Dashboards and reports.
    path("cruscotto/", dashboards.dashboard_index, name="dashboard-index"),
    path("cruscotto/provincia/", dashboards.province_dashboard, name="dashboard-province"),
    path("cruscotto/enti/<str:key>/", dashboards.body_dashboard, name="dashboard-body"),
    path("rapporti/", reports.report_list, name="report-list"),
    path("rapporti/richiedi/", reports.report_request, name="report-request"),
    path("rapporti/<int:pk>/", reports.report_detail, name="report-detail"),
    path("rapporti/<int:pk>/avanzamento/", reports.report_progress, name="report-progress"),
    path("rapporti/<int:pk>/scarica/", reports.report_download, name="report-download"),
    path("rapporti/<int:pk>/html/", reports.report_html, name="report-html"),
    # Sources harvested from their repositories.
    path("sorgenti/", harvest.source_list, name="source-list"),
    path("sorgenti/nuova/", harvest.source_create, name="source-create"),
    path("sorgenti/<int:pk>/", harvest.source_detail, name="source-detail"),
    path("sorgenti/<int:pk>/raccogli/", harvest.source_harvest, name="source-harvest"),
    path("sorgenti/<int:pk>/raccolte/<int:run_pk>/avanzamento/", harvest.source_run_progress,
         name="source-run-progress"),
    path("sorgenti/<int:pk>/pausa/", harvest.source_pause, name="source-pause"),
    path("sorgenti/<int:pk>/riattiva/", harvest.source_resume, name="source-resume"),
    path("sorgenti/<int:pk>/rimuovi/", harvest.source_remove, name="source-remove"),
    # Webhooks of the person's profile (the same services as /api/v1/webhooks/).
    path("webhook/", webhooks.webhook_list, name="webhook-list"),
    path("webhook/<int:pk>/", webhooks.webhook_detail, name="webhook-detail"),
    path("webhook/<int:pk>/riattiva/", webhooks.webhook_enable, name="webhook-enable"),
    path("webhook/<int:pk>/rimuovi/", webhooks.webhook_delete, name="webhook-delete"),
]
