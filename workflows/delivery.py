"""Sending one message from a workflow, as the contracts' and the review rounds' workflows both do: the
`<kind>.deliver` activity retried with back-off for a day, then `<kind>.give_up` marks it failed, visibly, in
its log. Called from workflow code (deterministic: activities only)."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.constants import (
    ACTIVITY_RETRY,
    ACTIVITY_TIMEOUT,
    DELIVERY_ATTEMPT,
    DELIVERY_GIVE_UP,
    DELIVERY_RETRY,
)


async def deliver_or_give_up(kind: str, message_id: str) -> None:
    """`kind` is the activities' prefix: "notify" (a contract's messages) or "research" (a review round's)."""
    try:
        await workflow.execute_activity(
            f"{kind}.deliver", message_id, start_to_close_timeout=DELIVERY_ATTEMPT,
            schedule_to_close_timeout=DELIVERY_GIVE_UP, retry_policy=DELIVERY_RETRY)
    except ActivityError as exc:
        await workflow.execute_activity(f"{kind}.give_up", args=[message_id, str(exc.cause or exc)],
                                        start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY)
