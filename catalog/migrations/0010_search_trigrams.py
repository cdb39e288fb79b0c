"""pg_trgm and trigram indexes on the names of solutions and tags, for «Forse cercavi …?» (catalog.solutions.suggestions).

PostgreSQL only, like the search vector's index (0003); on SQLite the suggestions read a bounded vocabulary. The
extension is trusted since PostgreSQL 13: the owner of the database may create it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("solution_name_trgm", "catalog_solution"),
    ("tag_name_trgm", "catalog_tag"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (name gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_harvestrun_source_harvestrun_source_repositoryalias_and_more")]
    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
