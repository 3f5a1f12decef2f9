"""One import engine for the office's spreadsheets: read → normalise → map columns → validate → preview → save.

Each kind of sheet (task list, hazard ledger) supplies a column mapping and its own row
rules; reading, header detection, problem reporting and the all-or-nothing save are here.
"""
