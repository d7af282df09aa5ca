"""Geography of the map: which countries the served world topojson can draw."""
