from django.apps import AppConfig


class CstPortalConfig(AppConfig):
    name = "cstportal"
    verbose_name = "CST Portal"
