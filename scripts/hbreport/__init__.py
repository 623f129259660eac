"""Reading httpsbench reports: figures and an HTML page, comparisons of two
reports, and exports to other tools' formats.

Run through scripts/report, scripts/compare and scripts/export (or
`httpsbench report|compare|export`), which pick an interpreter that has
Debian's python3-jsonschema (and python3-matplotlib for figures).
"""
