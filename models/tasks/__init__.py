"""The task queue: work the system asks for, taken by one person at a time.

records.py  what a task looks like to its readers (TaskView), finding and listing tasks
queue.py    creating, taking, doing, skipping, cancelling, reassigning; abandoned tasks
completing.py  the moves a finished task posts, through the usual operations
choosing.py the next task for a person: urgency, then walking distance, within scope
board.py    the lead's board: open work by kind, zone, age, assignee; throughput today
"""
