"""The stepped declaration form (issue 14, item 9): the 13 items of a researcher's self-declaration in steps, what
each step asks, how the typed values read into the API's body, and each step judged by the API's own models (the
fields of `ResearcherCreate` and `Items`, as they are) and rules (rules/research/declaration.py), so that a step
says what the API would refuse, beside the field, before the declaration is recorded at the last step.

A field is named by its path in the body ("education.0.start_on", "papers.1.co_authors.0.name"); a list item's
entries count in "<item>.count" (and its people in "<item>.<i>.<people>.count"). Entries and people left wholly
blank are left out. More come with the form's "add" buttons (no script); an entry goes with its "remove" button.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from service.i18n import translations
from service.problems import Problem
from service.research.schemas import ResearcherCreate
from service.rules.dates import day_in_words
from service.rules.invalid import InvalidValue
from service.rules.research import declaration as rules
from service.rules.research.declaration import Items
from service.web.forms import FormError, worded
from service.web.research_words import ITEMS


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


Kind = Literal["text", "textarea", "date", "country", "int", "choice", "yesno"]
Values = dict[str, str]
MAX_ENTRIES = 60
MAX_PEOPLE = 60
ADD_PEOPLE = 3


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = True
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()  # choice, yesno: (value, label msgid)


@dataclass(frozen=True)
class People:
    """People (or organisations) of one entry, typed as rows: a paper's co-authors, a patent's co-inventors."""

    name: str
    legend: str
    hint: str
    inputs: tuple[Input, ...]
    blank: int = 2


@dataclass(frozen=True)
class Entries:
    """A list item of the 13: its entries, each a fieldset of inputs."""

    item: str
    hint: str
    entry: str  # one entry's legend, with {n}
    inputs: tuple[Input, ...]
    people: tuple[People, ...] = ()
    blank: int = 0  # entries shown when there are none (1 for the items that need one)


@dataclass(frozen=True)
class Fixed:
    """An item of one answer (9) or of a few (12): its inputs, named `<item>` or `<item>.<input>`."""

    item: str
    hint: str
    inputs: tuple[Input, ...]
    nested: bool = False  # inputs are named "<item>.<input>" (an object), else the item is the one input


Part = Entries | Fixed


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    intro: str
    parts: tuple[Part, ...] = ()

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(p.item for p in self.parts)


YES_NO = (("true", _("Yes")), ("false", _("No")))
WHEN = _("From and to: an entry counts when any day of it is in the three years looked back on.")

START = Input("start_on", _("Start date"), "date")
END = Input("end_on", _("End date"), "date", required=False, hint=_("Leave empty while it goes on."))
COUNTRY = Input("country", _("Country or region"), "country")
PERSON = (Input("name", _("Name of the person")), Input("affiliation", _("Affiliation"), required=False),
          Input("country", _("Country or region"), "country", required=False))
ORGANISATION = (Input("name", _("Name")), Input("country", _("Country or region"), "country", required=False))

SUPPORT_KINDS = (("equipment", _("support.equipment")), ("facilities", _("support.facilities")),
                 ("personnel", _("support.personnel")), ("travel", _("support.travel")),
                 ("honorarium", _("support.honorarium")), ("in_kind", _("support.in_kind")),
                 ("other", _("support.other")))
PAPER_ROLES = (("first", _("paper_role.first")), ("corresponding", _("paper_role.corresponding")),
               ("first_and_corresponding", _("paper_role.first_and_corresponding")),
               ("co_author", _("paper_role.co_author")))
RELATION_KINDS = (("joint_research", _("relation.joint_research")),
                  ("commissioned_research", _("relation.commissioned_research")),
                  ("co_authored_paper", _("relation.co_authored_paper")),
                  ("joint_presentation", _("relation.joint_presentation")))

IDENTITY = (
    Input("name", _("Name of the person"), hint=_("As the researcher writes it, e.g. 山田 花子.")),
    Input("name_latin", _("Name in Latin letters"), required=False, hint=_("As on papers, e.g. Hanako Yamada.")),
    Input("nationality", _("Nationality"), "country", required=False),
)
DECLARED_ON = Input("declared_on", _("Day of the declaration"), "date",
                    hint=_("The day the researcher declared; not after today. Items (3) to (8), (10) and (11) are "
                           "checked for the three years before it."))
INSTITUTION = Input("institution", _("Research institution"), "choice")

STEPS: tuple[Step, ...] = (
    Step(1, "identity", _("The researcher and the day of the declaration"),
         _("Who declares, and on which day: the three years looked back on are counted from it.")),
    Step(2, "career", _("Education and career"), _("Items (1) and (2): every entry, whenever it was."), (
        Entries("education", _("Degrees and other education, at least one."), _("Education %(n)s"), (
            Input("institution", _("Institution")), COUNTRY, Input("degree", _("Degree")),
            Input("field", _("Field"), required=False), START, END), blank=1),
        Entries("career", _("Positions held, at least one (the present one too)."), _("Position %(n)s"), (
            Input("organisation", _("Organisation")), COUNTRY, Input("position", _("Position")), START, END),
            blank=1),
    )),
    Step(3, "funding", _("Funding and other support"), _("Items (3) and (4): the three years looked back on."), (
        Entries("funding", _("Research funds received, from Japan or abroad. None: leave it empty."),
                _("Funding %(n)s"), (
                    Input("funder", _("Funder")), COUNTRY, Input("title", _("Title of the grant or contract")),
                    Input("amount_jpy", _("Amount (yen)"), "int", required=False), START, END)),
        Entries("other_support", _("Equipment, facilities, staff, travel, honoraria and other support in kind."),
                _("Support %(n)s"), (
                    Input("provider", _("Provider")), COUNTRY,
                    Input("kind", _("Kind of support"), "choice", options=SUPPORT_KINDS),
                    Input("description", _("What it is")), START, END)),
    )),
    Step(4, "outputs", _("Papers and patents"), _("Items (5) and (6): the three years looked back on, with the "
                                                   "co-authors, co-inventors and co-applicants (they are screened "
                                                   "against the lists too)."), (
        Entries("papers", _("Papers published. None: leave it empty."), _("Paper %(n)s"), (
            Input("title", _("Title of the paper")), Input("on", _("Published on"), "date"),
            Input("role", _("Role"), "choice", options=PAPER_ROLES)),
            people=(People("co_authors", _("Co-authors"), _("Name, affiliation and country of each."), PERSON),)),
        Entries("patents", _("Patents applied for. None: leave it empty."), _("Patent %(n)s"), (
            Input("title", _("Title of the invention")), Input("on", _("Filed on"), "date"),
            Input("application_number", _("Application number"), required=False)),
            people=(People("co_inventors", _("Co-inventors"), _("Name, affiliation and country of each."), PERSON),
                    People("co_applicants", _("Co-applicants"), _("Organisations applying with the researcher."),
                           ORGANISATION, blank=1))),
    )),
    Step(5, "programmes", _("Talent programmes and sanctions"), _("Items (7) and (8): the three years looked back "
                                                                   "on."), (
        Entries("talent_programmes", _("Foreign talent-recruitment programmes taken part in. None: leave it empty."),
                _("Programme %(n)s"), (
                    Input("programme", _("Programme")), COUNTRY, Input("sponsor", _("Sponsor"), required=False),
                    START, END)),
        Entries("sanctions", _("Sanctions imposed on the researcher (research misconduct, misuse of funds). None: "
                               "leave it empty."), _("Sanction %(n)s"), (
            Input("measure", _("Measure")), Input("imposed_by", _("Imposed by")), Input("on", _("Imposed on"), "date"),
            Input("until_on", _("Until"), "date", required=False))),
    )),
    Step(6, "lists", _("Lists, relations, export control and the FA's own items"),
         _("Items (9) to (13); (10) and (11) for the three years looked back on."), (
        Fixed("listed", _("METI's End User List or the US Consolidated Screening List."), (
            Input("listed", _("Is the researcher on the End User List or the Consolidated Screening List?"), "yesno",
                  options=YES_NO),)),
        Entries("listed_affiliations", _("Institutions on those lists the researcher belonged to. None: leave it "
                                         "empty."), _("Institution %(n)s"), (
            Input("institution", _("Institution")), COUNTRY, START, END)),
        Entries("listed_relations", _("Researchers of institutions on those lists the researcher worked with. None: "
                                      "leave it empty."), _("Relation %(n)s"), (
            Input("researcher", _("Researcher")), Input("institution", _("Institution")), COUNTRY,
            Input("kind", _("Kind of relation"), "choice", options=RELATION_KINDS), START, END)),
        Fixed("export_control", _("Deemed exports under the Foreign Exchange and Foreign Trade Act."), (
            Input("non_resident", _("Is the researcher a non-resident?"), "yesno", options=YES_NO),
            Input("specific_category", _("Does the researcher fall in the specific category (特定類型)?"), "yesno",
                  options=YES_NO),
            Input("note", _("Note"), required=False)), nested=True),
        Entries("fa_items", _("What the funding agency asks beyond the items above, with the answers. None: leave "
                              "it empty."), _("Question %(n)s"), (
            Input("question", _("Question")), Input("answer", _("Answer"), "textarea"))),
    )),
    Step(7, "review", _("Check and record"),
         _("What will be recorded. Nothing is recorded until you record it here; a declaration is never changed "
           "afterwards: a new one replaces it.")),
)
LAST = STEPS[-1].number
BY_NUMBER = {s.number: s for s in STEPS}
# The step each field of the body is typed on.
STEP_OF: dict[str, int] = {"name": 1, "name_latin": 1, "nationality": 1, "institution": 1, "declared_on": 1,
                           **{p.item: s.number for s in STEPS for p in s.parts}}


# --- reading what was typed -----------------------------------------------------------------------------------

def _clean(v: Any) -> str:
    return " ".join(str(v or "").split())


def _count(values: Mapping[str, str], key: str, least: int, most: int) -> int:
    try:
        n = int(values.get(key, "") or least)
    except ValueError:
        n = least
    return max(least, min(n, most))


def entry_count(values: Mapping[str, str], e: Entries) -> int:
    return _count(values, f"{e.item}.count", e.blank, MAX_ENTRIES)


def people_count(values: Mapping[str, str], prefix: str, p: People) -> int:
    return _count(values, f"{prefix}.{p.name}.count", p.blank, MAX_PEOPLE)


def _value(inp: Input, raw: str) -> Any:
    """A typed value as the body takes it, or None when nothing was typed (the field is left out)."""
    text = raw.strip() if inp.kind == "textarea" else _clean(raw)
    if text == "":
        return None
    if inp.kind == "int":
        return unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if inp.kind == "yesno":
        return {"true": True, "false": False}.get(text, text)
    return text


def _row(inputs: tuple[Input, ...], values: Mapping[str, str], prefix: str) -> dict[str, Any]:
    out = {}
    for inp in inputs:
        v = _value(inp, values.get(f"{prefix}.{inp.name}", ""))
        if v is not None:
            out[inp.name] = v
    return out


@dataclass
class Reading:
    """A step's body as typed, and where each entry of it was on the form (blank ones left out)."""

    data: dict[str, Any]
    where: dict[tuple[Any, ...], int] = field(default_factory=dict)  # (item,) or (item, i, people): index -> row

    def form_path(self, loc: tuple[Any, ...]) -> str:
        """A body's error location as the form names the field (the n-th entry given may be in a later row)."""
        parts = list(loc)
        if len(parts) >= 2 and isinstance(parts[1], int):
            parts[1] = self.where.get((parts[0],), {}).get(parts[1], parts[1])  # type: ignore[call-overload]
            if len(parts) >= 4 and isinstance(parts[3], int):
                key = (parts[0], parts[1], parts[2])
                parts[3] = self.where.get(key, {}).get(parts[3], parts[3])  # type: ignore[call-overload]
        return ".".join(str(p) for p in parts)


