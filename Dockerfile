# Image for every pipeline service (connectors, stages, sink, setup). One image, one command each.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY pipeline ./pipeline
COPY connectors ./connectors
RUN pip install -c constraints.txt .

# Optional: a statistical spaCy English model improves person/organisation recall of the tag
# stage. It is not on PyPI; build with --build-arg SPACY_MODEL_URL=<wheel URL from
# https://github.com/explosion/spacy-models/releases> to include it.
ARG SPACY_MODEL_URL=""
RUN if [ -n "$SPACY_MODEL_URL" ]; then pip install "$SPACY_MODEL_URL"; fi

COPY demo ./demo
COPY kibana ./kibana
COPY eval ./eval

USER nobody
ENTRYPOINT ["python", "-m", "pipeline"]
CMD ["--help"]
