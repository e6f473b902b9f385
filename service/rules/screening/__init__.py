"""Screening parties against the published lists (DOMAIN.md §12 [r2]): the entries as tlc keeps them, how
names are matched, and what changed between two versions of a list. Pure: no I/O."""