def read(step: Step, values: Mapping[str, str], *, new_researcher: bool, chooses_institution: bool) -> Reading:
    """The part of the body a step types, from the values."""
    reading = Reading(data={})
    if step.number == 1:
        inputs = (*IDENTITY, DECLARED_ON) if new_researcher else (DECLARED_ON,)
        if new_researcher and chooses_institution:
            inputs = (INSTITUTION, *inputs)
        for inp in inputs:
            v = _value(inp, values.get(inp.name, ""))
            if v is not None:
                reading.data[inp.name] = v
        return reading
    for part in step.parts:
        if isinstance(part, Fixed):
            if part.nested:
                reading.data[part.item] = _row(part.inputs, values, part.item)
            else:
                v = _value(part.inputs[0], values.get(part.item, ""))
                if v is not None:
                    reading.data[part.item] = v
            continue
        entries, where = [], {}
        for i in range(entry_count(values, part)):
            prefix = f"{part.item}.{i}"
            row = _row(part.inputs, values, prefix)
            for p in part.people:
                people, seen = [], {}
                for j in range(people_count(values, prefix, p)):
                    person = _row(p.inputs, values, f"{prefix}.{p.name}.{j}")
                    if person:
                        seen[len(people)] = j
                        people.append(person)
                if people:
                    row[p.name] = people
                reading.where[(part.item, i, p.name)] = seen  # keyed by the entry's row on the form
            if row:
                where[len(entries)] = i
                entries.append(row)
        reading.where[(part.item,)] = where
        reading.data[part.item] = entries
    return reading


