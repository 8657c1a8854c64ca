"""GS1's own rules for element strings, kept as data: the GS1 Barcode Syntax Dictionary.

`table` loads the dictionary (lazily), `linters` holds its content checks, `checks`
applies both to a value and to the AIs that stand together; `refresh` rebuilds the
data from the dictionary's published text.
"""
