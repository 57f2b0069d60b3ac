"""Every string the book shows: units, tables, plan cards and fit messages (from analysis results)."""

from .tables import (chip_table, claims_table, errata_table, fit_message, flops_per_dollar, model_table, plan_json,
                     plan_table, step_ici_table, table)
from .units import duration, gb, gb_gib, kb_kib, ms, num

__all__ = ["chip_table", "claims_table", "errata_table", "fit_message", "flops_per_dollar", "model_table",
           "plan_json", "plan_table", "step_ici_table", "table", "duration", "gb", "gb_gib", "kb_kib", "ms", "num"]
