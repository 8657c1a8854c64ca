"""Labels: layouts in millimetres rendered at the printer's resolution, as PNG, PDF or
ZPL II, and the printers they go to. No Textual here.

The entry points: kinds.gather() reads what goes on labels from the database,
jobs.settings_for() picks format, size and resolution, jobs.render() makes the files and
jobs.print_labels() sends them; printers.load_printers() lists the configured printers.
"""
