from django.apps import AppConfig


class CstPortalConfig(AppConfig):
    name = "cstportal"
    verbose_name = "CST Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_staff_login

        user_logged_in.connect(stamp_staff_login, dispatch_uid="cstportal.stamp_staff_login")
