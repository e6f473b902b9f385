# The tlc service image: one image, two processes (`tlc api` and `tlc worker`), pointed at PostgreSQL
# and a Temporal cluster by TLC_* settings. Migrate once per release with `tlc migrate`.
# Both processes refuse to start (exit 2) until they are given a token key, so set at least:
#   TLC_JWT_JWKS_URL (the identity provider's keys) or TLC_JWT_SECRET (>= 32 random bytes),
#   TLC_DATABASE_URL=postgresql+psycopg://..., TLC_TEMPORAL_ADDRESS=host:7233,
#   TLC_PUBLIC_BASE_URL=https://... (cookies are Secure by default: serve the pages over HTTPS),
#   TLC_OIDC_ISSUER and TLC_OIDC_CLIENT_ID (+ _SECRET) for page sign-in.
# The development login is off by default, and TLC_DEV_LOGIN=true is refused.
# The pages', /docs' and /redoc's static files from npm (web/package-lock.json), as scripts/bootstrap builds them; no
# package scripts run (@scarf/scarf would report the install).
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund \
 && mkdir vendor \
 && cp node_modules/@digital-go-jp/design-tokens/dist/tokens.css vendor/dads-tokens.css \
 && cp node_modules/@digital-go-jp/design-tokens/LICENSE vendor/dads-tokens.LICENSE \
 && cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css vendor/ \
 && cp node_modules/swagger-ui-dist/LICENSE vendor/swagger-ui.LICENSE \
 && cp node_modules/redoc/bundles/redoc.standalone.js node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt vendor/ \
 && cp node_modules/redoc/LICENSE vendor/redoc.LICENSE

FROM python:3.11-slim AS build
# PyICU (the screening matcher's transliteration) is built against Debian's ICU.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libicu-dev pkg-config g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY tlc ./tlc
COPY service ./service
COPY --from=web /web/vendor ./service/web/static/vendor
COPY workflows ./workflows
COPY migrations ./migrations
COPY templates ./templates
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
# The PDF documents (WeasyPrint): Pango and HarfBuzz's subsetter lay out and embed the text, Noto CJK sets the
# Japanese; ICU is PyICU's (screening); nothing else (no recommends).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    libicu72 \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TLC_DATA_DIR=/var/lib/tlc TLC_TEMPLATES_DIR=/app/templates
COPY --from=build /install /usr/local
COPY templates /app/templates
RUN useradd --system --uid 10001 --home-dir /var/lib/tlc --create-home tlc
USER tlc
WORKDIR /app
EXPOSE 8000
ENTRYPOINT ["tlc"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
