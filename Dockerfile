# Container image of outbound-scheduler: the operator on a slim Python 3.11, run as a
# non-root user, with dependencies pinned by requirements.lock (`make lock` regenerates it).
#   docker build -t outbound-scheduler:0.1.0 .
# The image's entrypoint is `outbound-scheduler run`; arguments go after it. Another
# command, e.g. the OCS simulator: --entrypoint outbound-scheduler IMAGE ocs-simulator.

ARG PYTHON_IMAGE=python:3.11-slim-trixie

# Build stage: a virtual environment with the pinned dependencies and the project.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/outbound-scheduler
ENV PATH=/opt/outbound-scheduler/bin:$PATH
WORKDIR /src

# The lock file alone first, so that a change to the code reuses this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-virtualenv --only-binary=:all: -r requirements.lock

# The project itself, without dependencies: the lock has pinned them all.
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN pip install --no-cache-dir --require-virtualenv --no-deps . \
    && pip check

# Runtime stage: the same base, the virtual environment, the OS zone database, no root.
FROM ${PYTHON_IMAGE}

# tzdata: the OS zone database, beside the tzdata Python package the operator depends on.
# Debian's security updates move its version, so it is not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*

# A numeric user, so that Kubernetes can check runAsNonRoot without resolving names.
RUN groupadd --system --gid 10001 outbound \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin outbound

COPY --from=build /opt/outbound-scheduler /opt/outbound-scheduler
ENV PATH=/opt/outbound-scheduler/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001:10001
# Kopf's liveness endpoint.
EXPOSE 8080
ENTRYPOINT ["outbound-scheduler", "run"]
CMD ["--liveness", "http://0.0.0.0:8080/healthz"]
