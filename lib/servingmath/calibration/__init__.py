"""The roofline calibrated on the shipped measurements (chapter 12): the fit, apart from its validation.

``efficiency`` holds the record and the H100's fitted constants (no NumPy: the planner reads
them); ``fit`` computes them from the measurements. ``analysis.reality_check`` tests the
calibrated model against the decode grid and public numbers.
"""

from .efficiency import IDEAL, MEASURED, Efficiency

__all__ = ["IDEAL", "MEASURED", "Efficiency"]
