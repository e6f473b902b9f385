"""The report forms, one per contractor event type (API.md "Contractor events"), in words: what each asks and
when to use it, how a submitted form reads into the event's `data`, and what was typed, to show it again.

A form field is named by its path in `data` ("counterparty.country", "holders.2.name"). Reading is forgiving
only in form (full-width digits, thousands separators, a percentage for a share); what the values mean is
judged by the API's own models and rules, the same for both (service.events.service.accept).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from service.rules.ip_models import ACTS_WITH_COUNTERPARTY


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


Kind = Literal["text", "textarea", "date", "int", "number", "percent", "country", "yesno", "yesno_keep", "radio",
               "check", "checks", "lines", "pick"]
# The registers a form picks from (service/web/report_pages.py builds their options from the contract's record).
Register = Literal["plan", "approval_plan", "supplier", "item", "incident", "release"]
Values = dict[str, Any]  # what was typed, by field name: a string, or a list for several checkboxes


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = True
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()  # radio, yesno: (value, label)
    register: Register | None = None  # pick, checks: where the options come from
    default: str = ""  # shown on a new form: the model's own default, so that it is seen, not implied


@dataclass(frozen=True)
class Group:
    """A fieldset of a nested object (`name` is its key in data); `applies` says, from what was typed and whether
    anything was typed in the fieldset itself, whether it goes into the data (a fieldset shown with a hint, and
    validated only where it applies). Without `applies`, it does when something was typed in it."""

    name: str
    legend: str
    hint: str
    inputs: tuple[Input, ...]
    applies: Callable[[Mapping[str, Any], bool], bool] | None = None


@dataclass(frozen=True)
class Rows:
    """A list of objects typed as repeated rows; wholly blank rows are left out. More rows come with the form's
    "add rows" button (no script)."""

    name: str
    legend: str
    hint: str
    inputs: tuple[Input, ...]
    blank: int = 5


Part = Input | Group | Rows


@dataclass(frozen=True)
class EventForm:
    type: str
    group: str
    title: str
    when: str
    occurred_label: str
    parts: tuple[Part, ...]
    occurred_hint: str = ""


@dataclass
class Reading:
    """A submitted form read: the event's data, what was typed (to show again), the rows shown, and the errors the
    form itself found (a percentage out of range) before the API's models judge the rest."""

    data: dict[str, Any]
    values: Values
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, msgid)
    row_of: dict[str, dict[int, int]] = field(default_factory=dict)  # list name: data index -> form row

    def form_path(self, path: str) -> str:
        """A path of the data as the form names it: the n-th holder given may be in a later row."""
        head, _, rest = path.partition(".")
        if head in self.row_of and rest:
            index, _, tail = rest.partition(".")
            if index.isdigit():
                row = self.row_of[head].get(int(index), int(index))
                return ".".join(p for p in (head, str(row), tail) if p)
        return path


MAX_ROWS = 60
ADD_ROWS = 3

# --- the groups of the report page, in the order of a contract's life ----------------------------------------

GROUPS: tuple[tuple[str, str, str], ...] = (
    # (key, heading, the obligation whose measures decide whether it is shown)
    ("shareholders", _("Shareholders of one third or more"), "shareholders"),
    ("ip", _("Planned acts on the IP (prior consultation, prior approval)"), "ip"),
    ("core", _("Core technology and access to it"), "access_control"),
    ("employees", _("Employees with access"), "employees"),
    ("suppliers", _("Suppliers"), "suppliers"),
    ("incidents", _("Incidents and near misses"), "incidents"),
    ("releases", _("Publication and provision of results"), "releases"),
)


def _counterparty_applies(values: Mapping[str, Any], typed: bool) -> bool:
    return values.get("action") in ACTS_WITH_COUNTERPARTY or typed


def _site_applies(values: Mapping[str, Any], typed: bool) -> bool:
    action = values.get("action")
    return action == "overseas_production" or (not action and typed)


_COUNTRY = _("Country or region")
_PLAN = Input("plan_event_id", _("Planned act"), "pick", register="plan",
              hint=_("The plan as you reported it: the act, its counterparty or site, and its planned date."))
_SUPPLIER = Input("supplier_ref", _("Supplier"), "pick", register="supplier")
_ITEM = Input("item_ref", _("Core-technology item"), "pick", register="item")
_EMPLOYEE = Input("employee_ref", _("Employee"), hint=_("Your employee number or another reference that identifies "
                                                        "the person in your records."))

