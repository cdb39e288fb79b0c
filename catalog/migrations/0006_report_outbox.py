import django.utils.timezone
from django.db import migrations, models


def queued_reports_are_due(apps, schema_editor):
    Report = apps.get_model("catalog", "Report")
    Report.objects.filter(status__in=["queued", "running"]).update(due_at=models.F("created_at"))
    Report.objects.exclude(status__in=["queued", "running"]).update(due_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_solution_name_id"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="report", name="report_status_enqueued"),
        migrations.RemoveField(model_name="report", name="enqueued_at"),
        migrations.AddField(
            model_name="report",
            name="due_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, null=True, verbose_name="da affidare ai worker dal"
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="affidato ai worker il"),
        ),
        migrations.RunPython(queued_reports_are_due, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(condition=models.Q(due_at__isnull=False), fields=["due_at"], name="report_due"),
        ),
    ]
