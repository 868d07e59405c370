"""An index for finding people by the start of their name whatever the case (Django admin's
search of users and memberships, ``full_name__istartswith``). PostgreSQL only, as
entries.0009: ``istartswith`` there is ``UPPER(full_name) LIKE 'PRIYA%'``, which this index
answers under any collation; SQLite has no operator classes."""

from django.db import migrations

from ocradmin.migration_operations import postgresql_only

CREATE = (
    "CREATE INDEX IF NOT EXISTS user_name_prefix_idx "
    "ON ocradmin_user (UPPER(full_name) text_pattern_ops)"
)
DROP = "DROP INDEX IF EXISTS user_name_prefix_idx"


class Migration(migrations.Migration):
    dependencies = [("ocradmin", "0006_audit_action_and_actor_list_indexes")]

    operations = [postgresql_only(CREATE, DROP)]