FORMS: dict[str, EventForm] = {f.type: f for f in (
    EventForm("shareholding.declared", "shareholders", _("Declaration of shareholders at contract time"),
              _("Once, after the contract is registered: every holder of one third or more of your shares, or none."),
              _("Shares as of"), (
                  Input("shares_outstanding", _("Shares outstanding"), "int",
                        hint=_("The total number of issued shares (or equity interests).")),
                  Rows("holders", _("Holders of one third or more"),
                       _("One row per holder. Leave every row blank if no one holds one third or more."), (
                           Input("name", _("Name of the holder")),
                           Input("country", _COUNTRY, "country"),
                           Input("shares_held", _("Shares held"), "int"))),
              )),
    EventForm("shareholding.changed", "shareholders", _("A holder of one third or more has changed"),
              _("Within the period the programme sets, when someone newly holds one third or more, or a holding "
                "changes."),
              _("Date of the change"), (
                  Input("holder.name", _("Name of the holder")),
                  Input("holder.country", _COUNTRY, "country"),
                  Input("shares_held", _("Shares held after the change"), "int"),
                  Input("shares_outstanding", _("Shares outstanding after the change"), "int"),
              )),
    EventForm("ip_action.planned", "ip", _("A planned act on the IP"),
              _("Before transferring or providing the results' IP, joint R&D, R&D abroad or production abroad: the "
                "ministry judges whether prior consultation or approval is needed."),
              _("Date the plan was decided"), (
                  Input("action", _("Act"), "radio", options=(
                      ("transfer", _("Transfer the IP to another party (e.g. with the business)")),
                      ("provide", _("Provide the IP to another party, disclosure and licences included")),
                      ("joint_rd", _("Joint R&D on the IP with another party")),
                      ("overseas_rd", _("R&D on the IP in another country")),
                      ("overseas_production", _("Build a production site abroad, or raise the capacity of one, for "
                                                "products that use the IP"))),
                        hint=_("A transfer, provision or joint R&D has a counterparty; production abroad has a "
                               "site.")),
                  Input("planned_date", _("Planned date of the act"), "date"),
                  Input("exclusive_license", _("The provision grants an exclusive licence"), "check", required=False,
                        hint=_("Only with the act “provide”.")),
                  Input("forced_transfer_risk", _("We have learned of a risk that the IP will be forcibly "
                                                  "transferred"), "check", required=False),
                  Group("counterparty", _("Counterparty"),
                        _("Required for a transfer, provision or joint R&D; for R&D or production abroad, only if "
                          "there is one."), (
                            Input("name", _("Name of the counterparty")),
                            Input("country", _("Where it is established"), "country"),
                            Input("relation", _("Relation to your company"), "radio", required=False,
                                  default="none", options=(
                                      ("none", _("No relation")), ("parent", _("Our parent company")),
                                      ("subsidiary", _("Our subsidiary")))),
                            Input("un_violation_within_5y", _("It violated UN resolutions or other international "
                                                              "norms in the past five years"), "check",
                                  required=False),
                            Input("foreign_government_influence", _("It operates under the influence of a foreign "
                                                                    "government or the like"), "check",
                                  required=False)),
                        applies=_counterparty_applies),
                  Group("site", _("Production site"), _("Only for production abroad; left aside for the other "
                                                        "acts."), (
                      Input("country", _("Country or region of the site"), "country"),
                      Input("new_site", _("New or existing site"), "yesno", options=(
                          ("true", _("A new site, to be built")), ("false", _("An existing site")))),
                      Input("capacity_before", _("Capacity before the investment"), "number", required=False,
                            hint=_("For an existing site, in any unit, the same for both figures.")),
                      Input("capacity_after", _("Capacity after the investment"), "number", required=False),
                      Input("local_consumption_share", _("Share of its products consumed in that country, in percent"),
                            "percent", hint=_("From 0 to 100; 85 or more means the act is not covered."))),
                        applies=_site_applies),
              )),
    EventForm("ip_action.risk_learned", "ip", _("A risk learned after the plan was reported"),
              _("When, after reporting a plan, you learn of a risk of forced transfer or of the counterparty's "
                "attributes."),
              _("Date you learned of it"), (
                  _PLAN,
                  Input("forced_transfer_risk", _("A risk that the IP will be forcibly transferred"), "check",
                        required=False),
                  Input("un_violation_within_5y", _("The counterparty violated UN resolutions or other international "
                                                    "norms in the past five years"), "check", required=False),
                  Input("foreign_government_influence", _("The counterparty operates under the influence of a "
                                                          "foreign government or the like"), "check",
                        required=False),
              )),
    EventForm("ip_action.rescheduled", "ip", _("A planned act has a new date"),
              _("When the date of a reported plan moves; the date to consult by moves with it."),
              _("Date of the decision"), (
                  _PLAN, Input("planned_date", _("New planned date"), "date"),
              )),
    EventForm("ip_action.cancelled", "ip", _("A planned act is cancelled"),
              _("When a reported plan will not go ahead; its consultation, if open, is withdrawn."),
              _("Date of the decision"), (
                  _PLAN, Input("reason", _("Reason"), "textarea", required=False),
              )),
    EventForm("ip_action.approval_applied", "ip", _("Application for the state's prior approval"),
              _("When you have applied for the prior approval that a transfer of commissioned results needs."),
              _("Date of the application"), (
                  Input("plan_event_id", _("Planned act"), "pick", register="approval_plan",
                        hint=_("Only plans that need the state's prior approval are listed.")),
              )),
    EventForm("ip_action.completed", "ip", _("A planned act was done"),
              _("After the act: its date is judged against the consultation and the approval."),
              _("Date of the act"), (_PLAN,)),
    EventForm("core_item.registered", "core", _("A core-technology item registered"),
              _("When a non-public core technology of the contract (or one that enables it) is to be protected."),
              _("Date of registration"), (
                  Input("item_ref", _("Your reference for the item"), hint=_("For example CT-01; it is how later "
                                                                             "reports name the item.")),
                  Input("title", _("What the item is")),
              )),
    EventForm("access.granted", "core", _("Access to an item granted"),
              _("When an employee is given access to a registered item."),
              _("Date access was granted"), (
                  _ITEM, _EMPLOYEE, Input("reason", _("Why this person needs access"), "textarea", required=False),
              )),
    EventForm("access.revoked", "core", _("Access to an item revoked"),
              _("When an employee's access to an item ends (a change of duties, or leaving)."),
              _("Date access was revoked"), (
                  _ITEM, _EMPLOYEE, Input("reason", _("Reason"), "textarea", required=False),
              )),
    EventForm("access_review.completed", "core", _("Periodic review of access completed"),
              _("After each periodic review of who has access to the items."),
              _("Date the review was completed"), (
                  Input("item_refs", _("Items reviewed"), "checks", register="item"),
                  Input("removed_employee_refs", _("Employees whose access the review removed"), "lines",
                        required=False, hint=_("One per line; leave blank if the review removed no one.")),
              )),
    EventForm("employee.departing", "employees", _("An employee with access will leave"),
              _("As soon as you know that an employee with access to an item will leave: the access and the pledges "
                "are due by the day of leaving."),
              _("Date you learned of it"), (
                  _EMPLOYEE, Input("departure_date", _("Date of leaving"), "date"),
              )),
    EventForm("employee.departed", "employees", _("An employee with access has left"),
              _("On or after the day of leaving: the pledges obtained or not."),
              _("Date of leaving"), (
                  _EMPLOYEE,
                  Input("confidentiality_pledge", _("Confidentiality pledge"), "radio", options=(
                      ("obtained", _("Obtained")), ("missing", _("Not obtained"))),
                        hint=_("A pledge of confidentiality is required.")),
                  Input("noncompete_pledge", _("Non-compete pledge"), "radio", options=(
                      ("obtained", _("Obtained")), ("refused", _("Asked for, but refused")),
                      ("not_requested", _("Not asked for"))),
                        hint=_("An effort duty: a refusal is a valid outcome; not asking is recorded as a finding.")),
              )),
    EventForm("supplier.engaged", "suppliers", _("A supplier engaged"),
              _("When you start dealing with a supplier, whether or not it will hold core technology."),
              _("Date of engagement"), (
                  Input("supplier_ref", _("Your reference for the supplier"),
                        hint=_("For example SUP-01; it is how later reports name the supplier.")),
                  Input("name", _("Name of the supplier")),
                  Input("country", _COUNTRY, "country"),
                  Input("holds_core_tech", _("Core technology held by the supplier"), "yesno", options=(
                      ("true", _("It holds all or part of the core technology")), ("false", _("It holds none")))),
                  Input("nda_signed_on", _("Date the confidentiality agreement was signed"), "date", required=False,
                        hint=_("Leave blank if it is not signed yet; it is due before core technology is shared.")),
              )),
    EventForm("supplier.updated", "suppliers", _("A supplier's situation changed"),
              _("When a supplier starts to hold core technology, signs the confidentiality agreement, or is required "
                "to take equivalent measures."),
              _("Date of the change"), (
                  _SUPPLIER,
                  Input("holds_core_tech", _("Core technology held by the supplier"), "yesno_keep", required=False,
                        options=(("", _("No change")), ("true", _("It now holds all or part of the core technology")),
                                 ("false", _("It no longer holds any")))),
                  Input("nda_signed_on", _("Date the confidentiality agreement was signed"), "date", required=False),
                  Input("flow_down_on", _("Date equivalent measures were required of it"), "date", required=False),
              )),
    EventForm("supplier.reviewed", "suppliers", _("A supplier's measures reviewed"),
              _("After each periodic review of how a supplier implements the measures."),
              _("Date of the review"), (
                  _SUPPLIER,
                  Input("outcome", _("Outcome"), "radio", options=(
                      ("compliant", _("The measures are in place")), ("findings", _("Findings to follow up")))),
                  Input("notes", _("Notes"), "textarea", required=False),
              )),
    EventForm("supplier.ended", "suppliers", _("Dealings with a supplier ended"),
              _("When you stop dealing with a supplier: its reviews stop."),
              _("Date the dealings ended"), (_SUPPLIER,)),
    EventForm("incident.reported", "incidents", _("An incident or near miss"),
              _("When core technology leaked or nearly did; an incident is sent to the ministry at once."),
              _("Date it happened"), (
                  Input("severity", _("Severity"), "radio", options=(
                      ("near_miss", _("A near miss (nothing leaked)")), ("incident", _("An incident")))),
                  Input("summary", _("What happened, in summary"), "textarea"),
              )),
    EventForm("incident.followed_up", "incidents", _("Measures reviewed after an incident"),
              _("When you have reviewed your measures after an incident."),
              _("Date the review was completed"), (
                  Input("incident_event_id", _("Incident"), "pick", register="incident"),
                  Input("summary", _("What was reviewed and changed"), "textarea"),
              )),
    EventForm("results.release_planned", "releases", _("A planned publication or provision of results"),
              _("Before publishing or providing results, where the programme's call asks for it."),
              _("Date the plan was decided"), (
                  Input("release_ref", _("Your reference for the release"),
                        hint=_("For example PUB-2026-01; it is how the report after the release names it.")),
                  Input("kind", _("Kind"), "radio", options=(
                      ("publication", _("Publication (a paper, a talk, a press release)")),
                      ("provision", _("Provision to another party")))),
                  Input("planned_date", _("Planned date"), "date"),
                  Input("title", _("Title or subject")),
              )),
    EventForm("results.released", "releases", _("Results were published or provided"),
              _("After the release: the report after it."),
              _("Date of the release"), (
                  Input("release_ref", _("Release"), "pick", register="release"),
              )),
)}


