"""The file formats: CSV as Excel in France saves it, XLSX."""

import csv
import io
from collections.abc import Iterable, Sequence

import tablib
from import_export.formats import base_formats

from emergence.spreadsheets.cells import exports_in_french
from emergence.spreadsheets.limits import import_size_check


def decode(data: bytes | str) -> str:
    """Read UTF-8 (with or without a BOM), UTF-16 (Excel's « Texte Unicode »), falling back
    on Windows-1252 (older Excel)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    # UTF-16 without its BOM: every other byte of a Latin text is a zero.
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV file as :class:`CSV` exports one (a BOM, semicolons in French), written as
    ``rows`` come: for exports too big for a tablib dataset."""
    stream = io.BytesIO()
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    text.write("\ufeff")
    writer = csv.writer(text, delimiter=";" if exports_in_french() else ",")
    writer.writerow(headers)
    writer.writerows(rows)
    text.flush()
    return stream.getvalue()


def detect_delimiter(text: str) -> str:
    """Excel in France separates with semicolons; most other tools with commas."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class CSV(base_formats.CSV):
    """CSV that reads what Excel writes and writes what Excel reads, in France too."""

    # Read the raw bytes, so that the encoding is detected here and not assumed.
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        import_size_check(len(in_stream))
        text = decode(in_stream)
        return tablib.import_set(text, format="csv", delimiter=detect_delimiter(text))

    def export_data(self, dataset, **kwargs):
        # The BOM and semicolons make Excel in France open the file in columns, accents intact.
        delimiter = ";" if exports_in_french() else ","
        return "\ufeff" + dataset.export("csv", delimiter=delimiter)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        from io import BytesIO

        import openpyxl

        import_size_check(len(in_stream))
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        rows = book.active.iter_rows(values_only=True)
        headers = list(next(rows, []))
        while headers and headers[-1] is None:
            headers.pop()
        dataset = tablib.Dataset(headers=headers)
        width = len(headers)
        for row in rows:
            row = list(row[:width])
            dataset.append(row + [None] * (width - len(row)))
        return dataset

    def export_data(self, dataset, **kwargs):
        # A named sheet, a frozen header with a filter, dates and numbers as real cells.
        from io import BytesIO

        from emergence.xlsx import xlsx_workbook

        book = xlsx_workbook(title=dataset.title or "", headers=dataset.headers or [], rows=dataset)
        stream = BytesIO()
        book.save(stream)
        return stream.getvalue()


FORMATS = [CSV, XLSX]