# --- judging a step -------------------------------------------------------------------------------------------

_FIELDS = {**ResearcherCreate.model_fields}


def _model(names: tuple[str, ...]) -> type[BaseModel]:
    """A model of some fields of the API's body, each exactly as the body has it (type, constraints, validators)."""
    fields = {n: (f.annotation, f) for n in names for f in [Items.model_fields.get(n) or _FIELDS[n]]}
    return create_model("Step", __config__=ConfigDict(extra="forbid"), **fields)  # type: ignore[call-overload]


# The rules' messages, as the form says them beside the field (msgids).
RULE_WORDS: dict[str, str] = {
    "{field} must not be before start_on.": _("The end must not be before the start."),
    "{field} must not be after today ({today}).": _("The day of the declaration must not be after today (%(today)s)."),
    "{item}[{index}] begins after the declaration ({declared_on}).":
        _("This begins after the day of the declaration (%(declared_on)s): what has not happened is not declared."),
    "{field} must not be before the declaration it supersedes ({current}).":
        _("The declaration it replaces was made on %(current)s: a new one cannot be dated before it."),
}
AT_LEAST_ONE = _("Enter at least one entry.")
CHOOSE_YES_NO = _("Choose yes or no.")
YES_NO_FIELDS = ("listed", "non_resident", "specific_category")


