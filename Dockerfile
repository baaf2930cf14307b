# Image for every pipeline service (connectors, stages, sink, setup). One image, one command each.
# The base image is pinned to an exact release; pin it by digest too where your registry allows.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    NEWS_METRICS__PORT=9100
WORKDIR /app

# Dependencies in their own layer: it is rebuilt only when pyproject.toml or constraints.txt
# change, not on every code change. The project is installed once over empty packages to
# resolve them, then removed.
COPY pyproject.toml constraints.txt README.md LICENSE ./
RUN mkdir -p pipeline connectors \
    && touch pipeline/__init__.py connectors/__init__.py \
    && pip install -c constraints.txt . \
    && pip uninstall -y news-incidents \
    && rm -rf pipeline connectors build *.egg-info

# Optional: a statistical spaCy English model improves person/organisation recall of the tag
# stage. It is not on PyPI; build with --build-arg SPACY_MODEL_URL=<wheel URL from
# https://github.com/explosion/spacy-models/releases> to include it.
ARG SPACY_MODEL_URL=""
RUN if [ -n "$SPACY_MODEL_URL" ]; then pip install "$SPACY_MODEL_URL"; fi

COPY pipeline ./pipeline
COPY connectors ./connectors
COPY kibana ./kibana
RUN pip install --no-deps -c constraints.txt .

COPY demo ./demo
COPY eval ./eval

USER nobody
EXPOSE 9100
# Long-running services answer /healthz on NEWS_METRICS__PORT; one-shot jobs (setup,
# kibana-import) disable the check in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEWS_METRICS__PORT', '9100'), timeout=4)"]
ENTRYPOINT ["python", "-m", "pipeline"]
CMD ["--help"]
