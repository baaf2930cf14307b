"""Quality of the tag stage, measured on open data it was not written from.

Every set is split once, by a hash of each record's id (:mod:`pipeline.evaluation.splits`), into a
development part (its errors may be read and rules written from them) and a test part (only
scored). ``python -m pipeline eval`` prints both parts and the gap; ``eval/baseline.json`` holds the
test-part floors that the tests enforce (:mod:`pipeline.evaluation.gate`).
"""