def rule_words(msgid: str, params: Mapping[str, Any], lang: str) -> str | None:
    """A rule's message as the form says it, in `lang` (days in words), or None for one it has no words of."""
    if msgid not in RULE_WORDS:
        return None
    said = {k: day_in_words(v, lang) if isinstance(v, date) else v for k, v in params.items()}
    return translations(lang).gettext(RULE_WORDS[msgid]) % {k: said.get(k, "") for k in
                                                           ("today", "declared_on", "current")}


def _from_validation(exc: ValidationError, reading: Reading, lang: str) -> list[FormError]:
    gettext = translations(lang).gettext
    out = []
    for e, said in zip(exc.errors(), worded(exc, lang), strict=True):
        loc = tuple(e.get("loc", ()))
        error = (e.get("ctx") or {}).get("error")
        if isinstance(error, InvalidValue):
            at = loc + ((error.field,) if error.field else ())
            out.append(FormError(reading.form_path(at), "", rule_words(error.msgid, error.params, lang) or said.message))
        elif e.get("type") == "too_short" and len(loc) == 1:
            out.append(FormError(f"{loc[0]}.count", "", gettext(AT_LEAST_ONE)))
        elif loc and loc[-1] in YES_NO_FIELDS:
            out.append(FormError(reading.form_path(loc), "", gettext(CHOOSE_YES_NO)))
        else:
            out.append(FormError(reading.form_path(loc), "", said.message))
    return out


