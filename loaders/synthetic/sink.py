"""Streaming CSV (and XLSX) writers that plant malformed and duplicate rows and log them."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.sax.saxutils import escape

from graph.ids import USCC_CHARSET
from loaders.synthetic.spec import FileSpec
from loaders.synthetic.vocab import BAD_AMOUNTS, BAD_DATES, UNKNOWN_VALUES

DEFECT_RATE = 0.0075  # malformed rows per valid row
DUPLICATE_RATE = 0.0012  # exact duplicates per valid row
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_BATCH = 2048  # rows joined per write


class Truth:
    """What the generator planted: row counts, malformed rows and duplicates, per file."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.bad_rows: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []


def _wrong_char(good: str, alphabet: str, rng: random.Random) -> str:
    choices = alphabet.replace(good, "")
    return choices[int(rng.random() * len(choices))]


class Sink:
    """One source file: ``write`` a valid row and get its row number (header = row 1).

    Rows are joined with commas and CRLF as the samples are: no generated value contains a
    comma, a quote or a line break (the vocabulary tests check), so nothing needs quoting.

    Between valid rows it plants, at random, a malformed row (a fresh row from ``spare`` with
    one defect, cycling through the format's defects) or an exact copy of an earlier row.
    """

    def __init__(
        self,
        out_dir: Path,
        spec: FileSpec,
        rng: random.Random,
        truth: Truth,
        spare: Callable[[], list[str]],
        xlsx: bool = False,
    ) -> None:
        self.spec, self.rng, self.truth, self.spare = spec, rng, truth, spare
        self._index = {name: i for i, name in enumerate(spec.header)}
        self._fh = open(  # noqa: SIM115 - closed in close()
            out_dir / spec.name, "w", encoding=spec.encoding, newline="", buffering=1 << 20
        )
        self._lines: list[str] = []  # joined rows not yet written
        self._flush_due = _BATCH
        self._sheet = XlsxSheet(out_dir / xlsx_name(spec), len(spec.header)) if xlsx else None
        self.rows = 0  # data rows so far
        self._turn = rng.randrange(len(spec.defects))
        self._planted: set[str] = set()
        self._dup: tuple[list[str], int] | None = None
        self._dup_due = self._dup_next = 1  # the first row is copied a little later
        self._defect_due = self._gap(DEFECT_RATE)
        self._next = 1
        self._emit(list(spec.header))

    def __enter__(self) -> Sink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(finish=kind is None)

    def _gap(self, rate: float) -> int:
        return self.rows + 1 + int(self.rng.expovariate(rate))

    def _emit(self, row: list[str]) -> None:
        self._lines.append(",".join(row))
        if self._sheet is not None:
            self._sheet.append(row)

    def _flush(self) -> None:
        if self._lines:
            self._lines.append("")
            self._fh.write("\r\n".join(self._lines))
            self._lines.clear()
        self._flush_due = self.rows + _BATCH

    def _raw(self, row: list[str]) -> int:
        self.rows += 1
        self._emit(row)
        return self.rows + 1

    def write(self, row: list[str]) -> int:
        """Write a valid row; return its row number (the first data row is row 2)."""
        self.rows += 1
        self._lines.append(",".join(row))
        if self._sheet is not None:
            self._sheet.append(row)
        number = self.rows + 1
        if self.rows >= self._next:
            self._tick(row, number)
        return number

    def _tick(self, row: list[str], number: int) -> None:
        if self.rows >= self._flush_due:
            self._flush()
        if self._dup is not None and self.rows >= self._dup_due:
            self._duplicate(*self._dup)
            self._dup = None
        if self.rows >= self._defect_due:
            self.plant(self.spec.defects[self._turn % len(self.spec.defects)])
            self._turn += 1
            self._defect_due = self._gap(DEFECT_RATE)
        if self._dup is None and self.rows >= self._dup_next:
            self._dup = (row, number)
            self._dup_due = self.rows + 1 + int(self.rng.random() * 40)
            self._dup_next = self._gap(DUPLICATE_RATE)
        dup = self._dup_due if self._dup else self._dup_next
        self._next = min(self._defect_due, dup, self._flush_due)

    def _duplicate(self, row: list[str], number: int) -> None:
        at = self._raw(row)
        self.truth.duplicates.append({"file": self.spec.name, "row": at, "duplicate_of": number})

    def plant(self, defect_field: tuple[str, str]) -> None:
        """Write a fresh spare row carrying one defect and record it."""
        defect, name = defect_field
        row = self.spare()
        name = self._corrupt(row, defect, name)
        at = self._raw(row)
        self._planted.add(defect)
        entry = {"file": self.spec.name, "row": at, "field": name, "defect": defect}
        self.truth.bad_rows.append(entry)

    def _corrupt(self, row: list[str], defect: str, name: str) -> str:
        rng, index = self.rng, self._index
        if defect == "bad_check_digit":
            fields = [name, *(f for f in self.spec.codes if f != name)]
            name = next(f for f in fields if row[index[f]] and "*" not in row[index[f]])
            value = row[index[name]]
            kind = self.spec.codes[name]
            if kind == "by_type_column":
                is_id = row[index[self.spec.type_column]] == "居民身份证"
                kind = "citizen_id" if is_id else "uscc"
            alphabet = "0123456789X" if kind == "citizen_id" else USCC_CHARSET
            row[index[name]] = value[:17] + _wrong_char(value[17], alphabet, rng)
        elif defect == "missing_required":
            row[index[name]] = ""
        elif defect == "bad_date":
            row[index[name]] = BAD_DATES[int(rng.random() * len(BAD_DATES))]
        elif defect == "bad_amount":
            row[index[name]] = BAD_AMOUNTS[int(rng.random() * len(BAD_AMOUNTS))]
        else:
            row[index[name]] = UNKNOWN_VALUES[name]
        return name

    def close(self, finish: bool = True) -> int:
        """Plant any defect kind not yet seen and one duplicate at least; return the row count."""
        if finish:
            if self._dup is not None:
                self._duplicate(*self._dup)
            for defect_field in self.spec.defects:
                if defect_field[0] not in self._planted:
                    self.plant(defect_field)
        self._flush()
        self._fh.close()
        if self._sheet is not None:
            self._sheet.close()
        self.truth.counts[self.spec.name] = self.rows
        return self.rows


