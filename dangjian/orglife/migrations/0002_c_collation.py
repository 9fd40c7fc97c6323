from django.db import migrations

from dangjian.core.migration_ops import c_collation


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [c_collation(("orglife_meeting", "org_path"))]
