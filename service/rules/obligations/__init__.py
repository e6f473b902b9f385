"""The obligations of a contract (DOMAIN.md §4-§7) as pure functions over one state model.

`engine.apply_event` turns a contractor event into a new state and the effects the caller sees;
`clock.advance` turns the passing of days into deadline transitions. Neither does I/O: the API runs
the first inside its transaction, and the contract workflow's activity runs the second when a timer
fires, so both act on the same state with the same rules.
"""
