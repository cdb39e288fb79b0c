"""manage.py refresh_search_vectors: write the stored search vector of every solution again.

Needed once after an upgrade that changes what the vector holds (the release that added category labels), and
after the English catalogue of translations changes a category's label; the services keep it current otherwise.
One UPDATE on PostgreSQL (about 16 s for 100,000 solutions); nothing to do on SQLite.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from catalog.solutions.search import refresh_search_vector


class Command(BaseCommand):
    help = "Ricalcola il vettore di ricerca di tutte le soluzioni (PostgreSQL; su SQLite non serve)."

    def handle(self, *args, **options) -> None:
        updated = refresh_search_vector(None)
        self.stdout.write(_("Vettori di ricerca ricalcolati: %(n)d.") % {"n": updated})
