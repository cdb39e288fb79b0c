from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_categories(sender, using="default", **kwargs) -> None:
    """Keep the Category table equal to the publiccode.yml vocabulary (adds what is missing)."""
    from catalog.models import Category
    from catalog.vocabulary import CATEGORIES

    existing = set(Category.objects.using(using).values_list("code", flat=True))
    Category.objects.using(using).bulk_create([Category(code=c) for c in CATEGORIES if c not in existing])


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogo")

    def ready(self) -> None:
        post_migrate.connect(ensure_categories, sender=self)
        from catalog.caching import bump_on_changes

        bump_on_changes()
