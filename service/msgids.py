"""Words the pages translate from data (statuses, kinds, roles): listed here so that the catalogue
extractor sees them, and the test that every page string has a Japanese translation covers them."""


def _(s: str) -> str:
    return s


MSGIDS = [
    # case statuses, review clock, outcomes
    _("open"), _("submitted"), _("under_review"), _("info_requested"), _("concluded"), _("withdrawn"),
    _("ok"), _("due_soon"), _("overdue"), _("paused"), _("done"), _("met"), _("violated"), _("closed"), _("active"),
    _("no_objection"), _("conditions"), _("objection"),
    # actions and history entries
    _("start-review"), _("request-info"), _("respond"), _("conclude"), _("withdraw"), _("claim"), _("reassign"),
    _("review_clock.ok"), _("review_clock.due_soon"), _("review_clock.overdue"), _("review_clock.paused"),
    _("review_clock.done"), _("respond_by.passed"),
    # history details
    _("plan_event_id"), _("consult_by"), _("question"), _("respond_by"), _("answer"), _("paused_days"),
    _("outcome"), _("reason"), _("assigned_to"), _("from"), _("to"), _("before"), _("after"), _("on"),
    _("review_target_on"),
    # acts, relations, conditions
    _("transfer"), _("provide"), _("joint_rd"), _("overseas_rd"), _("overseas_production"),
    _("none"), _("parent"), _("subsidiary"),
    _("forced_transfer_risk"), _("counterparty_un_violation"), _("counterparty_foreign_influence"),
    _("ministry_notice"),
    # roles
    _("contractor"), _("ministry_officer"), _("admin"),
    # kinds of organisation (the contractor's is a role's word already)
    _("ministry"), _("funding_agency"),
    # obligations and deadline kinds
    _("shareholders"), _("access_control"), _("employees"), _("suppliers"), _("ip_consultation"), _("bayh_dole"),
    _("shareholder_declaration"), _("access_review"), _("departure"), _("supplier_review"),
    _("consultation_conclusion"), _("prior_approval"), _("supplier_follow_up"), _("approval_application"),
    _("incident_follow_up"), _("incidents"), _("release_report"), _("releases"),
    # violations
    _("access_not_revoked_by_departure"), _("confidentiality_pledge_missing"), _("supplier_nda_missing"),
    _("act_before_consultation_concluded"), _("act_despite_objection"), _("transfer_without_prior_approval"),
    # events and effects
    _("shareholding.declared"), _("shareholding.changed"),
    _("shareholder_report_filed"), _("consultation_opened"), _("prior_approval_requested"), _("deadline_set"),
    _("deadline_met"), _("late_filing"), _("violation_recorded"), _("finding_recorded"),
    _("deadline_moved"), _("deadline_closed"), _("consultation_withdrawn"),
    # findings (DOMAIN.md §10: beside violations, never mixed with them)
    _("noncompete_not_requested"), _("act_before_conclusion"), _("act_without_consultation"), _("late_report"),
    _("listed_counterparty"), _("listed_holder"), _("listed_supplier"),
    # the condition a counterparty's true match in screening meets (a case's conditions)
    _("counterparty_listed"),
    # messages
    _("compliance_lead"), _("pending"), _("sent"), _("failed"), _("cancelled"),
    # notice scopes
    _("contract"), _("counterparty"), _("action"),
    # Bayh-Dole approvals (the compliance dossier, service/rules/documents.py)
    _("approval_pending"), _("approval_granted"), _("approval_refused"), _("approval_ended"),
    # attachments to an answer, as the case history shows them; incident severities (the report forms' lists)
    _("attachment.added"), _("filename"), _("size"), _("sha256"), _("near_miss"), _("incident"),
    # page sign-in: what the login page says when it cannot sign a person in
    _('Choose a role, and give a user and an organisation.'),
    _('This token is not valid here (expired, or not issued for tlc).'),
    _('This sign-in was not started here, or took too long; please sign in again.'),
    _('The identity provider did not sign you in.'),
    _('Your account has no role in tlc; ask your administrator to grant one.'),
    _('Your account has more than one role in tlc; ask your administrator to keep one.'),
    _('The identity provider did not say your user id.'),
    _('The identity provider did not say your organisation.'),
    _('The identity provider cannot be reached now; try again in a moment.'),
    _('The identity provider did not confirm this sign-in; please sign in again.'),
    _('The identity provider sent no ID token; please sign in again.'),
    _("The identity provider's answer could not be verified; please sign in again."),
    # the pages of issue 12: actions as buttons, history entries in the past tense, hints, filters, lights
    _("action.start-review"), _("action.request-info"), _("action.respond"), _("action.conclude"),
    _("action.withdraw"), _("action.claim"), _("action.reassign"),
    _("action_hint.start-review"), _("action_hint.request-info"), _("action_hint.respond"),
    _("action_hint.conclude"), _("action_hint.withdraw"), _("action_hint.claim"), _("action_hint.reassign"),
    _("history.submitted"), _("history.start-review"), _("history.request-info"), _("history.respond"),
    _("history.conclude"), _("history.withdraw"), _("history.claim"), _("history.reassign"),
    _("history.rescheduled"), _("history.respond_by.passed"), _("history.review_clock.ok"),
    _("history.review_clock.due_soon"), _("history.review_clock.overdue"), _("history.review_clock.paused"),
    _("history.review_clock.done"), _("history.attachment.added"),
    _("outcome.no_objection"), _("outcome.conditions"), _("outcome.objection"),
    _("status_filter.open"), _("status_filter.submitted"), _("status_filter.under_review"),
    _("status_filter.info_requested"), _("status_filter.concluded"), _("status_filter.withdrawn"),
    _("deadline_filter.open"), _("deadline_filter.due_soon"), _("deadline_filter.overdue"),
    _("deadline_filter.violated"), _("deadline_filter.met"), _("deadline_filter.closed"),
    _("light_red"), _("light_yellow"), _("light_green"), _("light_closed"), _("filed_late"),
    _("rung_kind.notice"), _("rung_kind.reminder"), _("rung_kind.due"), _("rung_kind.escalation"),
    _("Confirmation"), _("Tick the box to confirm."), _("the system"), _("Before"),
    _("Enter this."), _("Enter at most %(max_length)s characters."), _("Enter a date."),
    _("Choose one of the options."), _("Enter a whole number."), _("Enter a number."), _("Enter %(ge)s or more."),
    _("Enter %(le)s or less."), _("Choose yes or no."),
    _("error_title.400"), _("error_title.401"), _("error_title.403"), _("error_title.404"), _("error_title.409"),
    _("error_title.422"), _("error_title.429"), _("error_title.503"), _("error_help.403"), _("error_help.404"),
]
