"""English dates as in Britain and most of the world: "15 January 2027", "12/08/2026" for
12 August, a 24-hour clock. Django's "en" would write "Jan. 15, 2027" and "08/12/2026"."""

DATE_FORMAT = "j F Y"  # 15 January 2027
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 15 January 2027, 14:30
YEAR_MONTH_FORMAT = "F Y"  # January 2027
MONTH_DAY_FORMAT = "j F"  # 15 January
SHORT_DATE_FORMAT = "d/m/Y"  # 15/01/2027
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 15/01/2027 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 15/01/2027
    "%d/%m/%y",  # 15/01/27
    "%Y-%m-%d",  # 2027-01-15
    "%d %B %Y",  # 15 January 2027
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
