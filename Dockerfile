# The registry's image, built from the package: a wheel (with the wheels of its pinned
# dependencies) in a build stage, installed into a slim Python image that runs as a user of its
# own. Build: `docker build -t article6 .`; run (docs/operations.md, "Containers"):
#   docker run --env-file /etc/article6/article6.env -p 127.0.0.1:8000:8000 article6
# The same image runs the hub (`article6 hub --host 0.0.0.0`) and the one-off commands
# (`article6 db upgrade`, `article6 keys rotate`, `article6 journal checkpoint` ...).

FROM python:3.11-slim-bookworm AS build
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ARTICLE6_ENVIRONMENT=production
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/article6 --create-home article6
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels article6 && rm -rf /wheels
USER article6
WORKDIR /var/lib/article6
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
CMD ["article6", "serve", "--host", "0.0.0.0", "--port", "8000"]
