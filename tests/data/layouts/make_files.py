"""Writes the binary-encoded exports of this folder (UTF-16, cp1252): run it to recreate them.

The workbook is built by the tests themselves (openpyxl), so its typed cells are visible in the test.
"""

from pathlib import Path

HERE = Path(__file__).parent

UTF16 = (
    "Invoice Number\tInvoice Date\tAccount\tDescription\tAmount\r\n"
    "U-1\t2026-03-04\t3700-01\tCafé au lait\t12.50\r\n"
    "U-2\t2026-03-05\t3700-01\tCrème brûlée\t7.25\r\n"
)
EURO = (
    "Facture;Date;Compte;Libellé;Montant\r\n"
    "L-1;04/03/2026;5300-02;Étalonnage;1.234,56 €\r\n"
    "L-2;25/03/2026;5300-02;Livraison DCP;12,50 €\r\n"
)

if __name__ == "__main__":
    (HERE / "utf16_invoices.txt").write_bytes(UTF16.encode("utf-16"))  # with its BOM (little-endian here)
    (HERE / "lumiere_eur.csv").write_bytes(EURO.encode("cp1252"))
