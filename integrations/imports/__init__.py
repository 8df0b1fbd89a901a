"""CSV / XLSX order imports: read a file, map its columns, preview, import in the background, roll back.

    columns.py   header names (English and French aliases) -> the fields an order needs
    parsing.py   what the file is (by its bytes), its encoding and delimiter, its rows (streamed)
    planning.py  rows -> orders (rows sharing a reference are one order), their inputs and errors
    services.py  the batch's life: upload and preview, commit (a Celery job)
    rollback.py  cancelling, through the status machine, the orders of a batch that have not moved on
    selectors.py reads: batches, their rows, existing references, customers' addresses, touched orders
    report.py    the downloadable report and the import templates

Every order goes through orders.services.intake.order_create (the one intake path); see docs/import.md.
"""
