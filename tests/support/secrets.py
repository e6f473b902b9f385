"""The one JWT secret of the test suite. Settings has no default secret (a shipped one is public), so every
fixture that builds Settings or starts `tlc api`/`tlc worker` names this one; it is long enough for the
startup checks (service/startup_checks.py) and is known to no deployment."""

TEST_JWT_SECRET = "tlc-test-suite-only-secret-7c1f0b2e9d4a45e8b6a3"
