"""solution_status_name_id: the published catalogue by name with the fixed vocabularies' columns, for choosing a
page of the catalogue's default order (and any deep page) from the index alone (catalog.solutions.views). A
covering index: PostgreSQL only, as solution_facets."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0018_cat_in_production_count")]

    operations = [
        migrations.AddIndex(
            model_name="solution",
            index=models.Index(
                fields=["status", "name", "id"],
                include=(
                    "kind",
                    "development_status",
                    "origin",
                    "supports_spid",
                    "supports_cie",
                    "supports_pagopa",
                    "supports_anpr",
                    "supports_io",
                ),
                name="solution_status_name_id",
            ),
        ),
    ]
