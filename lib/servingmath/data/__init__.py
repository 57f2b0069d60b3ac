"""Measured data and published numbers, each with its source (the H100 runs, public serving results)."""
