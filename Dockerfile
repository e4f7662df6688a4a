# Stormproof's own parts as one image, for users with Docker (compose.yaml runs it as the
# reference worker, the fake OpenAI-compatible LLM and the notification sink). The suites
# themselves run on the host and reach these through the published loopback ports.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY stormproof ./stormproof
COPY fixtures ./fixtures
COPY reference ./reference
COPY suites ./suites
RUN pip install --no-cache-dir . && mkdir -p /artifacts && chown nobody /artifacts
USER nobody
WORKDIR /artifacts
CMD ["stormproof-reference", "worker"]
