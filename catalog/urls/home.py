from django.urls import path

from catalog import home

urlpatterns = [path("", home.home, name="home")]
