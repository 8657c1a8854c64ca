"""The rules every entry obeys, one home each: the codes Backroom prints (codes), identifiers
such as GTINs, SSCCs and location codes (identifiers), dates (dates) and lot tracking
(tracking)."""
