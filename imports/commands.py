"""What the import commands share: run the engine, print the counts or one line per problem."""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from imports.engine import ImportFailed, run_import


def read_file(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到文件：{file}")
    return file.read_bytes()


def run_and_report(command, importer, data: bytes, **options) -> None:
    """Last line `created=N updated=N unchanged=N`; on failure `row N, column X: reason` lines and exit 1."""
    try:
        preview = run_import(importer, data, **options)
    except ImportFailed as failed:
        for problem in failed.problems:
            command.stderr.write(str(problem))
        sys.exit(1)
    counts = preview.counts
    command.stdout.write(f"created={counts['new']} updated={counts['changed']} unchanged={counts['unchanged']}")
