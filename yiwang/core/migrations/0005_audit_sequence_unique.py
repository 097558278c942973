from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_backfill_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
    ]
