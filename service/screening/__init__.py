"""Screening parties against METI's End User List and the US Consolidated Screening List (issue 13)."""
