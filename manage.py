#!/usr/bin/env python
import os
import sys

# Commands that only compare the models with the migration files never sign or check
# anything, so they run without the production secret (a fresh checkout, a pre-commit hook).
# Every other command, and the web server, still refuse to start without it (config.settings).
CODE_ONLY_COMMANDS = {"makemigrations"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "makemigrations-only-not-a-secret")
        os.environ.setdefault("FIELD_ENCRYPTION_KEY", "makemigrations-only-not-a-secret")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
