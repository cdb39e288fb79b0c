"""Solution.in_production_count: how many bodies run each solution in production, kept with the adoptions
(catalog.models.adoptions.count_in_production), with the index solution_in_production_id for "Più adottate";
computed here once from the adoptions."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def recount(apps, schema_editor):
    Adoption = apps.get_model("catalog", "Adoption")
    Solution = apps.get_model("catalog", "Solution")
    counted = (
        Adoption.objects.filter(status="in_production", solution=OuterRef("pk"))
        .order_by()
        .values("solution")
        .annotate(n=Count("*"))
        .values("n")
    )
    Solution.objects.update(in_production_count=Coalesce(Subquery(counted), Value(0)))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0017_cat_catalogue_orderings")]

    operations = [
        migrations.AddField(
            model_name="solution",
            name="in_production_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="enti che la usano in produzione"
            ),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="solution",
            index=models.Index(fields=["in_production_count", "id"], name="solution_in_production_id"),
        ),
    ]
