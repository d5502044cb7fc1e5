"""Guild and timecard rules: scale minimums, overtime, meals, rest, 6th/7th day, DGA AD tables, classification."""

from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.guild.validate import validate_payroll

__all__ = ["QUARANTINE_COLUMNS", "validate_payroll"]