def xlsx_name(spec: FileSpec) -> str:
    """The XLSX twin of a CSV file name."""
    return spec.name.rsplit(".", 1)[0] + ".xlsx"


_NS = "http://schemas.openxmlformats.org/"
_SHEET_NS = _NS + "spreadsheetml/2006/main"
_REL_NS = _NS + "package/2006/relationships"
_DOC_REL = _NS + "officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STATIC = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_NS}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_REL_NS}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_SHEET_NS}" xmlns:r="{_DOC_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_SHEET_NS}"><fonts count="1"><font><sz val="11"/>'
        '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill '
        'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
        'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
        'builtinId="0"/></cellStyles></styleSheet>'
    ),
}


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        name = chr(65 + rest) + name
    return name


class XlsxSheet:
    """A one-sheet XLSX written as a stream (text cells only; fixed zip times, so reproducible)."""

    def __init__(self, path: Path, width: int) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        for name, body in _STATIC.items():
            self._zip.writestr(self._info(name), _XML + body)
        self._stream = self._zip.open(self._info("xl/worksheets/sheet1.xml"), "w", force_zip64=True)
        self._cols = [_column(i) for i in range(width)]
        self._chunks: list[str] = [_XML, f'<worksheet xmlns="{_SHEET_NS}"><sheetData>']
        self._row = 0

    @staticmethod
    def _info(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, _ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def append(self, row: list[str]) -> None:
        """Add one row of text cells (empty cells are left out)."""
        self._row += 1
        r = str(self._row)
        cells = "".join(
            f'<c r="{col}{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for col, value in zip(self._cols, row, strict=True)
            if value
        )
        self._chunks.append(f'<row r="{r}">{cells}</row>')
        if len(self._chunks) >= 2000:
            self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._chunks).encode("utf-8"))
        self._chunks.clear()

    def close(self) -> None:
        """Finish the sheet and the archive."""
        self._chunks.append("</sheetData></worksheet>")
        self._flush()
        self._stream.close()
        self._zip.close()
