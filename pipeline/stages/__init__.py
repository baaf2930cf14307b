"""Stages: pure transformations of envelopes, importable and testable without Kafka."""
