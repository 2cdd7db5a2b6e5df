"""Screening: the contraindication rules as data (``rules``) and the pure engine that
judges answers against them (``engine``). No database; every other wing may use it."""
