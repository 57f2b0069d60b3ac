"""Domain results: one module per chapter's question, each returning dataclasses of numbers (never strings).

Functions here take ``Chip`` and ``Model`` records; names and files are turned into records at
the edges (``servingmath.api``, the CLI, the widgets).
"""