def judge(step: Step, values: Mapping[str, str], *, new_researcher: bool, chooses_institution: bool, today: date,
          declared_on: date | None, current_declared_on: date | None, lang: str
          ) -> tuple[Reading, list[FormError], BaseModel | None]:
    """A step judged as the API judges its part of the body: (what was read, what is wrong in `lang`, the step's
    model when nothing is). `declared_on` is step 1's (for the entries' "not after the declaration");
    `current_declared_on` the day of the declaration a new one supersedes."""
    reading = read(step, values, new_researcher=new_researcher, chooses_institution=chooses_institution)
    if step.number == LAST:
        return reading, [], None
    if step.number == 1:
        names = ((("institution",) if new_researcher and chooses_institution else ())
                 + (("name", "name_latin", "nationality") if new_researcher else ()) + ("declared_on",))
    else:
        names = step.items
    try:
        model = _model(names).model_validate(reading.data)
    except ValidationError as exc:
        return reading, _from_validation(exc, reading, lang), None
    errors = []
    try:
        if step.number == 1:
            rules.check_day(model.declared_on, today)  # type: ignore[attr-defined]
            rules.supersedes(model.declared_on, current_declared_on)  # type: ignore[attr-defined]
        elif declared_on is not None:
            for item, i in rules.future_entries(model, declared_on):
                first = "start_on" if "start_on" in type(getattr(model, item)[i]).model_fields else "on"
                msgid = "{item}[{index}] begins after the declaration ({declared_on})."
                errors.append(FormError(reading.form_path((item, i, first)), "",
                                        rule_words(msgid, {"declared_on": declared_on}, lang) or msgid))
    except InvalidValue as exc:
        errors.append(FormError(exc.field or "", "", rule_words(exc.msgid, exc.params, lang) or str(exc)))
    return reading, errors, (None if errors else model)


def body_of(values: Mapping[str, str], *, new_researcher: bool, chooses_institution: bool, institution: str | None
            ) -> tuple[dict[str, Any], Reading]:
    """The whole body the draft stands for (ResearcherCreate's for a new researcher, else DeclarationCreate's), and
    where each of its entries was typed."""
    merged = Reading(data={})
    items: dict[str, Any] = {}
    for step in STEPS:
        r = read(step, values, new_researcher=new_researcher, chooses_institution=chooses_institution)
        merged.where.update(r.where)
        (merged.data if step.number == 1 else items).update(r.data)
    body = {**merged.data, "items": items}
    if new_researcher and not chooses_institution and institution is not None:
        body["institution"] = institution
    return body, merged


# --- what was declared, as the form's values (a new declaration starts from the current one) -------------------

