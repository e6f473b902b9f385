"""How activities do their work, where two kinds of workflow do it the same way: a long transaction that beats while
it runs (a re-screening batch), and one attempt at sending a message, counted in its log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import Engine
from temporalio import activity

from service.db import run_in_transaction
from service.notifications import delivery

# A batch beats this often while it works, so that a worker that dies in one is noticed within the workflow's
# heartbeat time-out (seconds), not its whole time-out (minutes), and the batch is run again elsewhere.
HEARTBEAT_EVERY = 2.0


async def beating(engine: Engine, work: Callable[..., Any], *args: Any) -> Any:
    """`work(session, *args)` in one transaction, in a thread, with a heartbeat every HEARTBEAT_EVERY seconds."""
    running = asyncio.ensure_future(asyncio.to_thread(run_in_transaction, engine, work, *args))
    while True:
        done, _ = await asyncio.wait({running}, timeout=HEARTBEAT_EVERY)
        if done:
            return running.result()
        activity.heartbeat()


async def send_and_record(engine: Engine, message_id: str, send: Callable[[], Awaitable[str]],
                          mark: Callable[..., None], log: logging.Logger) -> str:
    """One attempt: `send()` (answering the subject), then `mark(session, message_id, ...)` records it. What is
    recorded (and, once retries run out, what give_up records from the raised error) is what the reader of the
    log sees: DeliveryError's short reason, or a fixed text; the detail goes to the server log."""
    try:
        subject = await send()
    except delivery.DeliveryError as exc:
        await asyncio.to_thread(run_in_transaction, engine, mark, message_id, status=None, error=str(exc))
        raise
    except Exception as exc:
        log.exception("message %s not delivered", message_id)
        failure = delivery.DeliveryError("internal error", detail=f"{type(exc).__name__}: {exc}")
        await asyncio.to_thread(run_in_transaction, engine, mark, message_id, status=None, error=str(failure))
        raise failure from exc
    # A crash right here (sent, not yet recorded) makes Temporal retry: the message goes again with the same id,
    # which receivers use to drop the repeat (delivery.py).
    await asyncio.to_thread(run_in_transaction, engine, mark, message_id, status="sent", subject=subject)
    return "sent"
