"""Duplicate detection and story clustering.

``signatures`` turns text into a content hash and a MinHash, ``claims`` is the compact in-memory
table of LSH band keys, ``state`` the pluggable shared state (in memory, or Elasticsearch for
several workers), ``deduplicator`` the decision rules. The design is in docs/deduplication.md.
"""
