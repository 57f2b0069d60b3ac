"""Reference-list labels that read as author and year, "[Austin et al., 2025]", instead of pybtex's alpha
labels ("[Modelscalingjaxcontributors25]"); the entries themselves keep pybtex's "plain" formatting.

Registered as the pybtex formatting style ``authoryear``, the way sphinxcontrib-bibtex documents custom
styles; `_config.yml` selects it with ``bibtex_default_style``.
"""

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [self.label(entry) for entry in sorted_entries]
        repeated = Counter(labels)
        seen = Counter()
        for label in labels:        # "DeepSeek-AI, 2024a" and "2024b", in the order of the list
            seen[label] += 1
            yield label + (chr(ord("a") + seen[label] - 1) if repeated[label] > 1 else "")

    @staticmethod
    def label(entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        name = lambda person: " ".join(str(part) for part in person.rich_last_names)
        if len(people) == 1:
            who = name(people[0])
        elif len(people) == 2:
            who = f"{name(people[0])} and {name(people[1])}"
        else:
            who = f"{name(people[0])} et al."
        return f"{who}, {entry.fields['year']}"


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels


def setup(app):
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True}
