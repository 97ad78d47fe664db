"""CSV and XLSX bodies produced row chunk by row chunk: memory does not grow with the rows."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from urllib.parse import quote

from culture_cloud.timeutil import to_local

Cell = str | int | float | None
Chunks = AsyncIterator[Sequence[Sequence[Cell]]]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_CHUNK_BYTES = 64 * 1024
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def local_time(moment: datetime | None) -> str | None:
    return None if moment is None else to_local(moment).strftime("%Y-%m-%d %H:%M:%S")


def day(value: date) -> str:
    return value.isoformat()


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def content_disposition(stem: str, ascii_stem: str, extension: str) -> str:
    """RFC 6266 / 5987: an ASCII fallback name, and the zh-CN name percent-encoded in UTF-8."""
    return (
        f'attachment; filename="{ascii_stem}.{extension}"; '
        f"filename*=UTF-8''{quote(f'{stem}.{extension}', safe='')}"
    )


async def csv_body(headers: Sequence[str], chunks: Chunks) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM (Excel on Chinese Windows reads the file as UTF-8 then); one body chunk
    per row chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    async for rows in chunks:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([[_safe(v) for v in row] for row in rows])
        yield buffer.getvalue().encode()


async def xlsx_body(sheet: str, headers: Sequence[str], chunks: Chunks) -> AsyncIterator[bytes]:
    """xlsxwriter in constant-memory mode flushes each finished row to a temporary file; the
    workbook is zipped into another temporary file, streamed, and deleted."""
    # Imported here, not at the top: xlsxwriter costs each server process ~2 MB of RSS
    # (issue #16) and only staff exports in XLSX need it.
    import xlsxwriter

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
        worksheet = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        for col, header in enumerate(headers):
            worksheet.write_string(0, col, header, bold)
        row_number = 1
        async for rows in chunks:
            for row in rows:
                for col, value in enumerate(row):
                    # write_string / write_number: never `write`, which turns "=..." into a formula.
                    if isinstance(value, str):
                        worksheet.write_string(row_number, col, value)
                    elif value is not None:
                        worksheet.write_number(row_number, col, value)
                row_number += 1
        await asyncio.to_thread(workbook.close)
        with open(path, "rb") as file:  # noqa: ASYNC230 - local temp file, short reads
            while block := file.read(FILE_CHUNK_BYTES):
                yield block
    finally:
        os.unlink(path)
