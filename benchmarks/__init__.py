"""Benchmarks: scripts that print the figures the issues name; not part of make test."""
