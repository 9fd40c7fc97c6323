"""Cheaper member inserts (issue 3, a roster import of 200,000 rows): the plain id_number index went (every
ID lookup is of active members, which the partial unique index serves), the unique index and the pinyin
indexes compare bytes (varchar_pattern_ops: also what lets `LIKE 'zh%'` use them under a non-"C"
collation), and the history versions lose the indexes on org and user that no query uses."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_history_partition_by_year'),
        ('orgs', '0002_depth_path_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='member',
            name='member_active_id_unique',
        ),
        migrations.RemoveIndex(
            model_name='member',
            name='member_idnumber_idx',
        ),
        migrations.RemoveIndex(
            model_name='member',
            name='member_pinyin_idx',
        ),
        migrations.RemoveIndex(
            model_name='member',
            name='member_initials_idx',
        ),
        migrations.AlterField(
            model_name='historicalmember',
            name='org',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.org', verbose_name='所在党支部'),
        ),
        migrations.AlterField(
            model_name='historicalmember',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登录账号'),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['name_pinyin'], name='member_pinyin_idx', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['name_initials'], name='member_initials_idx', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'normal')), fields=('id_number',), name='member_active_id_unique', opclasses=['varchar_pattern_ops']),
        ),
    ]
