"""A streamed CSV download goes out in pieces of about 64 KB, not a socket write per row, and
is byte for byte the CSV ``csv_lines`` writes; it is still streamed (a long list is never held
whole)."""

import itertools

import pytest

from ocradmin.exports import STREAM_CHUNK_BYTES, export_response
from ocradmin.spreadsheets import csv_lines, formula_safe

COLUMNS = ["number", "name"]


def rows(n):
    return ((f"{i:04d}", f"=cmd|' /C calc'!A{i}") for i in range(n))


def test_a_long_csv_streams_in_pieces_of_about_64_kb():
    response = export_response(
        file_format="csv", name="list", columns=COLUMNS, rows=rows(20_000), title="List"
    )
    pieces = list(response.streaming_content)
    assert b"".join(pieces) == b"".join(csv_lines(COLUMNS, rows(20_000)))
    assert 5 < len(pieces) < 20_000 // 100
    assert all(STREAM_CHUNK_BYTES <= len(p) < STREAM_CHUNK_BYTES + 200 for p in pieces[:-1])
    assert b"'=cmd" in pieces[0]  # formula-safe as before


def test_the_rows_are_read_as_the_pieces_are_sent():
    taken = []

    def watched():
        for row in rows(20_000):
            taken.append(row)
            yield row

    response = export_response(
        file_format="csv", name="list", columns=COLUMNS, rows=watched(), title="List"
    )
    first = next(iter(response.streaming_content))
    assert len(first) >= STREAM_CHUNK_BYTES
    assert len(taken) < 5_000  # not the whole list


def test_a_short_csv_is_one_piece():
    response = export_response(
        file_format="csv", name="list", columns=COLUMNS, rows=rows(3), title="List"
    )
    assert len(list(itertools.islice(response.streaming_content, 5))) == 1


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
     (" =cmd", "' =cmd"), ("\t=cmd", "'\t=cmd"), ("\n@x", "'\n@x"), (-3, "'-3"),
     ("Smith", "Smith"), ("O'Brien", "O'Brien"), ("a=b", "a=b"), ("", ""), (None, ""),
     (12, "12"), ("  padded", "  padded")],
)  # fmt: skip
def test_every_cell_is_written_formula_safe(value, written):
    assert formula_safe(value) == written
