"""The article's claims as data: each stated number beside the article's own arithmetic, the exact value and the
datasheet chip's.

Also the source chapter's own errata. The chapters' numbers tables and the audit appendix
print them through ``servingmath.present``.
"""

from .claims import (ARTICLE_INPUTS, CONTEXT, DECODE, SOURCE_INPUTS, UNIT_SCALE, VERDICTS, JUDGED, Claim, Erratum, claims,
                     claims_for, source_errata, verdict_changes)

__all__ = ["ARTICLE_INPUTS", "CONTEXT", "DECODE", "SOURCE_INPUTS", "UNIT_SCALE", "VERDICTS", "JUDGED", "Claim", "Erratum",
           "claims", "claims_for", "source_errata", "verdict_changes"]
