"""servingmath: the arithmetic of serving dense transformers, derived once in SymPy.

The library of the book "Serving LLaMA 3-70B". Each formula is a SymPy expression in
``servingmath.formulas``; its numbers come from the same expression, lambdified.
"""

__version__ = "1.0.0"

from . import formulas, symbols  # noqa: E402
from .chips import PRESETS as CHIPS, Chip, get_chip  # noqa: E402
from .models import PRESETS as MODELS, Model, get_model, load_model_file  # noqa: E402
from .plan import Plan, plan  # noqa: E402
from .precision import BYTES, bytes_per_element  # noqa: E402
from .answers import check  # noqa: E402

__all__ = ["CHIPS", "Chip", "get_chip", "MODELS", "Model", "get_model", "load_model_file", "Plan", "plan",
           "BYTES", "bytes_per_element", "check", "formulas", "symbols", "__version__"]
