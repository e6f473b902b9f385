"""Authentication of API callers: bearer JWTs, issued and verified by :mod:`service.auth.tokens`.

Only :mod:`service.auth.tokens` imports the JWT library (python-jose), so that it can be replaced
in one place; everything else uses :class:`~service.auth.tokens.Principal`,
:class:`~service.auth.tokens.TokenVerifier`, :func:`~service.auth.tokens.issue_token` and
:class:`~service.auth.tokens.InvalidToken`.
"""
