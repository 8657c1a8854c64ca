"""The rules every entry obeys, one home each: the codes Backroom prints, identifiers, dates."""
