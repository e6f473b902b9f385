"""Pure determinations of the leakage-prevention obligations (DOMAIN.md §3, §5-§7, §9).

Nothing here does I/O or keeps state: the API, the workflows and the tests all call the
same functions, so a rule lives in exactly one place. Import the submodules directly
(``service.rules.ip_action``, ``service.rules.dates``, ...); this package re-exports nothing.
"""