# --- reading a submitted form --------------------------------------------------------------------------------

def _clean(v: str) -> str:
    return unicodedata.normalize("NFKC", v).strip()


def _number_text(v: str) -> str:
    return _clean(v).replace(",", "").replace(" ", "").replace("_", "")


def _as_int(v: str) -> Any:
    text = _number_text(v)
    digits = text.lstrip("-")
    # Kept as typed when not an integer: the model's own check refuses it and says why.
    return int(text) if digits.isdigit() and len(digits) <= 30 else text


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *heads, last = path.split(".")
    for h in heads:
        data = data.setdefault(h, {})
    data[last] = value


def _first(form: Any, name: str) -> str:
    v = form.get(name)
    return v if isinstance(v, str) else ""


def _read_input(inp: Input, name: str, form: Any, reading: Reading, into: dict[str, Any], key: str) -> None:
    """One input's typed value into `reading.values[name]`, and its value (when given) into `into[key]`."""
    if inp.kind == "checks":
        chosen = [v for v in form.getlist(name) if isinstance(v, str) and v]
        reading.values[name] = chosen
        into[key] = chosen
        return
    raw = _first(form, name)
    reading.values[name] = raw
    if inp.kind == "check":
        reading.values[name] = "true" if raw else ""
        if raw:
            into[key] = True
        return
    if inp.kind == "textarea":
        text = raw.replace("\r\n", "\n").strip()
        if text:
            into[key] = text
        return
    if inp.kind == "lines":
        lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
        if lines:
            into[key] = lines
        return
    text = raw.strip()
    if not text:
        return
    if inp.kind == "int":
        into[key] = _as_int(text)
    elif inp.kind == "number":
        into[key] = _number_text(text)
    elif inp.kind == "percent":
        try:
            pct = Decimal(_number_text(text).rstrip("%"))
        except InvalidOperation:
            pct = None
        if pct is None or not pct.is_finite() or not 0 <= pct <= 100:
            reading.errors.append((name, _("Enter a percentage from 0 to 100.")))
            return
        into[key] = format(pct.scaleb(-2), "f")
    elif inp.kind in ("yesno", "yesno_keep"):
        if text in ("true", "false"):
            into[key] = text == "true"
    elif inp.kind == "country":
        into[key] = _clean(text).upper()
    else:
        into[key] = _clean(text) if inp.kind in ("text", "date") else text


