"""Reasons for a determination and their wording in Japanese and English (DOMAIN.md §5, §7, §10).

Determinations return codes with parameters, never prose, so that the API, the officer pages
and the audit trail word them the same way in either language. The Japanese follows the
source's own terms (source lines 1675-1678 and 1744-1760).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.rules.countries import country_in_words
from service.rules.dates import day_in_words

Lang = Literal["ja", "en"]


class Reason(BaseModel):
    """One finding of a determination: a catalogue code and the values its message needs."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Key into the message catalogue.")
    params: dict[str, str] = Field(default_factory=dict, description="Values for the message.")


CATALOGUE: dict[str, dict[Lang, str]] = {
    # --- the act (source line 1752-1756)
    "act.transfer": {
        "ja": "対象となる行為（i）に該当します：{counterparty}に対し、事業譲渡等により知的財産権等そのものを移転する行為です。",
        "en": "Covered act (i): transferring the IP itself to {counterparty}, for example by transferring the business.",
    },
    "act.provide": {
        "ja": "対象となる行為（ii）に該当します：{counterparty}に対し、知的財産権等を提供する（開示を含む。）行為です。",
        "en": "Covered act (ii): providing the IP to {counterparty}, disclosure included.",
    },
    "act.joint_rd": {
        "ja": "対象となる行為（iii）に該当します：{counterparty}と知的財産権等に関する共同研究開発を行う行為です。",
        "en": "Covered act (iii): joint R&D on the IP with {counterparty}.",
    },
    "act.overseas_rd": {
        "ja": "対象となる行為（iv）に該当します：他国において知的財産権等に係る研究開発を行う行為です。",
        "en": "Covered act (iv): R&D on the IP in another country.",
    },
    "act.overseas_production": {
        "ja": "対象となる行為（v）に該当します：他国である{country}における知的財産権等を用いた製品等の生産拠点への投資です。",
        "en": "Covered act (v): investment in a site in another country, {country}, producing products that use the IP.",
    },
    "act.not_covered": {
        "ja": "他国である{country}における生産拠点への投資は、対象となる行為（v）に該当しません。",
        "en": "The investment in the production site in another country, {country}, is not a covered act (v).",
    },
    # --- the production site (source line 1756)
    "production.new_site": {
        "ja": "他国である{country}に生産拠点を新たに建設する計画です。",
        "en": "The plan builds a new production site in another country, {country}.",
    },
    "production.capacity_over_10": {
        "ja": "既存の生産拠点の製造能力が{before}から{after}へ増強され、増強の割合（{rise}%）が10%を超えます。",
        "en": "The existing site's capacity rises from {before} to {after}, by {rise}%: more than 10%.",
    },
    "production.capacity_from_zero": {
        "ja": "既存の生産拠点の製造能力が0から{after}へ増強されるため、10%を超える割合での増強に当たります。",
        "en": "The existing site's capacity rises from 0 to {after}: more than 10%.",
    },
    "production.local_consumption_under_85": {
        "ja": "当該生産拠点で生産する製品等のうち当該他国で消費されるのは{share}%で、85%未満です。",
        "en": "{share}% of what the site produces is consumed in that country, less than 85%.",
    },
    # --- exemptions
    "exemption.capacity_increase_not_over_10": {
        "ja": "既存の生産拠点の製造能力は{before}から{after}への変化（{rise}%）で、10%を超える割合での増強に当たりません。",
        "en": "The existing site's capacity goes from {before} to {after} ({rise}%), which is not a rise of more than 10%.",
    },
    "exemption.local_consumption_85": {
        "ja": "当該生産拠点で生産する製品等の{share}%が当該他国で消費されるため、85%以上が当該他国で消費される場合の除外に当たります。",
        "en": "{share}% of what the site produces is consumed in that country: the exception for 85% or more consumed locally applies.",
    },
    "exemption.outside_obligation_period": {
        "ja": "実施予定日（{planned_date}）が義務期間の末日（{obligation_period_end}）より後のため、事前相談の義務は及びません。",
        "en": "The planned date ({planned_date}) is after the last day of the obligation period ({obligation_period_end}), so no consultation duty applies.",
    },
    "period.within": {
        "ja": "実施予定日（{planned_date}）は義務期間（末日 {obligation_period_end}）内です。",
        "en": "The planned date ({planned_date}) is within the obligation period (last day {obligation_period_end}).",
    },
    # --- conditions (source lines 1746-1747, 1758-1760)
    "condition.forced_transfer_risk": {
        "ja": "条件①に該当します：知的財産権等の強制的な移転のおそれがあることを実施者が知っています。",
        "en": "Condition (1) holds: the contractor has learned of a risk of forced transfer of the IP.",
    },
    "condition.counterparty_un_violation": {
        "ja": "条件①に該当します：相手方（{counterparty}）は、過去5年間において国際連合の決議その他国際的な基準に違反した実績がある者です。",
        "en": "Condition (1) holds: {counterparty} has violated UN resolutions or other international norms in the past five years.",
    },
    "condition.counterparty_foreign_influence": {
        "ja": "条件①に該当します：相手方（{counterparty}）は、外国政府等による影響を受けて事業を行う者です。",
        "en": "Condition (1) holds: {counterparty} operates under the influence of a foreign government or the like.",
    },
    "condition.counterparty_listed": {
        "ja": "条件①に該当します：相手方（{counterparty}）は{list}に「{entry}」として掲載されており、スクリーニングで同一と確認されました。",
        "en": "Condition (1) holds: {counterparty} is listed on {list} as \"{entry}\", confirmed as a true match in screening.",
    },
    "condition.ministry_notice": {
        "ja": "条件②に該当します：事業所管府省庁から、事前相談又は報告を行うべき旨の連絡を受けています。",
        "en": "Condition (2) holds: the ministry in charge has notified the contractor that it must consult or report.",
    },
    "condition.none": {
        "ja": "条件①（強制的な移転のおそれ又は相手方の属性による流出のおそれ）にも条件②（事業所管府省庁からの連絡）にも該当しません。",
        "en": "Neither condition (1) (risk of forced transfer, or of leakage from the counterparty's attributes) nor condition (2) (notice from the ministry) holds.",
    },
    # --- the consultation itself
    "consultation.required": {
        "ja": "事業所管府省庁への事前相談又は報告が必要です。実施予定日（{planned_date}）より前に、十分な時間的余裕を持って相談又は報告してください（本プログラムの目安：実施予定日の{lead_days}日前＝{consult_by}）。",
        "en": "Prior consultation with, or a report to, the ministry in charge is required, with sufficient time before the planned date ({planned_date}) (this programme's target: {lead_days} days before, {consult_by}).",
    },
    "consultation.call_requires_application": {
        "ja": "本プログラムの公募では、海外で研究開発を行う前に事前の申請を求めています（条件①②にかかわらず必要です）。",
        "en": "This programme's call for proposals asks for a prior application before research abroad, whatever conditions (1) and (2) say.",
    },
    "consultation.not_imposed": {
        "ja": "本プログラムの公募では知的財産の移転等の事前相談を求めていないため、事前相談は不要です。",
        "en": "This programme's call for proposals does not impose prior consultation on IP acts, so none is needed.",
    },
    "consultation.not_required": {
        "ja": "事業所管府省庁への事前相談は不要です。",
        "en": "No prior consultation with the ministry in charge is required.",
    },
    "consultation.late": {
        "ja": "報告日（{as_of}）は本プログラムの目安（{consult_by}）より後です。相談は受け付けられますが、十分な時間的余裕のない相談として記録されます。",
        "en": "Reported on {as_of}, after this programme's target ({consult_by}): the consultation is still accepted, and recorded as filed without sufficient time.",
    },
    # --- Japanese Bayh-Dole (source lines 1677-1678, 1711, 1731)
    "prior_approval.not_transfer": {
        "ja": "知的財産権の移転ではないため、日本版バイ・ドール制度に基づく移転の事前承認の対象ではありません。",
        "en": "Not a transfer of IP, so the prior approval of transfers under the Japanese Bayh-Dole regime does not apply.",
    },
    "prior_approval.exclusive_license": {
        "ja": "専用実施権等の設定は、日本版バイ・ドール制度の「移転等」に当たり、知的財産権の移転と同じく扱われます。",
        "en": "Granting an exclusive licence is a \"transfer etc.\" (移転等) under the Japanese Bayh-Dole regime and is judged like a transfer of the IP.",
    },
    "prior_approval.not_commissioned": {
        "ja": "国の委託研究開発の成果ではないため、日本版バイ・ドール制度に基づく事前承認は不要です。",
        "en": "The results do not come from commissioned R&D, so no prior approval under the Japanese Bayh-Dole regime is needed.",
    },
    "prior_approval.domestic_parent": {
        "ja": "国内の親会社（{counterparty}）への移転のため、日本版バイ・ドール制度に基づく国の事前承認は不要です。",
        "en": "A transfer to the contractor's parent in Japan ({counterparty}): no prior approval under the Japanese Bayh-Dole regime is needed.",
    },
    "prior_approval.domestic_subsidiary": {
        "ja": "国内の子会社（{counterparty}）への移転のため、日本版バイ・ドール制度に基づく国の事前承認は不要です。",
        "en": "A transfer to the contractor's subsidiary in Japan ({counterparty}): no prior approval under the Japanese Bayh-Dole regime is needed.",
    },
    "prior_approval.foreign_parent": {
        "ja": "日本国外に存する親会社（{counterparty}、{country}）への移転のため、委託者への事前連絡と国の事前承認が必要です。実施予定日までに承認を受けられるよう申請してください（本プログラムの目安：{request_by}までに申請）。",
        "en": "A transfer to the contractor's parent outside Japan ({counterparty}, {country}): prior notice to and approval by the state are required. Apply so that approval is granted by the planned date (this programme's target: apply by {request_by}).",
    },
    "prior_approval.foreign_subsidiary": {
        "ja": "日本国外に存する子会社（{counterparty}、{country}）への移転のため、委託者への事前連絡と国の事前承認が必要です。実施予定日までに承認を受けられるよう申請してください（本プログラムの目安：{request_by}までに申請）。",
        "en": "A transfer to the contractor's subsidiary outside Japan ({counterparty}, {country}): prior notice to and approval by the state are required. Apply so that approval is granted by the planned date (this programme's target: apply by {request_by}).",
    },
    "prior_approval.third_party": {
        "ja": "子会社又は親会社以外の者（{counterparty}）への移転のため、日本版バイ・ドール制度に基づき、あらかじめ国の承認を受ける必要があります。実施予定日までに承認を受けられるよう申請してください（本プログラムの目安：{request_by}までに申請）。",
        "en": "A transfer to a party other than the contractor's parent or subsidiary ({counterparty}): the state's prior approval under the Japanese Bayh-Dole regime is required. Apply so that approval is granted by the planned date (this programme's target: apply by {request_by}).",
    },
    "prior_approval.unnamed": {
        "ja": "移転先が示されていないため、日本版バイ・ドール制度に基づき、あらかじめ国の承認を受ける必要があるものとして扱います。実施予定日までに承認を受けられるよう申請してください（本プログラムの目安：{request_by}までに申請）。",
        "en": "No transferee is given, so the transfer is treated as needing the state's prior approval under the Japanese Bayh-Dole regime. Apply so that approval is granted by the planned date (this programme's target: apply by {request_by}).",
    },
}


