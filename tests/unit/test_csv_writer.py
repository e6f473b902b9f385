"""The CSV writer: a BOM, CRLF records, RFC 4180 quoting, inert formula cells, numbers left as numbers; and the
words of the exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from service.exports import csv_writer
from service.exports.csv_writer import cell, encode, guard
from service.exports.words import Words


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1", "－1"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert guard(text) == "'" + text
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Acme", "1+1", " =x", "a=b", "'quoted", "", "株式会社＝"])
def test_other_text_stays_as_it_is(text: str) -> None:
    assert guard(text) == text


def test_numbers_stay_numbers_and_days_are_iso() -> None:
    assert cell(-5) == -5 and cell(0) == 0 and cell(Decimal("-33.33")) == Decimal("-33.33")
    assert cell(date(2026, 4, 1)) == "2026-04-01"
    assert cell(datetime(2026, 4, 1, 0, 0, 0, 123456, tzinfo=UTC)) == "2026-04-01T00:00:00+00:00"
    assert cell(None) == ""
    with pytest.raises(TypeError):
        cell(True)  # a yes/no is a word in the reader's language
    with pytest.raises(TypeError):
        cell(0.1)


def test_the_file_has_a_bom_crlf_records_and_reads_back() -> None:
    rows = [["-5", -5, "line 1\nline 2", 'say "hi", twice'], [None, Decimal("33.33"), "=x", "日本語"]]
    data = b"".join(encode(["見出し", "b", "c", "d"], rows))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("見出し,b,c,d\r\n") and text.endswith("\r\n")
    assert "'-5,-5," in text  # the text "-5" is quoted, the number -5 is not
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["見出し", "b", "c", "d"], ["'-5", "-5", "line 1\nline 2", 'say "hi", twice'], ["", "33.33", "'=x", "日本語"]]


def test_an_empty_list_is_its_header_and_a_long_one_comes_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert b"".join(encode(["a", "b"], [])) == "\ufeffa,b\r\n".encode()
    monkeypatch.setattr(csv_writer, "CHUNK", 100)
    chunks = list(encode(["a"], ([f"row {i}"] for i in range(100))))
    assert len(chunks) > 5 and all(len(c) < 200 for c in chunks)
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 101


def test_words_say_codes_subjects_actions_and_messages_in_the_readers_language() -> None:
    ja, en = Words("ja"), Words("en")
    assert (ja.code("under_review"), en.code("under_review")) == ("審査中", "under review")
    assert ja.code("not-a-code") == "not-a-code" and ja.code(None) == ""
    assert (ja.yes_no(True), en.yes_no(False), ja.yes_no(None)) == ("はい", "no", "")
    plan = {"type": "ip_action.planned", "action": "transfer", "counterparty": "X Corp", "planned_date": "2026-12-01",
            "summary": None, "occurred_on": date(2026, 4, 1)}
    assert ja.subject("evt_1", plan) == "（i）知的財産権等の移転・X Corp（予定 2026-12-01）"
    assert en.subject("evt_2", {**plan, "type": "incident.reported", "summary": "USB stick lost"}) == "USB stick lost"
    assert en.subject("evt_3", {**plan, "type": "supplier.engaged"}) == "supplier engaged (2026-04-01)"
    assert (ja.subject("evt_4", None), ja.subject("item-7", None)) == ("", "item-7")
    assert ja.audit_action("consultation.conclude") == "事前相談の結論を通知"
    assert ja.audit_action("event.shareholding.declared") == "報告：契約時の報告"
    assert en.audit_action("effect.deadline_set") == "Result: deadline set"
    assert ja.audit_action("deadline.overdue") == "期限の状態：期限超過"
    assert ja.audit_action("consultation.review_clock.overdue") == "審査期限：超過"
    assert ja.audit_action("something.new") == "something.new"
    assert (ja.rung("reminder-7"), en.rung("escalation-14"), ja.rung("due")) == (
        "期日の7日前のお知らせ", "Overdue notice 14 days after", "期日のお知らせ")
