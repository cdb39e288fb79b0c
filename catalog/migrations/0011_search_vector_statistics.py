"""A finer statistics target for the search vector, so that the planner sees how rare a rare word is.

With the default target PostgreSQL keeps the 1,000 most common lexemes of the catalogue and guesses every other at
half the frequency of the least common kept: at 100,000 solutions a word found in five was guessed in 451, and a
search ordered by name walked the name index testing every row (87,000 of them, 1.5–4 s) instead of reading the
five matches from the full-text index and sorting them (1 ms). With 10,000 lexemes kept the guess is 26. ANALYZE
takes longer on this column only (about 10 s at 100,000 solutions, run by autovacuum). PostgreSQL only.
"""

from django.db import migrations

TARGET = 1000


def raise_target(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE catalog_solution ALTER COLUMN search_vector SET STATISTICS {TARGET}")


def default_target(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE catalog_solution ALTER COLUMN search_vector SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_search_trigrams")]
    operations = [migrations.RunPython(raise_target, default_target)]
