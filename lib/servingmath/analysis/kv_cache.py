"""The KV cache against the weights (chapter 02): over context, over batch, and where the caches outgrow the model."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from ..core import formulas as f
from ..core.checks import check_count
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from ..core.symbols import B, P, S, b_w, kv

LLAMA = MODELS["llama-3-70b"]
CONTEXTS = 2.0 ** np.arange(9, 18)   # 512 ... 131072 tokens
BATCHES = np.arange(1, 257)


@dataclass(frozen=True)
class KvMemory:
    """KV-cache bytes of ``batch`` sequences of ``context`` tokens, beside the weights, and the curves around them."""

    model: Model
    kv_dtype: str
    weights: str
    context: int
    batch: int
    kv_bytes_per_token: float
    sequence_bytes: float     # one sequence of ``context`` tokens
    cache_bytes: float        # ``batch`` such sequences
    weight_bytes: float
    crossover_batch: float    # sequences at ``context`` whose caches weigh as much as the weights
    contexts: np.ndarray      # the context axis, and the caches of ``batch`` sequences at each
    by_context: np.ndarray
    batches: np.ndarray       # the batch axis, and the caches of that many sequences of ``context``
    by_batch: np.ndarray


def kv_memory(model: Model = LLAMA, kv_dtype="int8", weights="int8", context=8192, batch=32) -> KvMemory:
    """KV bytes vs context (at ``batch``) and vs batch (at ``context``), with the weights' bytes."""
    context, batch = check_count("context", context), check_count("batch", batch)
    kvt = model.kv_bytes_per_token(kv_dtype)
    b = bytes_per_element(weights, "weights")
    return KvMemory(model=model, kv_dtype=kv_dtype, weights=weights, context=context, batch=batch,
                    kv_bytes_per_token=kvt, sequence_bytes=f.kv_bytes_per_sequence(S=context, kv=kvt),
                    cache_bytes=f.kv_cache_bytes(B=batch, S=context, kv=kvt),
                    weight_bytes=f.param_bytes(P=model.param_count, b_w=b),
                    crossover_batch=f.kv_crossover_batch(P=model.param_count, S=context, b_w=b, kv=kvt),
                    contexts=CONTEXTS, by_context=f.kv_cache_bytes(B=batch, S=CONTEXTS, kv=kvt),
                    batches=BATCHES, by_batch=f.kv_cache_bytes(B=BATCHES.astype(float), S=context, kv=kvt))


@lru_cache(maxsize=None)
def _crossover_context():
    """The context at which B sequences' caches weigh as much as the weights, solved in SymPy."""
    (context,) = sp.solve(sp.Eq(f.kv_cache_bytes.expr, f.param_bytes.expr), S)
    return sp.lambdify((B, P, b_w, kv), context, modules="math")


def crossover_context(model: Model, batch: int, dtype: str = "bf16") -> float:
    """Context at which ``batch`` sequences' KV caches weigh as much as the weights (both in ``dtype``)."""
    b = bytes_per_element(dtype)
    return float(_crossover_context()(batch, model.param_count, b, model.kv_bytes_per_token(dtype)))


@dataclass(frozen=True)
class KvFormat:
    """A model's KV bytes per token and per sequence of ``context`` tokens in one number format."""

    dtype: str
    context: int
    per_token: float
    per_sequence: float


def by_format(model: Model = LLAMA, context=8192, dtypes=SERVING_PRECISIONS) -> tuple:
    """The KV cache of ``model`` per token and per ``context``-token sequence in each of ``dtypes``."""
    context = check_count("context", context)
    per_token = {d: model.kv_bytes_per_token(d) for d in dtypes}
    return tuple(KvFormat(d, context, kv, f.kv_bytes_per_sequence(S=context, kv=kv)) for d, kv in per_token.items())