def row_count(rows: Rows, form: Any) -> int:
    """How many rows the form shows: as many as it had (more with "add rows"), at least `blank`."""
    try:
        shown = int(_first(form, f"{rows.name}.rows") or rows.blank)
    except ValueError:
        shown = rows.blank
    if _first(form, "add_rows") == rows.name:
        shown += ADD_ROWS
    return max(rows.blank, min(shown, MAX_ROWS))


def read(spec: EventForm, form: Any) -> Reading:
    """The form's data for the event (what was given), and what was typed in each field."""
    reading = Reading(data={}, values={"occurred_on": _clean(_first(form, "occurred_on"))})
    # The act decides which fieldsets apply, so the plain inputs are read first.
    for part in spec.parts:
        if isinstance(part, Input):
            probe: dict[str, Any] = {}
            _read_input(part, part.name, form, reading, probe, "v")
            if "v" in probe:
                _set(reading.data, part.name, probe["v"])
    for part in spec.parts:
        if isinstance(part, Group):
            sub: dict[str, Any] = {}
            for inp in part.inputs:
                _read_input(inp, f"{part.name}.{inp.name}", form, reading, sub, inp.name)
            # A default left as it was shown (a counterparty's relation "none") is not something typed.
            typed = any(reading.values[f"{part.name}.{i.name}"] not in ("", [], i.default or "") for i in part.inputs)
            if part.applies(reading.values, typed) if part.applies else typed:
                reading.data[part.name] = sub
        elif isinstance(part, Rows):
            shown = row_count(part, form)
            reading.rows[part.name] = shown
            items, where = [], {}
            for i in range(shown):
                row: dict[str, Any] = {}
                for inp in part.inputs:
                    _read_input(inp, f"{part.name}.{i}.{inp.name}", form, reading, row, inp.name)
                if row:
                    where[len(items)] = i
                    items.append(row)
            reading.data[part.name] = items
            reading.row_of[part.name] = where
    return reading


