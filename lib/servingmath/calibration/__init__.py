"""The roofline calibrated on the shipped measurements (chapter 12): the fit, apart from its validation.

``analysis.reality_check`` tests the calibrated model against the decode grid and public numbers.
"""

from .fit import IDEAL, Efficiency, h100_efficiency

__all__ = ["IDEAL", "Efficiency", "h100_efficiency"]
