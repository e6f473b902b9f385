"""The words of screening on the pages (issue 13): the states of a screening, the parties' roles, the lists, the
kinds of entry, the End User List's types of concern and the matcher's features, each as a msgid of the
catalogues (the Japanese is in service/locale/ja), so that a page never shows a code."""

from __future__ import annotations

import re


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


# A screening's state, and the queue's filter (its default first).
STATES: dict[str, str] = {
    "potential_match": _("screening.potential_match"),
    "true_match": _("screening.true_match"),
    "false_positive": _("screening.false_positive"),
    "clear": _("screening.clear"),
}
FILTERS: tuple[tuple[str, str], ...] = (*STATES.items(), ("all", _("all")))

# Who the party is to the contract (service/rules/screening/parties.py).
ROLES: dict[str, str] = {
    "counterparty": _("party_role.counterparty"),
    "holder": _("party_role.holder"),
    "supplier": _("party_role.supplier"),
}

# The lists (service/rules/screening/entries.py SOURCES), and who publishes each.
SOURCES: dict[str, str] = {
    "eul": _("list.eul"),
    "csl": _("list.csl"),
}
PUBLISHERS: dict[str, str] = {
    "eul": _("list_publisher.eul"),
    "csl": _("list_publisher.csl"),
}
# What file each list's upload takes.
FILE_HINTS: dict[str, str] = {
    "eul": _("The End User List as METI publishes it: its Excel workbook (.xlsx), in the Japanese or the English "
             "edition."),
    "csl": _("The Consolidated Screening List as the US government publishes it: its CSV or JSON file."),
}

ENTITY_KINDS: dict[str, str] = {
    "organization": _("entity_kind.organization"),
    "person": _("entity_kind.person"),
    "vessel": _("entity_kind.vessel"),
    "aircraft": _("entity_kind.aircraft"),
    "unknown": _("entity_kind.unknown"),
}

# The End User List's types of concern (its 懸念区分, and since 2025 conventional weapons).
CONCERNS: dict[str, str] = {
    "biological": _("concern.biological"),
    "chemical": _("concern.chemical"),
    "missile": _("concern.missile"),
    "nuclear": _("concern.nuclear"),
    "conventional": _("concern.conventional"),
}

# How an earlier decision on the same entry went (a candidate's decided_before).
DECIDED_BEFORE: dict[str, str] = {
    "true_match": _("decided_before.true_match"),
    "false_positive": _("decided_before.false_positive"),
    "potential_match": _("decided_before.potential_match"),
}

# The labels of the fields of the disposition form (msgids), in the form's order.
DISPOSITION_LABELS: dict[str, str] = {"entry": _("Decision"), "reason": _("Reason")}
CHOOSE_ONE = _("Choose the list entry that is the party, or 'none of these'.")
ALREADY_DECIDED = _("This screening has been decided already; the page shows the decision.")

# The labels of the upload form's field.
LIST_FILE = _("The list's file")
CHOOSE_FILE = _("Choose the list's file.")
TOO_LARGE = _("The file is too large: a list's file may be at most {size}.")
SAME_FILE = _("This very file was imported already, as version {number} of the list.")

# The matcher's deciding feature (a candidate's `feature`: nomenklatura's, or tlc's readings of Japanese and
# Chinese names, service/rules/screening/matching.py), in words; any other is "feature.other".
FEATURES: dict[str, str] = {
    "name_match": _("feature.name_match"),
    "weak_alias_match": _("feature.weak_alias_match"),
    "identifier_match": _("feature.identifier_match"),
    "japanese_reading": _("feature.japanese_reading"),
    "chinese_reading": _("feature.chinese_reading"),
    "chinese_simplified": _("feature.chinese_simplified"),
    "other": _("feature.other"),
}

# What the Consolidated Screening List says of an entry beside its names (service/screening/formats/csl.py
# `details`), in the order shown; dates in words, countries by their names.
CSL_DETAILS: tuple[tuple[str, str], ...] = (
    ("source_list", _("Source list")),
    ("programs", _("Sanctions programmes")),
    ("addresses", _("Addresses")),
    ("start_date", _("Listed on")),
    ("end_date", _("Listed until")),
    ("federal_register_notice", _("Federal Register notice")),
    ("license_requirement", _("Licence requirement")),
    ("license_policy", _("Licence policy")),
    ("title", _("Title of the person")),
    ("nationalities", _("Nationalities")),
    ("citizenships", _("Citizenships")),
    ("dates_of_birth", _("Dates of birth")),
    ("places_of_birth", _("Places of birth")),
    ("ids", _("Identification documents and numbers")),
    ("vessel_type", _("Vessel type")),
    ("vessel_flag", _("Vessel flag")),
    ("vessel_owner", _("Vessel owner")),
    ("call_sign", _("Call sign")),
    ("remarks", _("Remarks")),
    ("source_list_url", _("The list's page")),
)
CSL_DATES = frozenset({"start_date", "end_date"})
CSL_COUNTRIES = frozenset({"nationalities", "citizenships"})

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def latin(text: str) -> bool:
    """Whether a text has words in Latin letters (the matcher explains itself in English: shown on English pages,
    and on Japanese ones only when it has none)."""
    return bool(_LATIN_WORD.search(text or ""))
