from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_registry(sender, using="default", **kwargs) -> None:
    """An empty registry (a new database, or one flushed by a test) is loaded from the shipped list."""
    from .models import Body
    from .registry import SHIPPED_CSV, ensure_province, parse_bodies_csv, upsert_bodies

    if Body.objects.using(using).exists():
        return
    parsed = parse_bodies_csv(SHIPPED_CSV.read_bytes())
    upsert_bodies(parsed.rows, body_model=Body)
    ensure_province(body_model=Body)


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Enti e persone")

    def ready(self) -> None:
        post_migrate.connect(ensure_registry, sender=self)
