from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/apri/", views.notification_open, name="open"),
    path("<int:pk>/letta/", views.notification_mark_read, name="mark-read"),
    path("tutte-lette/", views.notification_mark_all_read, name="mark-all-read"),
    path("invii/", views.delivery_list, name="deliveries"),
    path("invii/<int:pk>/riprova/", views.delivery_retry, name="delivery-retry"),
]
