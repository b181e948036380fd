from django.db import migrations


def install_checklists(apps, schema_editor):
    from inspections.checklist_seed import install

    install(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistSection"),
        apps.get_model("inspections", "ChecklistItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(install_checklists, migrations.RunPython.noop)]