def reason(code: str, **params: object) -> Reason:
    """A reason for ``code``; an unknown code fails here rather than when it is shown."""
    if code not in CATALOGUE:
        raise KeyError(f"reason code {code!r} is not in the catalogue")
    return Reason(code=code, params={k: str(v) for k, v in params.items()})


# Parameters that hold a date or a country code, shown in words in the reader's language (DOMAIN.md §11 [r2]);
# the codes stay as they are in the API's `params`.
_DATE_PARAMS = frozenset({"planned_date", "obligation_period_end", "consult_by", "as_of", "request_by"})


def _in_words(key: str, value: str, lang: Lang) -> str:
    if key in _DATE_PARAMS:
        try:
            return day_in_words(value, lang)
        except ValueError:
            return value
    if key == "country":
        return country_in_words(value, lang)
    if key == "list":
        return LIST_NAMES.get(value, {}).get(lang, value)
    return value


# The screening lists by name (DOMAIN.md §12 [r2]).
LIST_NAMES: dict[str, dict[Lang, str]] = {
    "eul": {"ja": "経済産業省の外国ユーザーリスト", "en": "METI's End User List"},
    "csl": {"ja": "米国の統合スクリーニングリスト（Consolidated Screening List）", "en": "the US Consolidated Screening List"},
}


def render(reasons: list[Reason], lang: Lang) -> list[str]:
    """One line per reason, in ``lang``."""
    return [CATALOGUE[r.code][lang].format(**{k: _in_words(k, v, lang) for k, v in r.params.items()})
            for r in reasons]
