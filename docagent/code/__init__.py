"""Code facts: tree-sitter parsing, targets, docstrings and safe edits."""
