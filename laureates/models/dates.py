"""Calendar arithmetic that consents, searches and placements share."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
