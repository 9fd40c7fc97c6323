"""Benchmarks (`make bench`): scale data on PostgreSQL and the response times the issues set targets for."""
