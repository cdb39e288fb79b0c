from django.db import migrations


def load(apps, schema_editor):
    from municipalities.registry import SHIPPED_CSV, ensure_province, parse_bodies_csv, upsert_bodies

    Body = apps.get_model("municipalities", "Body")
    parsed = parse_bodies_csv(SHIPPED_CSV.read_bytes())
    if parsed.errors:
        raise RuntimeError("The shipped registry is invalid: " + " ".join(parsed.errors))
    upsert_bodies(parsed.rows, body_model=Body)
    ensure_province(body_model=Body)


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
