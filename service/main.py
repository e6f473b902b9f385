"""The FastAPI application: routers, problem+json errors, health, and the process-wide resources."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from service import openapi_examples, problems
from service.approvals.router import router as approvals_router
from service.attachments.router import router as attachments_router
from service.auth.oidc import OidcClient
from service.auth.tokens import TokenVerifier
from service.config import Settings, get_settings
from service.consultations.router import router as consultations_router
from service.contracts.router import router as contracts_router
from service.db import engine_for, utcnow
from service.deps import AppContext
from service.determinations.router import router as determinations_router
from service.documents.router import router as documents_router
from service.events.router import router as events_router
from service.exports.router import router as exports_router
from service.notices.router import router as notices_router
from service.notifications.addresses import Resolver, system_resolver
from service.notifications.calendar import redact_access_log
from service.notifications.router import router as notifications_router
from service.obligations.router import router as obligations_router
from service.organisations.router import router as organisations_router
from service.people.router import router as people_router
from service.probes import Health, Readiness
from service.programmes.router import router as programmes_router
from service.relay import Relay
from service.research.router import router as research_router
from service.screening.router import router as screening_router
from service.security_headers import SecurityHeaders
from service.temporal_link import TemporalLink
from service.unicode_guard import LoneSurrogateGuard
from service.web import admin_pages
from service.web import errors as page_errors
from service.web.api_docs import router as api_docs_router
from service.web.attachment_pages import router as attachment_pages_router
from service.web.declaration_pages import router as declaration_pages_router
from service.web.documents import router as page_documents_router
from service.web.exports import router as page_exports_router
from service.web.home import router as home_router
from service.web.institution_review_pages import router as institution_review_pages_router
from service.web.lists import router as lists_router
from service.web.ministry_pages import router as ministry_router
from service.web.oversight_pages import router as oversight_pages_router
from service.web.pages import router as pages_router
from service.web.preferences import router as preferences_router
from service.web.report_pages import router as report_pages_router
from service.web.research_pages import router as research_pages_router
from service.web.review_pages import router as review_pages_router
from service.web.screening_pages import router as screening_pages_router
from service.web.subscription_pages import router as subscription_pages_router

log = logging.getLogger("tlc.api")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, run_relay: bool = True,
               now: Callable[[], datetime] | None = None, bind: Engine | Connection | None = None,
               resolver: Resolver | None = None) -> FastAPI:
    """The application; it runs the outbox relay unless `run_relay` (tests) or settings.relay_in_api is off
    (`tlc relay` delivers instead); `bind` (tests) is where its sessions write, when not the engine itself; `resolver`
    (tests) resolves webhook hosts instead of the system's getaddrinfo."""
    settings = settings or get_settings()
    engine = engine or engine_for(settings)
    temporal = TemporalLink(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        relay = None
        if run_relay and settings.relay_in_api:
            relay = _start_relay(app, engine, temporal, settings)
        try:
            yield
        finally:
            if relay is not None:
                await relay.stop()

    app = FastAPI(title="tlc — technology-leakage compliance", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # tlc's own /docs and /redoc, no CDN (service/web/api_docs.py)
                  description="Tracks the technology-leakage obligations of Japan's state-funded R&D "
                              "contracts for the contract term plus three years.")
    app.state.ctx = AppContext(settings=settings, engine=engine, verifier=TokenVerifier(settings),
                               temporal=temporal, relay_poke=lambda: None, now=now or utcnow, bind=bind,
                               oidc=OidcClient(settings) if settings.oidc_issuer else None,
                               resolver=resolver or system_resolver)
    problems.install(app)
    openapi_examples.install(app)
    redact_access_log()
    page_errors.install(app)
    app.add_middleware(LoneSurrogateGuard)
    app.add_middleware(SecurityHeaders, https=settings.cookie_secure)
    app.mount("/inbox/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static")
    _install_metrics(app)
    for router in (
        determinations_router, organisations_router, programmes_router, contracts_router, obligations_router,
        events_router, consultations_router, attachments_router, notices_router, approvals_router,
        notifications_router, people_router, documents_router, screening_router, research_router,
        exports_router,
        # the pages (the CSV downloads' `.csv` paths first, ahead of any `{id}` page route)
        page_exports_router,
        home_router,
        lists_router,
        ministry_router,
        preferences_router,
        admin_pages.contracts_router,  # before pages_router, whose /inbox/contracts/{id} would take "new"
        admin_pages.router,
        screening_pages_router,
        oversight_pages_router,
        institution_review_pages_router,
        declaration_pages_router,  # before research_pages_router, whose /inbox/researchers/{id} would take "new"
        research_pages_router,
        review_pages_router,
        report_pages_router,
        attachment_pages_router,  # before pages_router, whose POST /inbox/cases/{id}/{action} would take "attachments"
        subscription_pages_router,
        pages_router,
        page_documents_router,
        api_docs_router,
    ):
        app.include_router(router)

    @app.get("/healthz", tags=["operations"], response_model=Health)
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    # Not a problem+json 503: a probe reads the same body in both cases (which of the two is unreachable).
    @app.get("/readyz", tags=["operations"], response_model=Readiness, responses={503: {
        "model": Readiness, "description": "The database or Temporal is unreachable (the body says which)"}})
    async def readyz() -> JSONResponse:
        """The database and Temporal are reachable."""
        db_ok = await asyncio.to_thread(_db_ok, engine)
        temporal_ok = await temporal.reachable()
        ok = db_ok and temporal_ok
        body = {"status": "ready" if ok else "not ready",
                "database": "ok" if db_ok else "unreachable",
                "temporal": "ok" if temporal_ok else "unreachable"}
        return JSONResponse(body, status_code=200 if ok else 503)

    return app


def _db_ok(engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


def _start_relay(app: FastAPI, engine, temporal: TemporalLink, settings: Settings) -> Relay:
    relay = Relay(engine, temporal, settings.temporal_task_queue, concurrency=settings.relay_concurrency)
    relay.start()
    app.state.ctx.relay_poke = relay.poke
    relay.poke()  # deliver whatever an earlier process left behind
    return relay


class _Measure:
    """Pure ASGI middleware counting requests and their latency by route template (the route is known once the
    router has run). Not `@app.middleware("http")`: that wraps every request in extra tasks and streams."""

    def __init__(self, app, *, requests: Counter, latency: Histogram):
        self.app, self.requests, self.latency = app, requests, latency

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


def _install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    requests = Counter("tlc_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=registry)
    latency = Histogram("tlc_http_request_seconds", "HTTP request latency", ["method", "route"], registry=registry)

    app.add_middleware(_Measure, requests=requests, latency=latency)

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}})
    def metrics() -> Response:
        """Request counts and latencies, in the Prometheus text format."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
