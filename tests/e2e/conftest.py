"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Playwright cannot download its own browsers here; the tests use /usr/bin/chromium (CI
installs it) and are skipped, saying why, on a machine without it.
"""
# The browser fixtures live in tests/conftest.py: one chromium per test session, shared with tests/security.