def _typed(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def values_of(items: Mapping[str, Any]) -> Values:
    """A declaration's items as the form's values."""
    out: Values = {}
    for step in STEPS:
        for part in step.parts:
            given = items.get(part.item)
            if isinstance(part, Fixed):
                if part.nested:
                    for inp in part.inputs:
                        out[f"{part.item}.{inp.name}"] = _typed((given or {}).get(inp.name))
                else:
                    out[part.item] = _typed(given)
                continue
            entries = list(given or [])
            out[f"{part.item}.count"] = str(max(len(entries), part.blank))
            for i, entry in enumerate(entries):
                for inp in part.inputs:
                    out[f"{part.item}.{i}.{inp.name}"] = _typed(entry.get(inp.name))
                for p in part.people:
                    people = entry.get(p.name) or []
                    out[f"{part.item}.{i}.{p.name}.count"] = str(max(len(people), p.blank))
                    for j, person in enumerate(people):
                        for inp in p.inputs:
                            out[f"{part.item}.{i}.{p.name}.{j}.{inp.name}"] = _typed(person.get(inp.name))
    return out


# --- the form's buttons ---------------------------------------------------------------------------------------

def add(values: Values, target: str) -> str | None:
    """One more entry of an item ("papers"), or more people of an entry ("papers.0.co_authors"); the field to go
    to (its anchor), or None for a target the step has not."""
    for step in STEPS:
        for part in step.parts:
            if not isinstance(part, Entries):
                continue
            n = entry_count(values, part)
            if target == part.item and n < MAX_ENTRIES:
                values[f"{part.item}.count"] = str(n + 1)
                return f"{part.item}.{n}"
            for i in range(n):
                for p in part.people:
                    prefix = f"{part.item}.{i}"
                    if target == f"{prefix}.{p.name}":
                        m = people_count(values, prefix, p)
                        values[f"{prefix}.{p.name}.count"] = str(min(m + ADD_PEOPLE, MAX_PEOPLE))
                        return f"{prefix}.{p.name}"
    return None


def remove(values: Values, target: str) -> str | None:
    """Take out one entry ("papers.1"): the later ones move up a row. The item's anchor, or None."""
    item, _sep, index = target.rpartition(".")
    for step in STEPS:
        for part in step.parts:
            if isinstance(part, Entries) and part.item == item and index.isdigit():
                n, gone = entry_count(values, part), int(index)
                if gone >= n:
                    return None
                prefix = f"{item}."
                moved: Values = {}
                for key, value in values.items():
                    if not key.startswith(prefix) or key == f"{item}.count":
                        moved[key] = value
                        continue
                    head, _dot, rest = key[len(prefix):].partition(".")
                    if not head.isdigit() or int(head) == gone:
                        continue
                    moved[f"{prefix}{int(head) - (int(head) > gone)}.{rest}"] = value
                moved[f"{item}.count"] = str(max(n - 1, part.blank))
                values.clear()
                values.update(moved)
                return item
    return None


def labels(step: Step, values: Mapping[str, str], gettext: Callable[[str], str]) -> dict[str, str]:
    """Each field's label in the page's language, by its name ("Paper 2: Title"), in the form's order."""
    out: dict[str, str] = {}
    if step.number == 1:
        for inp in (INSTITUTION, *IDENTITY, DECLARED_ON):
            out[inp.name] = gettext(inp.label)
        return out
    for part in step.parts:
        item = gettext(_item_label(part.item))
        if isinstance(part, Fixed):
            for inp in part.inputs:
                out[f"{part.item}.{inp.name}" if part.nested else part.item] = (
                    _joined(gettext, item, gettext(inp.label)) if part.nested else item)
            continue
        out[f"{part.item}.count"] = item
        for i in range(entry_count(values, part)):
            legend = gettext(part.entry) % {"n": i + 1}
            for inp in part.inputs:
                out[f"{part.item}.{i}.{inp.name}"] = _joined(gettext, legend, gettext(inp.label))
            for p in part.people:
                for j in range(people_count(values, f"{part.item}.{i}", p)):
                    for inp in p.inputs:
                        person = gettext(_("Row {n}: {label}")).format(n=j + 1, label=gettext(inp.label))
                        out[f"{part.item}.{i}.{p.name}.{j}.{inp.name}"] = _joined(
                            gettext, legend, _joined(gettext, gettext(p.legend), person))
    return out


def _item_label(item: str) -> str:
    return ITEMS.get(item, item)


def _joined(gettext: Callable[[str], str], legend: str, label: str) -> str:
    return gettext(_("{legend}: {label}")).format(legend=legend, label=label)


# --- the last step: the whole body refused -------------------------------------------------------------------

def _whole_path(loc: tuple[Any, ...], reading: Reading) -> str:
    """A body's location ("items", "papers", 0, "on"; or "declared_on") as the form names its field."""
    parts = [int(p) if isinstance(p, str) and p.isdigit() else p for p in loc if p not in ("body",)]
    if parts and parts[0] == "items":
        parts = parts[1:]
    return reading.form_path(tuple(parts)) if parts else ""


def record_errors(exc: ValidationError | Problem, reading: Reading, lang: str) -> list[FormError]:
    """What is wrong with the whole body, at the last step (the model's errors, or the service's), each at the
    form's field (the step it is on is STEP_OF its first part)."""
    if isinstance(exc, ValidationError):
        items_only = Reading(data=reading.data, where=reading.where)
        out = []
        for e, said in zip(exc.errors(), worded(exc, lang), strict=True):
            error = (e.get("ctx") or {}).get("error")
            loc = tuple(e.get("loc", ())) + ((error.field,) if isinstance(error, InvalidValue) and error.field else ())
            message = rule_words(error.msgid, error.params, lang) if isinstance(error, InvalidValue) else None
            out.append(FormError(_whole_path(loc, items_only), "", message or said.message))
        return out
    out = []
    for item, said in zip(exc.errors or [], worded(exc, lang), strict=False):
        params = dict(item.msg.params)
        loc = tuple(item.loc)
        if "item" in params and "index" in params:  # an entry that begins after the declaration
            name, index = params["item"], int(params["index"])
            first = "on" if name in ("papers", "patents", "sanctions") else "start_on"
            loc = ("items", name, index, first)
        message = rule_words(item.msg.msgid, params, lang)
        out.append(FormError(_whole_path(loc, reading), "", message or said.message))
    if not exc.errors:
        out = worded(exc, lang)
    return out


def step_of(path: str) -> int:
    """The step a field is typed on ("papers.0.on" → 4); the last for the body as a whole."""
    head = path.split(".", 1)[0]
    return STEP_OF.get(head, LAST)
