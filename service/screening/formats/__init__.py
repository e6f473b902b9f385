"""Reading the screening lists from the files their publishers put out (issue 13): METI's End User List
(`eul`, an Excel workbook) and the US Consolidated Screening List (`csl`, CSV or JSON), each into
`ParsedList` of `ListEntry` (service.rules.screening.entries), whole or not at all.

    parse("eul", data, filename="20250929_eul.xlsx", progress=lambda done, total: ...)

A file that cannot be read raises `ListFileError`: a msgid of the catalogues with its parameters, and the row
and column it is about. Nothing is returned until the whole file has been read.
"""

from __future__ import annotations

from service.screening.formats import csl, eul
from service.screening.formats.base import EDITIONS, ListFileError, ParsedList, Progress

__all__ = ["EDITIONS", "ListFileError", "ParsedList", "parse"]

NO_SUCH_LIST = "There is no list '{source}'; the lists are {sources}."


def parse(source: str, data: bytes, *, filename: str = "", progress: Progress | None = None) -> ParsedList:
    """The list `source` ("eul" or "csl") as the file `data` gives it. `progress(done, total)` is called now and
    then (every ~1% of the rows, at most every 500) and at the end; `filename` only helps a reader that
    cannot tell from the content (neither needs it today)."""
    if source == "eul":
        return eul.parse(data, filename=filename, progress=progress)
    if source == "csl":
        return csl.parse(data, filename=filename, progress=progress)
    raise ListFileError(NO_SUCH_LIST, source=source, sources=["eul", "csl"])
