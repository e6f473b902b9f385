"""Which programmes the ministry follows up (DOMAIN.md §3, source line 1696)."""

# Ministries follow up programmes supporting one institution with ¥1 billion a year or more.
FOLLOW_UP_THRESHOLD_JPY = 1_000_000_000

