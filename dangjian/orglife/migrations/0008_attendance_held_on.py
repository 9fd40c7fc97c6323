"""Attendance gets a copy of its meeting's date (held_on), copied for the existing rows."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_meeting_dates(apps, schema_editor):
    Attendance = apps.get_model("orglife", "Attendance")
    Meeting = apps.get_model("orglife", "Meeting")
    Attendance.objects.using(schema_editor.connection.alias).update(
        held_on=Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).values("held_on")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('orglife', '0007_reminder'),
    ]

    operations = [
        migrations.AddField(
            model_name='attendance',
            name='held_on',
            field=models.DateField(editable=False, null=True, verbose_name='召开日期'),
        ),
        migrations.RunPython(copy_meeting_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='attendance',
            name='held_on',
            field=models.DateField(editable=False, verbose_name='召开日期'),
        ),
    ]
