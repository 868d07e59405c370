"""Operations the apps' migrations share."""

from django.db import migrations


def postgresql_only(create: str, drop: str) -> migrations.RunPython:
    """Run ``create`` (and ``drop`` when unapplied) on PostgreSQL only: for indexes SQLite
    cannot have (operator classes, INCLUDE columns) and whose tables stay small there."""

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return operation

    return migrations.RunPython(run(create), run(drop))