def blank_rows(spec: EventForm) -> dict[str, int]:
    return {p.name: p.blank for p in spec.parts if isinstance(p, Rows)}


def defaults(spec: EventForm) -> Values:
    """A new form's values: the defaults the models would take, shown."""
    out: Values = {}
    for part in spec.parts:
        if isinstance(part, Input) and part.default:
            out[part.name] = part.default
        elif isinstance(part, Group):
            out.update({f"{part.name}.{i.name}": i.default for i in part.inputs if i.default})
    return out


def labels_of(spec: EventForm, rows: Mapping[str, int], gettext: Callable[[str], str]) -> dict[str, str]:
    """Each field's label in the page's language, by its name (rows numbered: "Holder 2: shares held")."""
    out = {"occurred_on": gettext(spec.occurred_label)}
    for part in spec.parts:
        if isinstance(part, Input):
            out[part.name] = gettext(part.label)
        elif isinstance(part, Group):
            out[part.name] = gettext(part.legend)
            for inp in part.inputs:
                out[f"{part.name}.{inp.name}"] = gettext(_("{legend}: {label}")).format(
                    legend=gettext(part.legend), label=gettext(inp.label))
        else:
            out[part.name] = gettext(part.legend)
            for i in range(rows.get(part.name, part.blank)):
                for inp in part.inputs:
                    out[f"{part.name}.{i}.{inp.name}"] = gettext(_("Row {n}: {label}")).format(
                        n=i + 1, label=gettext(inp.label))
    return out
