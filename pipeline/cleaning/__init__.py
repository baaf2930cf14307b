"""Turning a fetched page (HTML or plain text) into clean article text and metadata.

``extract`` wraps trafilatura with a time budget, ``boilerplate`` learns lines that a site repeats
across its articles, ``dates`` decides the publication and modification dates and where they came
from, ``normalise`` fixes Unicode and whitespace, ``quality`` measures extraction accuracy.
"""
