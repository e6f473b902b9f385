"""The msgids of problems, read from the source (the calls that raise them), for the catalogue tests.

A problem's words are a msgid and its parameters (service.problems); this finds every msgid a raise in
service/** passes, so that a test can require each to be in both catalogues, and refuse an f-string where a
msgid belongs (its English would reach a reader of Japanese as it is).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The callable, and which of its arguments are msgids: positions, and keywords.
MSGID_ARGS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "Problem": ((1, 2), ()),
    "NotFound": ((0,), ()),
    "Forbidden": ((0,), ()),
    "Unauthorized": ((0,), ()),
    "Unavailable": ((0,), ()),
    "Conflict": ((0,), ("title",)),
    "BadRequest": ((0, 1), ()),
    "Invalid": ((1,), ("detail",)),
    "of": ((), ("detail",)),  # Invalid.of(errors, prefix, detail=...)
    "Rejected": ((1,), ()),
    "InvalidValue": ((0,), ()),
    "ListFileError": ((0,), ()),  # service.screening.formats: a list's file refused
    "InvalidToken": ((0,), ()),
    "KeySetUnavailable": ((0,), ()),
    "Msg": ((0,), ()),
    "officer_contract": ((3,), ()),
    "record": ((), ("conflict_detail",)),  # Recorder: the 409 of a race to the same id
    "_": ((0,), ()),
}
# Functions that return a problem's msgid (a rule saying why not), which a raise then passes on.
RETURN_MSGIDS = ("notice_refusal",)
F_STRING = "<f-string>"
# Where `_()` marks msgids of problems (elsewhere it may mark page strings, which the page test covers).
MARKED = ("service/problems.py", "service/problem_words.py")


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _assigned(tree: ast.Module) -> dict[str, list[ast.expr]]:
    """Every value assigned to a name anywhere in the module (module constants, a function's local choice)."""
    out: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # defaults: `conflict_detail: str = "..."`
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True):
                out.setdefault(arg.arg, []).append(default)
            for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                if default is not None:
                    out.setdefault(arg.arg, []).append(default)
    return out


def _strings(node: ast.expr, assigned: dict[str, list[ast.expr]], where: str, seen: frozenset[str] = frozenset()
             ) -> Iterator[tuple[str, str]]:
    """(msgid, where) for each string `node` may be; (F_STRING, where) for a message made of prose."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value:  # "": a parameter's default, no message
            yield node.value, where
    elif isinstance(node, ast.JoinedStr):
        yield F_STRING, where
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body, assigned, where, seen)
        yield from _strings(node.orelse, assigned, where, seen)
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id not in seen:
        for value in assigned.get(node.value.id, []):  # MEASURE_NOT_IMPOSED[measure]: the dict's values
            if isinstance(value, ast.Dict):
                for v in value.values:
                    yield from _strings(v, assigned, where, seen | {node.value.id})
    elif isinstance(node, ast.Name) and node.id not in seen:
        for value in assigned.get(node.id, []):
            yield from _strings(value, assigned, where, seen | {node.id})


def problem_msgids() -> dict[str, str]:
    """msgid -> where it is first used; the key F_STRING says where an f-string is passed instead."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "service").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned = _assigned(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in RETURN_MSGIDS:
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        for msgid, where in _strings(ret.value, assigned, f"{rel}:{ret.lineno}"):
                            found.setdefault(msgid, where)
            if not isinstance(node, ast.Call) or (name := _name(node.func)) not in MSGID_ARGS:
                continue
            if name == "_" and rel not in MARKED:
                continue
            positions, keywords = MSGID_ARGS[name]
            args = [node.args[i] for i in positions if i < len(node.args)]
            args += [k.value for k in node.keywords if k.arg in keywords]
            for arg in args:
                for msgid, where in _strings(arg, assigned, f"{rel}:{node.lineno}"):
                    found.setdefault(msgid, where)
    return found
