from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from . import language, media, views

pages = (
    [
        path("accessibilita/", views.static_page("pages/accessibility.html"), name="accessibility"),
        path("privacy/", views.static_page("pages/privacy.html"), name="privacy"),
        path("note-legali/", views.static_page("pages/legal.html"), name="legal"),
        path("segnalazioni/", views.feedback, name="feedback"),
    ],
    "pages",
)

urlpatterns = [
    path("", include("catalog.urls.home")),
    path("healthz", views.healthz, name="healthz"),
    path("", include(pages)),
    path("account/token-api/", include("cstportal.apitokens.urls")),
    path("account/", include("municipalities.urls.accounts")),
    path("enti/", include("municipalities.urls.bodies")),
    path("catalogo/", include("catalog.urls")),
    path("notifiche/", include("cstportal.notifications.urls")),
    path("api/v1/", include("cstportal.api.urls")),
    path("lingua/<str:language>/", language.switch_language, name="switch-language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Stored images (cstportal/images.py) under MEDIA_URL, by the names their content gave them; nothing else of
    # MEDIA_ROOT is served.
    re_path(
        r"^media/images/(?P<shard>[0-9a-f]{2})/(?P<digest>[0-9a-f]{64})\.(?P<extension>png|jpg|gif|webp|svg)$",
        media.image,
        name="media-image",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "cstportal.views.error_403"
handler404 = "cstportal.views.error_404"
handler500 = "cstportal.views.error_500"
