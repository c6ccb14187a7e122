"""Reading monthly returns: the safe path from uploaded bytes to a grid of cell values (see workbook.py)."""
