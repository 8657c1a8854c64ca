"""The stock ledger: postings, the operations people perform, reading stock, and verify."""
