"""The bottom layer: symbols, ``Formula`` and every formula, number formats, input checks, chips, models.

Nothing here imports another layer of the library (nor matplotlib or ipywidgets).
"""
