"""Published prefill : decode allocations and Mooncake's P/D-ratio experiment (chapter 10), each with its source.

``cite`` is the paper's key in ``book/references.bib``; ``setup`` says which of its configurations
the numbers are from.
"""

from ..core.hardware import A800

#: Mooncake's P/D-ratio experiment (Qin et al., FAST'25, section 5.5), ``cite`` "mooncake".
MOONCAKE = {
    "chip": A800,           # the cluster's GPUs: NVIDIA A800 (80 GB)
    "nodes": 16,            # 16 nodes ...
    "gpus_per_node": 8,     # ... of 8 A800s each
    "prompt": 15325,        # the synthetic workload's average prompt, tokens (a LLaMA3-70B-shaped model)
    "decode": 149,          # its average output, tokens
    "ttft": 10.0,           # the TTFT limit, seconds
    "tpot": 0.100,          # the TBT (time between tokens) limit, seconds
    "best_ratio": (1, 1),   # prefill : decode nodes that served the most requests within both limits
    "cite": "mooncake",
}

#: Published prefill : decode allocations: the counts, and the unit they count.
REPORTED = (
    {"system": "Splitwise", "cite": "splitwise", "setup": "simulator, coding, DGX-H100",
     "prefill": 23, "decode": 10, "unit": "8-GPU machines"},
    {"system": "Splitwise", "cite": "splitwise", "setup": "simulator, chat, DGX-H100",
     "prefill": 25, "decode": 15, "unit": "8-GPU machines"},
    {"system": "DistServe", "cite": "distserve", "setup": "artifact, OPT-13B, A100",
     "prefill": 2, "decode": 1, "unit": "GPUs"},
    {"system": "DistServe", "cite": "distserve", "setup": "artifact, OPT-66B, A100",
     "prefill": 4, "decode": 4, "unit": "GPUs"},
    {"system": "DistServe", "cite": "distserve", "setup": "artifact, OPT-175B, A100",
     "prefill": 9, "decode": 12, "unit": "GPUs"},
    {"system": "Mooncake", "cite": "mooncake", "setup": "70B-shaped, A800, 15k prompts",
     "prefill": MOONCAKE["best_ratio"][0], "decode": MOONCAKE["best_ratio"][1], "unit": "8-GPU nodes"},
)
