"""Benchmarks that print figures as `NAME VALUE UNIT` lines (`make bench`). Never run as tests."""
