"""PostgreSQL: the audit table refuses UPDATE and DELETE, whoever asks (raw SQL, a DBA's psql
session, a bug); only the retention purge may DELETE, with `SET LOCAL audit.purge = 'on'` in
its transaction (audit.chain.purge). The purge checkpoints refuse UPDATE and DELETE always.
Other databases: nothing (the models refuse instead)."""

from django.db import migrations

TABLE = "audit_auditentry"

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('audit.purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE};
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

# Purge checkpoints are written once and never changed or removed.
CREATE_CHECKPOINT = """
CREATE OR REPLACE FUNCTION audit_checkpoint_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are immutable: % on audit_auditcheckpoint refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_checkpoint_immutable ON audit_auditcheckpoint;
CREATE TRIGGER audit_checkpoint_immutable BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_immutable();
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_entry_append_only();
DROP TRIGGER IF EXISTS audit_checkpoint_immutable ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_checkpoint_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
        schema_editor.execute(CREATE_CHECKPOINT, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_log")]

    operations = [migrations.RunPython(forwards, backwards)]
