"""Guild and timecard rules: scale minimums, overtime, meals, rest, 6th/7th day, DGA AD tables, classification."""

from prodlib.guild.validate import QUARANTINE_COLUMNS, validate_payroll

__all__ = ["QUARANTINE_COLUMNS", "validate_payroll"]
