"""servingmath: the arithmetic of serving transformers, derived once in SymPy.

The library of the book "Serving LLaMA 3-70B", in layers that import one way (see the README):
``core`` (symbols, formulas, chips, models) < ``data`` < ``calibration`` < ``analysis`` < ``article``
< ``present`` < ``figures`` < ``widgets``; ``api``, ``cli``, ``notebook`` and ``answers`` are the edges.
"""

__version__ = "1.0.0"

from .answers import check  # noqa: E402
from .api import plan, plan_for_target  # noqa: E402
from .analysis.plan import ARTICLE_MODE, Plan  # noqa: E402
from .core import formulas, symbols  # noqa: E402
from .core.hardware import PRESETS as CHIPS, Chip, get_chip  # noqa: E402
from .core.models import PRESETS as MODELS, Model, get_model, load_model_file  # noqa: E402
from .core.precision import BYTES, bytes_per_element  # noqa: E402

__all__ = ["ARTICLE_MODE", "CHIPS", "Chip", "get_chip", "MODELS", "Model", "get_model", "load_model_file", "Plan", "plan",
           "plan_for_target", "BYTES", "bytes_per_element", "check", "formulas", "symbols", "__version__"]
