"""Label templates: where things go on each kind of label, and the tools that place them."""
