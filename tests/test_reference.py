"""mcdl.reference: the live reference table of chapter 11 and the printable cheat sheet."""
import re
import subprocess
import sys

import pytest

from mcdl import identities
from mcdl.reference import ReferenceRow, chain_rules, cheatsheet, notation, reference_table, shape_icon


def test_every_derivative_of_the_registry_is_a_verified_row():
    table = reference_table(seed=0)
    assert len(table.rows) == sum(len(i.derivatives) for i in identities.IDENTITIES)
    assert table.worst < 1e-6 and all(r.error < 1e-6 for r in table.rows)
    names = [r.name for r in table.rows]
    for wanted in ("chain-single", "chain-total", "chain-vector", "affine", "relu-broadcast", "activation",
                   "mse-loss"):
        assert wanted in names
    page = table._repr_html_()
    assert page.count("<svg") == len(table.rows) and page.count("<tr>") == len(table.rows) + 1
    assert r"\frac{\partial C}{\partial \mathbf{w}}" in page         # each function's own name on the left
    assert "0x" not in page and "nan" not in page.lower()


def test_verified_is_a_power_of_ten_bound():
    row = ReferenceRow("x", "", (), "", "", "", "row", 3.2e-11)
    assert row.verified == "≤ 1e-10"
    assert ReferenceRow("x", "", (), "", "", "", "row", 0.0).verified == "exact"
    assert ReferenceRow("x", "", (), "", "", "", "row", 1e-12).verified == "≤ 1e-12"


def test_shape_icons_are_drawn_to_shape():
    sizes = {s: tuple(int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', shape_icon(s)).groups())
             for s in identities.SHAPES}
    assert sizes["diagonal"] == sizes["matrix"] and sizes["column"][0] < sizes["column"][1]
    assert sizes["row"][0] > sizes["row"][1] and sizes["scalar"][0] == sizes["scalar"][1] < sizes["matrix"][0]
    assert "<line" in shape_icon("diagonal") and "<line" not in shape_icon("matrix")


def test_chain_rule_and_notation_tables_keep_their_bars_out_of_the_maths():
    for table in (chain_rules(), notation()):
        for line in table._repr_markdown_().splitlines()[2:]:
            cells = [c for c in line.split(" | ")]
            assert len(cells) == len(table.header), line          # no stray | breaks a row


def test_the_cheat_sheet_is_two_printable_pages(tmp_path):
    paths = cheatsheet(tmp_path / "sheet")
    pdf = paths["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 2
    for k in (1, 2):
        assert paths[f"png{k}"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = paths["html"].read_text(encoding="utf-8")
    assert 'src="cheatsheet-1.png"' in page and 'src="cheatsheet-2.png"' in page


def test_the_cheatsheet_command(tmp_path):
    out = tmp_path / "cs"
    done = subprocess.run([sys.executable, "-m", "mcdl", "cheatsheet", "--out", str(out)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "cheatsheet.pdf" in done.stdout and (out / "cheatsheet.pdf").exists()
