"""Numbers taken from regulations, each with its source article and effective date.

Nothing else in the project holds these numbers: compliance, reminders, forms and imports read them
from here. Local variants (marked L in ../shared/domain/rules-reference.md) are overridable through
settings.DANGJIAN_RULES.
"""
