# control-room in a container: the wheel built in a first stage, installed in a slim image,
# run as a non-root user with the journal in the /data volume (docs/deploy.md).
#
#     docker build -t control-room .
#     docker run -d --name control-room -p 8000:8000 -v control-room-data:/data control-room
#     docker logs control-room          # the régie URL, with the operator token
#
# Another schedule: mount it and name it after the image (the arguments of `serve`):
#
#     docker run ... -v "$PWD/day.yaml:/srv/day.yaml:ro" control-room \
#         /srv/day.yaml --host 0.0.0.0 --data-dir /data/live --public-url https://regie.example.org
#
# Behind a reverse proxy on the host, the proxy reaches the container from the docker
# bridge, not from 127.0.0.1: add --forwarded-allow-ips with the bridge's gateway
# (172.17.0.1 by default). The health check speaks plain HTTP on port 8000: with
# --certfile, or another --port, give `docker run` a --health-cmd of its own.

FROM python:3.11-slim AS build
WORKDIR /src
# control_room/web is a symlink to ../web: both are copied, and the wheel holds the files.
COPY pyproject.toml README.md ./
COPY web ./web
COPY control_room ./control_room
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /tmp/wheels
RUN pip install /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && useradd --system --user-group --uid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin control-room \
    && mkdir -p /data \
    && chown control-room:control-room /data
COPY schedules /srv/schedules

USER control-room
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/-/health', timeout=2); sys.exit(0 if r.status == 200 else 1)"]

ENTRYPOINT ["control-room", "serve"]
CMD ["/srv/schedules/rnct-2026-07-07.yaml", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data/live"]
