"""People: users, their PINs, badges and keys, who may do what, and the audit of what they did."""
