"""An index for finding candidates by the start of their last name whatever the case, across
every centre (Django admin's search, ``^last_name``). PostgreSQL only: Django's
``istartswith`` there is ``UPPER(last_name) LIKE 'SMITH%'``, which this index answers under any
collation; SQLite has no operator classes and its tables stay small."""

from django.db import migrations

from ocradmin.migration_operations import postgresql_only

CREATE = (
    "CREATE INDEX IF NOT EXISTS candidate_last_name_prefix_idx "
    "ON entries_candidate (UPPER(last_name) text_pattern_ops)"
)
DROP = "DROP INDEX IF EXISTS candidate_last_name_prefix_idx"


class Migration(migrations.Migration):
    dependencies = [("entries", "0008_entry_list_indexes")]

    operations = [postgresql_only(CREATE, DROP)]
