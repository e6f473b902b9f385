# The tlc service image: one image, two processes (`tlc api` and `tlc worker`), pointed at PostgreSQL
# and a Temporal cluster by TLC_* settings. Migrate once per release with `tlc migrate`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY tlc ./tlc
COPY service ./service
COPY workflows ./workflows
COPY migrations ./migrations
COPY templates ./templates
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TLC_DATA_DIR=/var/lib/tlc TLC_TEMPLATES_DIR=/app/templates \
    TLC_DEV_LOGIN=false
COPY --from=build /install /usr/local
COPY templates /app/templates
RUN useradd --system --uid 10001 --home-dir /var/lib/tlc --create-home tlc
USER tlc
WORKDIR /app
EXPOSE 8000
ENTRYPOINT ["tlc"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
