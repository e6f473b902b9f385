"""tlc: technology-leakage compliance service."""
