"""The task queue on screen: the handheld's Next task, and the lead's task board."""
