"""Attacks on docagent: hostile repositories, proposals, model output and output paths."""
