import io

from django.core.management import call_command


def test_models_and_migrations_agree(db):
    # A model change without its migration would pass the tests (they build tables from migrations) and fail
    # on the first real deployment.
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
