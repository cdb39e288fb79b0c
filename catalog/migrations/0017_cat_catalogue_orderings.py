"""Indexes for the catalogue's orderings.

- adoption_in_production: the solutions' in-production counts (SolutionQuerySet.with_adoption_count, the
  "Più adottate" ordering) read from the index alone.
- solution_latest_release_id: the "Ultimo rilascio" ordering of order_catalogue (latest release descending, no
  release last, then id descending; the ascending ordering reads it backwards). PostgreSQL only, like the search
  indexes (0003, 0010): SQLite takes no NULLS LAST in an index.
"""

from django.db import migrations, models

LATEST_RELEASE = (
    "CREATE INDEX IF NOT EXISTS solution_latest_release_id "
    "ON catalog_solution (latest_release_date DESC NULLS LAST, id DESC)"
)


def create_latest_release(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LATEST_RELEASE)


def drop_latest_release(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS solution_latest_release_id")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0016_rep_report_html_file")]

    operations = [
        migrations.AddIndex(
            model_name="adoption",
            index=models.Index(
                condition=models.Q(("status", "in_production")), fields=["solution"], name="adoption_in_production"
            ),
        ),
        migrations.RunPython(create_latest_release, drop_latest_release),
    ]
